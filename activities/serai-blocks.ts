/**
 * A Serai block applied to a scanner's state, with its schedulers kept in the validator's store:
 * the fee rate is read at the block the pure core names, the schedulers the state names by digest
 * are loaded, the block is applied (the same pure `applySeraiBlock` every validator runs), and the
 * schedulers it leaves are stored and named by digest again. The scanner workflow is the only
 * caller and applies one block at a time, so the store has one serialized writer per network; a
 * retry recomputes the same states from the same digest.
 */
import type { ChainAdapter } from '../networks/chain';
import type { Keystore } from '../store';
import { schedulingFor, isStoredScheduler, type AnySchedulerState, type SchedulerSlot, type StoredScheduler } from '../workflows/scheduling';
import { applySeraiBlock, feeRateBlock, mapSchedulers, type ScannerCore, type SeraiBlockMessage, type SeraiBlockResult } from '../workflows/scanner-state';

/** The block applied, or why the pure core refused it (every validator refuses it alike: it is reported, not retried). */
export type SeraiBlockOutcome = { applied: { core: ScannerCore; result: SeraiBlockResult } } | { refused: string };

export function createSeraiBlockActivities(deps: { keystore: Keystore; chain: () => ChainAdapter }) {
  const states = deps.keystore.schedulerStates;
  return {
    async applySeraiBlock(input: { core: ScannerCore; message: SeraiBlockMessage }): Promise<SeraiBlockOutcome> {
      const { core, message } = input;
      const at = feeRateBlock(core, message);
      const feeRate = at === null ? 1 : await deps.chain().feed.feeRateAt(at);
      const loaded = mapSchedulers(core, (slot) => (isStoredScheduler(slot) ? (states.get(slot.stored) as AnySchedulerState) : slot));
      let applied: ReturnType<typeof applySeraiBlock>;
      try {
        applied = applySeraiBlock(loaded, message, feeRate);
      } catch (err) {
        return { refused: err instanceof Error ? err.message : String(err) };
      }
      const scheduling = schedulingFor(core.network);
      const store = (slot: SchedulerSlot): StoredScheduler => {
        if (isStoredScheduler(slot)) return slot;
        return { stored: states.put(core.network, slot), heldOutputs: scheduling.heldOutputs(slot), queuedPayments: scheduling.queuedPayments(slot) };
      };
      return { applied: { core: mapSchedulers(applied.core, store), result: applied.result } };
    },
  };
}
