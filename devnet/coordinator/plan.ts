import { ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import { parseProcessorMessage, processorMessageIntent, type ParticipantMap, type ProcessorMessageOf } from '../../messages';
import type { CoordinatorActivities } from './activities';
import { coordinatorPlanStatusQuery, planIdOf, processorMessageSignal, type CoordinatePlanInput, type CoordinatePlanResult } from './defs';

const relay = proxyActivities<CoordinatorActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', nonRetryableErrorTypes: ['MessageValidationError', 'NoConfirmedSet'] },
});

type PlanReply = ProcessorMessageOf<'sign.Preprocess' | 'sign.Share' | 'sign.InvalidParticipant' | 'sign.Completed'>;

interface Member {
  name: string;
  first: number;
  weight: number;
}

/**
 * The devnet coordinator's side of signing one plan's transaction: the first members whose
 * preprocesses cover the threshold sign; a member that falls silent or is named for invalid data
 * is left out of the next attempt. The first `Completed` is relayed to every member, who each
 * check it against the chain before accepting it.
 */
export async function coordinatePlan(input: CoordinatePlanInput): Promise<CoordinatePlanResult> {
  const { network, planId, settings } = input;
  const replies = new Map<number, Map<string, PlanReply[]>>();
  const completions = new Map<string, string>(); // member -> claimed txid
  const seen = new Set<string>();
  const rejected: string[] = [];
  let attempt = 0;
  let stage = 'loading the validator set';

  setHandler(coordinatorPlanStatusQuery, () => ({ attempt, stage, rejected: [...rejected] }));
  setHandler(processorMessageSignal, ({ from, intent, message: raw }) => {
    const parsed = parseProcessorMessage(raw, { network });
    if (!parsed.ok) {
      rejected.push(`${from}: ${parsed.error.message}`);
      return;
    }
    const message = parsed.message;
    if (planIdOf(message) !== planId || intent !== processorMessageIntent(message)) {
      rejected.push(`${from}: ${message.kind} is not about plan ${planId}`);
      return;
    }
    const reply = message as PlanReply;
    if (reply.kind === 'sign.Completed') {
      if (!completions.has(from)) completions.set(from, reply.tx);
      return;
    }
    const key = `${from}/${reply.kind}/${intent}/${reply.kind === 'sign.InvalidParticipant' ? reply.participant : ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    const byMember = replies.get(reply.id.attempt) ?? new Map<string, PlanReply[]>();
    replies.set(reply.id.attempt, byMember);
    byMember.set(from, [...(byMember.get(from) ?? []), reply]);
  });

  const set = await relay.confirmedSet(network);
  const members: Member[] = set.members;
  const excluded = new Map<string, string>();
  const reply = <K extends PlanReply['kind']>(a: number, name: string, kind: K) =>
    replies.get(a)?.get(name)?.find((r): r is Extract<PlanReply, { kind: K }> => r.kind === kind);
  const named = (a: number) =>
    [...(replies.get(a) ?? new Map<string, PlanReply[]>()).values()].flat().filter((r) => r.kind === 'sign.InvalidParticipant').map((r) => (r as ProcessorMessageOf<'sign.InvalidParticipant'>).participant);
  const ownerOf = (participant: number) => members.find((m) => participant >= m.first && participant < m.first + m.weight);
  const others = (map: ParticipantMap<string>, m: Member) =>
    Object.fromEntries(Object.entries(map).filter(([p]) => Number(p) < m.first || Number(p) >= m.first + m.weight));

  for (; attempt < settings.maxAttempts && completions.size === 0; attempt++) {
    const id = { session: set.session, id: planId, attempt };
    if (attempt > 0) {
      await Promise.all(members.filter((m) => !excluded.has(m.name)).map((m) => relay.deliverToProcessor(m.name, { kind: 'sign.Reattempt', id })));
    }
    stage = `attempt ${attempt}: collecting preprocesses`;
    const chosen = (): Member[] => {
      const picked: Member[] = [];
      let weight = 0;
      for (const m of members) {
        if (weight >= set.t) break;
        if (excluded.has(m.name) || !reply(attempt, m.name, 'sign.Preprocess')) continue;
        picked.push(m);
        weight += m.weight;
      }
      return weight >= set.t ? picked : [];
    };
    await condition(() => chosen().length > 0 || completions.size > 0, settings.roundTimeout);
    if (completions.size > 0) break;
    const signers = chosen();
    if (signers.length === 0) continue;

    const preprocesses: ParticipantMap<string> = {};
    for (const m of signers) reply(attempt, m.name, 'sign.Preprocess')!.preprocesses.forEach((p, k) => (preprocesses[m.first + k] = p));
    stage = `attempt ${attempt}: relaying preprocesses`;
    await Promise.all(signers.map((m) => relay.deliverToProcessor(m.name, { kind: 'sign.Preprocesses', id, preprocesses: others(preprocesses, m) })));

    stage = `attempt ${attempt}: collecting shares`;
    const answered = (m: Member) => reply(attempt, m.name, 'sign.Share') !== undefined || reply(attempt, m.name, 'sign.InvalidParticipant') !== undefined;
    await condition(() => signers.every(answered) || completions.size > 0, settings.roundTimeout);
    if (completions.size > 0) break;
    if (!signers.every(answered) || named(attempt).length > 0) {
      for (const p of named(attempt)) {
        const owner = ownerOf(p);
        if (owner) excluded.set(owner.name, `named for invalid data in attempt ${attempt} (participant ${p})`);
      }
      for (const m of signers) if (!answered(m)) excluded.set(m.name, `silent in attempt ${attempt}`);
      continue;
    }
    const shares: ParticipantMap<string> = {};
    for (const m of signers) reply(attempt, m.name, 'sign.Share')!.shares.forEach((s, k) => (shares[m.first + k] = s));
    stage = `attempt ${attempt}: relaying shares`;
    await Promise.all(signers.map((m) => relay.deliverToProcessor(m.name, { kind: 'sign.Shares', id, shares: others(shares, m) })));

    stage = `attempt ${attempt}: awaiting completion`;
    await condition(() => completions.size > 0 || named(attempt).length > 0, settings.roundTimeout);
    for (const p of named(attempt)) {
      const owner = ownerOf(p);
      if (owner) excluded.set(owner.name, `named for invalid data in attempt ${attempt} (participant ${p})`);
    }
  }
  if (completions.size === 0) {
    throw ApplicationFailure.nonRetryable(`plan ${planId} not completed after ${settings.maxAttempts} attempts`, 'PlanAttemptsExhausted', { excluded: Object.fromEntries(excluded) });
  }
  const [completedBy, txid] = [...completions][0]!;
  stage = 'relaying completion';
  // Every member checks the claim against the chain itself before accepting it.
  await Promise.all(
    members.filter((m) => m.name !== completedBy).map((m) => relay.deliverToProcessor(m.name, { kind: 'sign.Completed', session: set.session, id: planId, tx: txid })),
  );
  return { txid, completedBy, attempt, excluded: Object.fromEntries(excluded) };
}
