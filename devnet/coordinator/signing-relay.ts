/**
 * The devnet coordinator's one relay for every threshold-signing protocol (the coordinator side of
 * workflows/signing-attempts.ts): per attempt it picks the first members whose preprocesses cover
 * the threshold, relays preprocesses and then shares among them, and re-attempts without members
 * that fell silent or were named for invalid data. What ends the signing (a verified SignedBatch,
 * a plan's first Completed) is the protocol's.
 *
 * One rule for every protocol: after the share round, every member named for invalid data and
 * every silent signer is left out of the next attempt; after the last wait, only named ones are
 * (nobody can tell which signer should have produced the result).
 */
import { msToNumber } from '@temporalio/common/lib/time';
import { ApplicationFailure, condition, log, patched, setHandler, type QueryDefinition } from '@temporalio/workflow';
import { processorMessageIntent, type CoordinatorMessage, type ExternalNetwork, type ParticipantMap, type ProcessorMessage } from '../../messages';
import { relay } from './activity-options';
import { intakeProcessorMessage } from './intake';
import { processorMessageSignal, type ConfirmedSet } from './defs';

export const SIGNING_RELAY_PATCH = 'one-signing-relay';
/** Marks histories whose relay never gives up: past `maxAttempts` it goes on, pacing attempts and forgiving exclusions. */
export const RELAY_NEVER_GIVES_UP_PATCH = 'relay-never-gives-up';
/**
 * Marks histories whose relay signs with the set of the session its signers name (a rotation
 * signs with the retiring set and the new one at once); before, the newest set signed everything.
 */
export const RELAY_SESSION_PATCH = 'relay-session-of-signers';

/** The session a signing message names (its id's, or a Completed's own), if it names one. */
function sessionOf(message: ProcessorMessage): number | undefined {
  if ('session' in message && typeof message.session === 'number') return message.session;
  if (!('id' in message) || typeof message.id !== 'object' || message.id === null || !('session' in message.id)) return undefined;
  return typeof message.id.session === 'number' ? message.id.session : undefined;
}


export interface Member {
  name: string;
  first: number;
  weight: number;
}

/** A processor's reply in one of the relayed rounds. */
export type RoundReply =
  | { round: 'preprocess'; attempt: number; data: string[] }
  | { round: 'share'; attempt: number; data: string[] }
  | { round: 'invalid'; attempt: number; participant: number };

export interface RelayView {
  readonly set: ConfirmedSet;
  readonly attempt: number;
  readonly excluded: Map<string, string>;
}

/** What one signing protocol tells the relay. */
export interface RelayProtocol<Result> {
  /** "Batch 7", "plan ab12…": for refusals and errors. */
  label: string;
  statusQuery: QueryDefinition<{ attempt: number; stage: string; rejected: string[] }>;
  /** Whether a processor message concerns this signing at all. */
  concerns(message: ProcessorMessage): boolean;
  /** A round reply, or undefined for the protocol's own messages (handed to `receive`). */
  roundOf(message: ProcessorMessage): RoundReply | undefined;
  /** The protocol's own messages (a report, a signed result, a completion); duplicates are its to drop. */
  receive(from: string, message: ProcessorMessage, attempt: number): void;
  /** Whether a member may sign in this attempt beyond having preprocessed and not being excluded. */
  eligible(member: Member, members: Member[]): boolean;
  reattempt(view: RelayView): CoordinatorMessage;
  preprocesses(view: RelayView, preprocesses: ParticipantMap<string>): CoordinatorMessage;
  shares(view: RelayView, shares: ParticipantMap<string>): CoordinatorMessage;
  /** Ends the signing from any stage once true (a plan's completion); the relay then calls `finish`. */
  settled(): boolean;
  /** The result the signers produced in this attempt, once one is there. */
  produced(signers: Member[], attempt: number): { by: Member; value: unknown } | undefined;
  /** Checks a produced result; false leaves its producer out and re-attempts. */
  accept(produced: { by: Member; value: unknown }, view: RelayView): Promise<boolean>;
  finish(view: RelayView, signers: Member[], produced?: { by: Member; value: unknown }): Promise<Result>;
  /** The error thrown after `maxAttempts`. */
  exhausted: { type: string; message: string };
  /**
   * Histories recorded before this relay kept the Batch relay's own rule (named members first,
   * silent ones only when nobody was named, every signer when no result came); only they take it.
   */
  legacyBatchExclusion?: boolean;
}

export async function relaySigning<Result>(
  network: ExternalNetwork,
  settings: { roundTimeout: string | number; maxAttempts: number },
  protocol: RelayProtocol<Result>,
): Promise<Result> {
  const replies = new Map<number, Map<string, RoundReply[]>>(); // attempt -> member -> replies
  const seen = new Set<string>();
  const rejected: string[] = [];
  const excluded = new Map<string, string>();
  let attempt = 0;
  let stage = 'loading the validator set';
  const current = patched(SIGNING_RELAY_PATCH);
  const persist = patched(RELAY_NEVER_GIVES_UP_PATCH);
  const bySession = patched(RELAY_SESSION_PATCH);
  // The devnet trusts the first signer to name the session (Serai's coordinator knows it from Serai's
  // state); a message for another session is refused from then on.
  let session: number | undefined;
  const baseTimeout = msToNumber(settings.roundTimeout);
  /** Each round's wait: `roundTimeout`, doubling (to 64x) for every attempt past `maxAttempts`. */
  const roundTimeout = () => (persist && attempt >= settings.maxAttempts ? baseTimeout * 2 ** Math.min(6, attempt - settings.maxAttempts + 1) : settings.roundTimeout);

  setHandler(protocol.statusQuery, () => ({ attempt, stage, rejected: [...rejected] }));
  setHandler(processorMessageSignal, ({ from, intent, message: raw }) => {
    const message = intakeProcessorMessage(from, raw, network, rejected);
    if (!message) return;
    if (!protocol.concerns(message)) {
      rejected.push(`${from}: ${message.kind} is not about ${protocol.label}`);
      return;
    }
    if (intent !== processorMessageIntent(message)) {
      rejected.push(`${from}: ${message.kind} carries a wrong intent`);
      return;
    }
    const named = sessionOf(message);
    if (bySession && named !== undefined) {
      session ??= named;
      if (named !== session) {
        rejected.push(`${from}: ${message.kind} is for session ${named}, this signing is session ${session}'s`);
        return;
      }
    }
    const reply = protocol.roundOf(message);
    if (!reply) {
      protocol.receive(from, message, attempt);
      return;
    }
    const key = `${from}/${message.kind}/${intent}/${reply.round === 'invalid' ? reply.participant : ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    const byMember = replies.get(reply.attempt) ?? new Map<string, RoundReply[]>();
    replies.set(reply.attempt, byMember);
    byMember.set(from, [...(byMember.get(from) ?? []), reply]);
  });

  if (bySession) {
    stage = 'waiting for a signer to name the session';
    await condition(() => session !== undefined);
  }
  const set = bySession ? await relay.confirmedSet(network, session) : await relay.confirmedSet(network);
  const members: Member[] = set.members;
  const view: RelayView = {
    set,
    get attempt() {
      return attempt;
    },
    excluded,
  };
  const replyOf = <R extends RoundReply['round']>(a: number, name: string, round: R) =>
    replies.get(a)?.get(name)?.find((r): r is Extract<RoundReply, { round: R }> => r.round === round);
  const named = (a: number) =>
    [...(replies.get(a) ?? new Map<string, RoundReply[]>()).values()].flat().flatMap((r) => (r.round === 'invalid' ? [r.participant] : []));
  const ownerOf = (participant: number) => members.find((m) => participant >= m.first && participant < m.first + m.weight);
  const excludeNamed = () => {
    for (const participant of named(attempt)) {
      const owner = ownerOf(participant);
      if (owner) excluded.set(owner.name, `named for invalid data in attempt ${attempt} (participant ${participant})`);
    }
  };
  const excludeSilent = (signers: Member[], answered: (m: Member) => boolean) => {
    for (const m of signers) if (!answered(m)) excluded.set(m.name, `silent in attempt ${attempt}`);
  };
  /** The Batch relay's rule before this relay: named members, else the silent ones; true if anyone was left out. */
  const legacyExcludeFaulty = (signers: Member[], answered: (m: Member) => boolean): boolean => {
    const before = excluded.size;
    excludeNamed();
    if (excluded.size === before) excludeSilent(signers, answered);
    return excluded.size > before;
  };
  const collect = (signers: Member[], round: 'preprocess' | 'share'): ParticipantMap<string> => {
    const map: ParticipantMap<string> = {};
    for (const m of signers) replyOf(attempt, m.name, round)!.data.forEach((item, k) => (map[m.first + k] = item));
    return map;
  };
  const others = (map: ParticipantMap<string>, m: Member): ParticipantMap<string> =>
    Object.fromEntries(Object.entries(map).filter(([p]) => Number(p) < m.first || Number(p) >= m.first + m.weight));

  for (; (persist || attempt < settings.maxAttempts) && !protocol.settled(); attempt++) {
    if (persist && attempt >= settings.maxAttempts) {
      // Past the attempts it plans for, nobody is written off: when the members not left out cannot
      // reach the threshold, everyone gets another chance.
      const weight = members.filter((m) => !excluded.has(m.name)).reduce((total, m) => total + m.weight, 0);
      if (weight < set.t && excluded.size > 0) {
        log.warn('too few members left to sign: every exclusion is forgiven', { label: protocol.label, attempt, excluded: Object.fromEntries(excluded) });
        excluded.clear();
      }
    }
    if (attempt > 0) {
      stage = `attempt ${attempt}: re-attempting`;
      await Promise.all(members.filter((m) => !excluded.has(m.name)).map((m) => relay.deliverToProcessor(m.name, protocol.reattempt(view), network)));
    }
    stage = `attempt ${attempt}: collecting preprocesses`;
    const chosen = (): Member[] => {
      const picked: Member[] = [];
      let weight = 0;
      for (const m of members) {
        if (weight >= set.t) break;
        if (excluded.has(m.name) || !protocol.eligible(m, members) || !replyOf(attempt, m.name, 'preprocess')) continue;
        picked.push(m);
        weight += m.weight;
      }
      return weight >= set.t ? picked : [];
    };
    await condition(() => chosen().length > 0 || protocol.settled(), roundTimeout());
    if (protocol.settled()) break;
    const signers = chosen();
    if (signers.length === 0) continue;

    const preprocesses = collect(signers, 'preprocess');
    stage = `attempt ${attempt}: relaying preprocesses`;
    await Promise.all(signers.map((m) => relay.deliverToProcessor(m.name, protocol.preprocesses(view, others(preprocesses, m)), network)));

    stage = `attempt ${attempt}: collecting shares`;
    const answered = (m: Member) => replyOf(attempt, m.name, 'share') !== undefined || replyOf(attempt, m.name, 'invalid') !== undefined;
    await condition(() => signers.every(answered) || protocol.settled(), roundTimeout());
    if (protocol.settled()) break;
    if (current || !protocol.legacyBatchExclusion) {
      if (!signers.every(answered) || named(attempt).length > 0) {
        excludeNamed();
        excludeSilent(signers, answered);
        continue;
      }
    } else if (legacyExcludeFaulty(signers, answered)) continue;

    const shares = collect(signers, 'share');
    stage = `attempt ${attempt}: relaying shares`;
    await Promise.all(signers.map((m) => relay.deliverToProcessor(m.name, protocol.shares(view, others(shares, m)), network)));

    stage = `attempt ${attempt}: awaiting the result`;
    await condition(() => protocol.produced(signers, attempt) !== undefined || protocol.settled() || named(attempt).length > 0, roundTimeout());
    const produced = protocol.produced(signers, attempt);
    if (protocol.settled()) {
      excludeNamed();
      break;
    }
    if (!produced) {
      if (current || !protocol.legacyBatchExclusion) excludeNamed();
      else legacyExcludeFaulty(signers, () => false);
      continue;
    }
    if (!(await protocol.accept(produced, view))) continue;
    stage = 'signed';
    return protocol.finish(view, signers, produced);
  }
  if (!protocol.settled()) {
    throw ApplicationFailure.nonRetryable(protocol.exhausted.message, protocol.exhausted.type, { excluded: Object.fromEntries(excluded) });
  }
  stage = 'relaying the result';
  return protocol.finish(view, []);
}
