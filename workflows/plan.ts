import { ApplicationFailure, condition, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import { coordinatorMessageIntent, parseCoordinatorMessage, type ParticipantMap, type ProcessorMessage } from '../messages';
import type { ProcessorActivities } from '../activities';
import { invalidParticipantOf } from './failures';
import { planMessageSignal, planSignId, planStatusQuery, type PlanInput, type PlanOutcome } from './plan-defs';

const signer = proxyActivities<ProcessorActivities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: ['SigningKeyMissing', 'NonceReuseError', 'NoncesNotFoundError', 'InvalidParticipantData', 'TransactionBuildError', 'KeystoreDecryptError'],
  },
});
const chain = proxyActivities<ProcessorActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', nonRetryableErrorTypes: ['PublishInputError', 'TransactionRejectedError'] },
});
const link = proxyActivities<ProcessorActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['MessageValidationError'] },
});

/**
 * One plan: signing attempts with the coordinator, publishing, rebroadcasting until the
 * transaction is final, and one `Completed`. Another validator's `Completed` ends it too, but
 * only once the chain confirms the claim matches this plan's eventuality.
 */
export async function signPlan(input: PlanInput): Promise<PlanOutcome> {
  const { network, plan, settings } = input;
  const key = await signer.substrateSigningKey();
  const keyRef = { session: key.session, attempt: key.attempt };
  const signable = await signer.planSignable({ network, key: keyRef, plan });
  const txid = signable.eventuality.id;
  const context = { t: key.t, n: key.n, own: key.participants };
  let attempt = 0;
  let reattemptTo = 0;
  let stage = 'preparing';
  let claim: string | undefined;
  const preprocesses = new Map<number, ParticipantMap<string>>();
  const shares = new Map<number, ParticipantMap<string>>();
  const seen = new Set<string>();
  const rejected: string[] = [];
  const invalid: { attempt: number; participant: number }[] = [];

  setHandler(planStatusQuery, () => ({ attempt, stage, rejected: [...rejected] }));
  setHandler(planMessageSignal, (raw) => {
    const parsed = parseCoordinatorMessage(raw, { network, participants: context });
    if (!parsed.ok) {
      rejected.push(`${String((raw as { kind?: unknown })?.kind)}: ${parsed.error.message}`);
      return;
    }
    const message = parsed.message;
    if (message.kind === 'sign.Completed') {
      if (message.id !== plan.id || message.session !== key.session) rejected.push(`${message.kind}: not for plan ${plan.id}`);
      else claim ??= message.tx;
      return;
    }
    if ((message.kind !== 'sign.Preprocesses' && message.kind !== 'sign.Shares' && message.kind !== 'sign.Reattempt') || message.id.id !== plan.id || message.id.session !== key.session) {
      rejected.push(`${message.kind}: not for plan ${plan.id} of session ${key.session}`);
      return;
    }
    const intent = `${message.kind}/${coordinatorMessageIntent(message)}`;
    if (seen.has(intent)) return;
    seen.add(intent);
    if (message.kind === 'sign.Reattempt') reattemptTo = Math.max(reattemptTo, message.id.attempt);
    else if (message.kind === 'sign.Preprocesses') preprocesses.set(message.id.attempt, message.preprocesses);
    else shares.set(message.id.attempt, message.shares);
  });

  const send = (message: ProcessorMessage) => link.sendToCoordinator(message);
  const idOf = (a: number) => ({ session: key.session, id: plan.id, attempt: a });
  const completed = async (by: 'self' | 'claim', height?: number): Promise<PlanOutcome> => {
    stage = 'completed';
    await send({ kind: 'sign.Completed', session: key.session, id: plan.id, tx: txid });
    return { end: 'completed', txid, attempt, completedBy: by, height, invalid, rejected };
  };
  const checkClaim = async (): Promise<boolean> => {
    if (claim === undefined) return false;
    const verdict = await chain.verifyCompletionClaim(signable, claim);
    if (!verdict.valid) {
      rejected.push(`sign.Completed: claim ${claim} refused (${verdict.reason ?? 'invalid'})`);
      claim = undefined;
    }
    return verdict.valid;
  };
  const wait = async (ready: () => boolean): Promise<'ready' | 'reattempt' | 'claim' | 'idle'> => {
    const woke = await condition(() => ready() || reattemptTo > attempt || claim !== undefined, settings.idleTimeout);
    if (!woke) return 'idle';
    if (claim !== undefined) return 'claim';
    return reattemptTo > attempt ? 'reattempt' : 'ready';
  };

  let signed: { txid: string; hex: string } | undefined;
  while (!signed) {
    const ref = { network, signId: planSignId(network, plan.id), attempt, key: keyRef, participants: key.participants };
    stage = `attempt ${attempt}: preprocess`;
    const ownPreprocesses = await signer.planPreprocess(ref, signable);
    await send({ kind: 'sign.Preprocess', id: idOf(attempt), preprocesses: ownPreprocesses });

    stage = `attempt ${attempt}: awaiting preprocesses`;
    let step = await wait(() => preprocesses.has(attempt));
    if (step === 'claim' && (await checkClaim())) return completed('claim');
    if (step === 'idle') return { end: 'idle-timeout', txid, attempt, completedBy: 'self', invalid, rejected };
    if (step !== 'ready') {
      attempt = Math.max(attempt, reattemptTo);
      continue;
    }
    let ownShares: string[];
    try {
      stage = `attempt ${attempt}: sharing`;
      ownShares = await signer.planShare(ref, signable, preprocesses.get(attempt)!);
    } catch (err) {
      const participant = invalidParticipantOf(err);
      if (participant === undefined) throw err;
      invalid.push({ attempt, participant });
      await send({ kind: 'sign.InvalidParticipant', id: idOf(attempt), participant });
      await wait(() => false);
      attempt = Math.max(attempt, reattemptTo);
      continue;
    }
    await send({ kind: 'sign.Share', id: idOf(attempt), shares: ownShares });

    stage = `attempt ${attempt}: awaiting shares`;
    step = await wait(() => shares.has(attempt));
    if (step === 'claim' && (await checkClaim())) return completed('claim');
    if (step === 'idle') return { end: 'idle-timeout', txid, attempt, completedBy: 'self', invalid, rejected };
    if (step !== 'ready') {
      attempt = Math.max(attempt, reattemptTo);
      continue;
    }
    const result = await signer.planComplete(ref, signable, { preprocesses: preprocesses.get(attempt)!, shares: shares.get(attempt)!, ownShares });
    if (!result.ok) {
      for (const participant of result.faulty) {
        invalid.push({ attempt, participant });
        await send({ kind: 'sign.InvalidParticipant', id: idOf(attempt), participant });
      }
      await wait(() => false);
      attempt = Math.max(attempt, reattemptTo);
      continue;
    }
    signed = { txid: result.txid, hex: result.hex };
  }

  // Publish, rebroadcast until final, then report once.
  for (;;) {
    stage = 'publishing';
    const outcome = await chain.publishTransaction(signed.hex);
    if (outcome.kind === 'conflict') throw ApplicationFailure.nonRetryable(`plan ${plan.id}: ${outcome.reason}`, 'ConflictingSpend');
    stage = 'awaiting confirmation';
    const final = await chain.planCompletion(signable, settings.confirmations);
    if (final.completed) return completed('self', final.height);
    await sleep(settings.pollInterval);
  }
}
