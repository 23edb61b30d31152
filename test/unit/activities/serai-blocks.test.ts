/**
 * The Serai-block activity on the real keystore: it applies a block exactly as the pure core does,
 * with the schedulers in the store and only their digests (and counts) in the scanner's state.
 */
import { SchedulerStateMissingError } from '../../../store';
import type { SchedulerState } from '../../../scheduler';
import { acceptFinalBlocks, applySeraiBlock, feeRateBlock } from '../../../workflows/scanner-state';
import { activities, applied, block, burn, FEE_RATE, keyed, serai, stored } from '../../support/stored-scanner';
import { freshKeystore, tempDir } from '../store/helpers';

const { dir, cleanup } = tempDir('serai-blocks');
afterAll(cleanup);

describe('applySeraiBlock (activity)', () => {
  test('applies each block as the pure core does; the state names the stored schedulers by digest', async () => {
    const { keystore } = freshKeystore(dir);
    const { applySeraiBlock: applyStored, feeReads } = activities(keystore);
    let pure = acceptFinalBlocks(keyed(), [block(102, 1000), block(103, 1001, [{ n: 1, amount: 5_000_000n }])]).core;
    let core = pure;
    const messages = [serai(1, [0, 1]), serai(2, [], [burn(1, 1_000_000n), burn(2, 2_000_000n)]), serai(3, [], [burn(3, 500_000n)])];
    for (const message of messages) {
      const at = feeRateBlock(pure, message);
      const expected = applySeraiBlock(pure, message, at === null ? 1 : FEE_RATE);
      const got = applied(await applyStored({ core, message }));
      expect(got.result).toEqual(expected.result);
      const slot = stored(got.core.scheduler);
      expect(keystore.schedulerStates.get(slot.stored)).toEqual(expected.core.scheduler);
      const state = expected.core.scheduler as SchedulerState;
      expect(slot.heldOutputs).toEqual(state.outputs.map((o) => o.id));
      expect(slot.queuedPayments).toBe(state.payments.length);
      // Everything but the scheduler is the pure core's.
      expect({ ...got.core, scheduler: null }).toEqual({ ...expected.core, scheduler: null });
      if (at !== null) expect(feeReads[feeReads.length - 1]).toBe(at);
      pure = expected.core;
      core = got.core;
    }
    expect(feeReads.length).toBeGreaterThan(0);
    keystore.close();
  });

  test('a block the pure core refuses is a refusal naming why, and stores nothing', async () => {
    const { keystore } = freshKeystore(dir);
    const { applySeraiBlock: applyStored } = activities(keystore);
    const core = applied(await applyStored({ core: acceptFinalBlocks(keyed(), [block(102, 1000)]).core, message: serai(1, [0]) })).core;
    const before = keystore.schedulerStates.count('bitcoin');
    expect(await applyStored({ core, message: serai(1, [0]) })).toEqual({ refused: 'Serai block 1 was already applied' });
    expect(keystore.schedulerStates.count('bitcoin')).toBe(before);
    keystore.close();
  });

  test('a state the store no longer holds fails the activity (retried until restored), never a refusal that would skip the block', async () => {
    const { keystore } = freshKeystore(dir);
    const { applySeraiBlock: applyStored } = activities(keystore);
    const core = applied(await applyStored({ core: acceptFinalBlocks(keyed(), [block(102, 1000)]).core, message: serai(1, [0]) })).core;
    const lost = { ...core, scheduler: { ...stored(core.scheduler), stored: 'ab'.repeat(32) } };
    await expect(applyStored({ core: lost, message: serai(2, [], [burn(1, 1_000_000n)]) })).rejects.toThrow(SchedulerStateMissingError);
    keystore.close();
  });
});
