/**
 * The signing activity names that histories recorded before the one signing driver
 * (`patched('one-signing-driver')`) schedule. They run the same core as `threshold*` and return
 * the shapes those histories expect. New workflow executions never call them; they can go once no
 * such history runs or needs replaying.
 */
import type { Batch, ParticipantMap } from '../messages';
import type { SignRef, SigningCore, SigningRound } from './threshold-signing';

type Aggregated<T> = ({ ok: true } & T) | { ok: false; faulty: number[] };

export function createLegacySigningActivities(core: SigningCore) {
  const flat = <T>(outcome: Awaited<ReturnType<SigningCore['aggregate']>>): Aggregated<T> => (outcome.ok ? { ok: true, ...(outcome.signed as T) } : outcome);
  return {
    /** @deprecated `thresholdPreprocess` with `{ protocol: 'batch' }`. */
    async substratePreprocess(ref: SignRef): Promise<string[]> {
      return core.preprocess('batch', ref, undefined);
    },
    /** @deprecated `thresholdShare` with `{ protocol: 'batch' }`. */
    async substrateShare(ref: SignRef, batch: Batch, others: ParticipantMap<string>): Promise<string[]> {
      return core.share('batch', ref, batch, others);
    },
    /** @deprecated `thresholdAggregate` with `{ protocol: 'batch' }`. */
    async substrateAggregate(ref: SignRef, batch: Batch, round: SigningRound): Promise<Aggregated<{ signature: string }>> {
      return flat(await core.aggregate('batch', ref, batch, round));
    },
    /** @deprecated `thresholdPreprocess` with `{ protocol: 'transaction' }`. */
    async planPreprocess(ref: SignRef, signable: unknown): Promise<string[]> {
      return core.preprocess('transaction', ref, signable);
    },
    /** @deprecated `thresholdShare` with `{ protocol: 'transaction' }`. */
    async planShare(ref: SignRef, signable: unknown, others: ParticipantMap<string>): Promise<string[]> {
      return core.share('transaction', ref, signable, others);
    },
    /** @deprecated `thresholdAggregate` with `{ protocol: 'transaction' }`. */
    async planComplete(ref: SignRef, signable: unknown, round: SigningRound): Promise<Aggregated<{ txid: string; hex: string }>> {
      return flat(await core.aggregate('transaction', ref, signable, round));
    },
  };
}
