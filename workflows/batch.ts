import { patched, setHandler } from '@temporalio/workflow';
import type { ProcessorMessage } from '../messages';
import { intake } from './intake';
import { coordinatorLink as link, signingActivities as signer } from './activity-options';
import { batchIncludedSignal, batchMessageSignal, batchSignId, batchStatusQuery, type BatchSigningInput, type BatchSigningOutcome } from './batch-defs';
import { batchSubject, driveSigning, NEVER_ABANDON_PATCH, SIGNING_DRIVER_PATCH, SigningAttempts, thresholdRounds } from './signing-attempts';

/** Marks histories that report the Batch while the first preprocess is made (before: one after the other). */
export const BATCH_REPORT_BESIDE_PREPROCESS_PATCH = 'batch-report-beside-preprocess';

/**
 * Reports a Batch and signs it with the session's Serai key through the coordinator, by the one
 * signing driver (workflows/signing-attempts.ts). Ends when signed, when Serai includes the Batch
 * (signed by others), or after the idle timeout.
 */
export async function signBatch(input: BatchSigningInput): Promise<BatchSigningOutcome> {
  const { network, batch, settings } = input;
  const current = patched(SIGNING_DRIVER_PATCH);
  const persist = patched(NEVER_ABANDON_PATCH);
  const key = input.session === undefined ? await signer.substrateSigningKey() : await signer.substrateSigningKey(input.session);
  const context = { t: key.t, n: key.n, own: key.participants };
  const state = new SigningAttempts();
  state.stage = 'reporting';
  const rejected: string[] = [];
  let included = false;

  setHandler(batchIncludedSignal, () => {
    included = true;
  });
  setHandler(batchStatusQuery, () => ({ attempt: state.attempt, stage: state.stage, idlePeriods: state.idlePeriods, rejected: [...rejected] }));
  setHandler(batchMessageSignal, (raw) => {
    const message = intake(raw, { network, participants: context }, rejected);
    if (!message) return;
    const refused = state.accept(message, batchSubject(batch.id), key.session);
    if (refused) rejected.push(`${message.kind}: ${refused}`);
  });

  const send = (message: ProcessorMessage) => link.sendToCoordinator(message);
  const idOf = (attempt: number) => ({ session: key.session, id: { kind: 'Batch' as const, id: batch.id }, attempt });
  const refOf = (attempt: number) => ({ network, signId: batchSignId(network, batch.id), attempt, key: { session: key.session, attempt: key.attempt }, participants: key.participants });
  const rounds = thresholdRounds({
    signable: { protocol: 'batch' as const, batch },
    refOf,
    send,
    messages: {
      preprocess: (attempt, preprocesses) => ({ kind: 'coordinator.BatchPreprocess', id: idOf(attempt), block: batch.block, preprocesses }),
      share: (attempt, shares) => ({ kind: 'coordinator.SubstrateShare', id: idOf(attempt), shares }),
      invalid: (attempt, participant) => ({ kind: 'coordinator.InvalidParticipant', id: idOf(attempt), participant }),
    },
    legacy: current
      ? undefined
      : {
          preprocess: (attempt) => signer.substratePreprocess(refOf(attempt)),
          share: (attempt, preprocesses) => signer.substrateShare(refOf(attempt), batch, preprocesses),
          aggregate: async (attempt, round) => {
            const result = await signer.substrateAggregate(refOf(attempt), batch, round);
            return result.ok ? { ok: true, signed: { signature: result.signature } } : result;
          },
        },
  });

  // The coordinator counts a preprocess only once it has its sender's report, so the report goes first either way.
  const beside = patched(BATCH_REPORT_BESIDE_PREPROCESS_PATCH);
  const report = send({ kind: 'substrate.Batch', batch });
  if (!beside) await report;
  const result = await driveSigning(state, rounds, { kind: 'batch', idleTimeout: settings.idleTimeout, interrupted: () => included, persist, ...(beside ? { firstSendAfter: report } : {}) });
  const outcome = { attempt: state.attempt, invalid: state.invalid, rejected };
  if (result.end !== 'signed') return { ...outcome, end: included ? 'included' : 'idle-timeout' };
  await send({ kind: 'substrate.SignedBatch', batch: { batch, signature: result.signed.signature } });
  return { ...outcome, end: 'signed', signature: result.signed.signature };
}
