import { patched, setHandler } from '@temporalio/workflow';
import { coordinatorMessageIntent, parseCoordinatorMessage, type ProcessorMessage } from '../messages';
import { coordinatorLink as link, signingActivities as signer } from './activity-options';
import { batchIncludedSignal, batchMessageSignal, batchSignId, batchStatusQuery, type BatchSigningInput, type BatchSigningOutcome } from './batch-defs';
import { driveSigning, SIGNING_DRIVER_PATCH, SigningAttempts, signingRoundOf, batchSubject, type SigningRounds } from './signing-attempts';

/**
 * Reports a Batch and signs it with the session's Serai key through the coordinator, by the one
 * signing driver (workflows/signing-attempts.ts). Ends when signed, when Serai includes the Batch
 * (signed by others), or after the idle timeout.
 */
export async function signBatch(input: BatchSigningInput): Promise<BatchSigningOutcome> {
  const { network, batch, settings } = input;
  const current = patched(SIGNING_DRIVER_PATCH);
  const key = await signer.substrateSigningKey();
  const context = { t: key.t, n: key.n, own: key.participants };
  const state = new SigningAttempts();
  state.stage = 'reporting';
  const rejected: string[] = [];
  let included = false;

  setHandler(batchIncludedSignal, () => {
    included = true;
  });
  setHandler(batchStatusQuery, () => ({ attempt: state.attempt, stage: state.stage, rejected: [...rejected] }));
  setHandler(batchMessageSignal, (raw) => {
    const parsed = parseCoordinatorMessage(raw, { network, participants: context });
    if (!parsed.ok) {
      rejected.push(`${String((raw as { kind?: unknown })?.kind)}: ${parsed.error.message}`);
      return;
    }
    const message = parsed.message;
    const round = signingRoundOf(message);
    if (!round || round.subject !== batchSubject(batch.id) || round.session !== key.session) {
      rejected.push(`${message.kind}: not for Batch ${batch.id} of session ${key.session}`);
      return;
    }
    state.receive(round.delivery, coordinatorMessageIntent(message));
  });

  const send = (message: ProcessorMessage) => link.sendToCoordinator(message);
  const idOf = (attempt: number) => ({ session: key.session, id: { kind: 'Batch' as const, id: batch.id }, attempt });
  const refOf = (attempt: number) => ({ network, signId: batchSignId(network, batch.id), attempt, key: { session: key.session, attempt: key.attempt }, participants: key.participants });
  const signable = { protocol: 'batch' as const, batch };
  const rounds: SigningRounds<{ signature: string }> = {
    preprocess: (attempt) => (current ? signer.thresholdPreprocess(refOf(attempt), signable) : signer.substratePreprocess(refOf(attempt))),
    sendPreprocess: (attempt, preprocesses) => send({ kind: 'coordinator.BatchPreprocess', id: idOf(attempt), block: batch.block, preprocesses }),
    share: (attempt, preprocesses) => (current ? signer.thresholdShare(refOf(attempt), signable, preprocesses) : signer.substrateShare(refOf(attempt), batch, preprocesses)),
    sendShare: (attempt, shares) => send({ kind: 'coordinator.SubstrateShare', id: idOf(attempt), shares }),
    aggregate: async (attempt, round) => {
      if (current) return signer.thresholdAggregate(refOf(attempt), signable, round);
      const result = await signer.substrateAggregate(refOf(attempt), batch, round);
      return result.ok ? { ok: true, signed: { signature: result.signature } } : result;
    },
    sendInvalidParticipant: (attempt, participant) => send({ kind: 'coordinator.InvalidParticipant', id: idOf(attempt), participant }),
  };

  await send({ kind: 'substrate.Batch', batch });
  const result = await driveSigning(state, rounds, { idleTimeout: settings.idleTimeout, interrupted: () => included });
  const outcome = { attempt: state.attempt, invalid: state.invalid, rejected };
  if (result.end !== 'signed') return { ...outcome, end: included ? 'included' : 'idle-timeout' };
  await send({ kind: 'substrate.SignedBatch', batch: { batch, signature: result.signed.signature } });
  return { ...outcome, end: 'signed', signature: result.signed.signature };
}
