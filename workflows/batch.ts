import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import { coordinatorMessageIntent, parseCoordinatorMessage, type ParticipantMap, type ProcessorMessage } from '../messages';
import type { ProcessorActivities } from '../activities';
import { invalidParticipantOf } from './failures';
import { batchIncludedSignal, batchMessageSignal, batchSignId, batchStatusQuery, type BatchSigningInput, type BatchSigningOutcome } from './batch-defs';

const signer = proxyActivities<ProcessorActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: ['SigningKeyMissing', 'NonceReuseError', 'NoncesNotFoundError', 'InvalidParticipantData', 'KeystoreDecryptError'],
  },
});
const link = proxyActivities<ProcessorActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['MessageValidationError'] },
});

/**
 * Reports a Batch and signs it with the session's Serai key through the coordinator: preprocess,
 * share, aggregate, with fresh nonces on every re-attempt. Signing data for any attempt but the
 * current one is ignored.
 */
export async function signBatch(input: BatchSigningInput): Promise<BatchSigningOutcome> {
  const { network, batch, settings } = input;
  const key = await signer.substrateSigningKey();
  const context = { t: key.t, n: key.n, own: key.participants };
  let attempt = 0;
  let stage = 'reporting';
  let reattemptTo = 0;
  const preprocesses = new Map<number, ParticipantMap<string>>();
  const shares = new Map<number, ParticipantMap<string>>();
  const seen = new Set<string>();
  const rejected: string[] = [];
  const invalid: { attempt: number; participant: number }[] = [];

  let included = false;
  setHandler(batchIncludedSignal, () => {
    included = true;
  });
  setHandler(batchStatusQuery, () => ({ attempt, stage, rejected: [...rejected] }));
  setHandler(batchMessageSignal, (raw) => {
    const parsed = parseCoordinatorMessage(raw, { network, participants: context });
    if (!parsed.ok) {
      rejected.push(`${String((raw as { kind?: unknown })?.kind)}: ${parsed.error.message}`);
      return;
    }
    const message = parsed.message;
    if (
      (message.kind !== 'coordinator.SubstratePreprocesses' && message.kind !== 'coordinator.SubstrateShares' && message.kind !== 'coordinator.BatchReattempt') ||
      message.id.id.kind !== 'Batch' ||
      message.id.id.id !== batch.id ||
      message.id.session !== key.session
    ) {
      rejected.push(`${message.kind}: not for Batch ${batch.id} of session ${key.session}`);
      return;
    }
    const intent = coordinatorMessageIntent(message);
    if (seen.has(`${message.kind}/${intent}`)) return;
    seen.add(`${message.kind}/${intent}`);
    if (message.kind === 'coordinator.BatchReattempt') reattemptTo = Math.max(reattemptTo, message.id.attempt);
    else if (message.kind === 'coordinator.SubstratePreprocesses') preprocesses.set(message.id.attempt, message.preprocesses);
    else shares.set(message.id.attempt, message.shares);
  });

  const send = (message: ProcessorMessage) => link.sendToCoordinator(message);
  const idOf = (a: number) => ({ session: key.session, id: { kind: 'Batch' as const, id: batch.id }, attempt: a });
  const wait = async (ready: () => boolean): Promise<'ready' | 'reattempt' | 'idle'> => {
    const woke = await condition(() => ready() || reattemptTo > attempt || included, settings.idleTimeout);
    if (!woke || included) return 'idle';
    return reattemptTo > attempt ? 'reattempt' : 'ready';
  };
  const outcome = (end: BatchSigningOutcome['end'], signature?: string): BatchSigningOutcome => ({ end: end === 'idle-timeout' && included ? 'included' : end, attempt, signature, invalid, rejected });

  await send({ kind: 'substrate.Batch', batch });
  for (;;) {
    const ref = { network, signId: batchSignId(network, batch.id), attempt, key: { session: key.session, attempt: key.attempt }, participants: key.participants };
    stage = `attempt ${attempt}: preprocess`;
    const ownPreprocesses = await signer.substratePreprocess(ref);
    await send({ kind: 'coordinator.BatchPreprocess', id: idOf(attempt), block: batch.block, preprocesses: ownPreprocesses });

    stage = `attempt ${attempt}: awaiting preprocesses`;
    let step = await wait(() => preprocesses.has(attempt));
    if (step === 'idle') return outcome('idle-timeout');
    if (step === 'reattempt') {
      attempt = reattemptTo;
      continue;
    }
    stage = `attempt ${attempt}: sharing`;
    let ownShares: string[];
    try {
      ownShares = await signer.substrateShare(ref, batch, preprocesses.get(attempt)!);
    } catch (err) {
      const participant = invalidParticipantOf(err);
      if (participant === undefined) throw err;
      invalid.push({ attempt, participant });
      await send({ kind: 'coordinator.InvalidParticipant', id: idOf(attempt), participant });
      step = await wait(() => false);
      if (step === 'idle') return outcome('idle-timeout');
      attempt = reattemptTo;
      continue;
    }
    await send({ kind: 'coordinator.SubstrateShare', id: idOf(attempt), shares: ownShares });

    stage = `attempt ${attempt}: awaiting shares`;
    step = await wait(() => shares.has(attempt));
    if (step === 'idle') return outcome('idle-timeout');
    if (step === 'reattempt') {
      attempt = reattemptTo;
      continue;
    }
    const result = await signer.substrateAggregate(ref, batch, { preprocesses: preprocesses.get(attempt)!, shares: shares.get(attempt)!, ownShares });
    if (!result.ok) {
      for (const participant of result.faulty) {
        invalid.push({ attempt, participant });
        await send({ kind: 'coordinator.InvalidParticipant', id: idOf(attempt), participant });
      }
      stage = `attempt ${attempt}: awaiting re-attempt`;
      step = await wait(() => false);
      if (step === 'idle') return outcome('idle-timeout');
      attempt = reattemptTo;
      continue;
    }
    stage = 'signed';
    await send({ kind: 'substrate.SignedBatch', batch: { batch, signature: result.signature } });
    return outcome('signed', result.signature);
  }
}
