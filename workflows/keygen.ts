import { condition, setHandler, log, metricMeter } from '@temporalio/workflow';
import { COUNTERS } from '../temporal/metrics-catalog';
import {
  coordinatorMessageIntent,
  participantContextFromParams,
  type CoordinatorMessageOf,
  type ParticipantMap,
  type ProcessorMessage,
} from '../messages';
import { coordinatorLink as link, keygenActivities as dkg } from './activity-options';
import { intake } from './intake';
import {
  keygenEndSignal,
  keygenMessageSignal,
  keygenStatusQuery,
  type KeygenEnd,
  type KeygenInput,
  type KeygenOutcome,
  type KeygenPhase,
} from './keygen-defs';

/**
 * One attempt of key generation for one validator's processor: two DKGs (the Serai ristretto key
 * and the network key) through the coordinator, with blame. All secrets stay in the keystore: the
 * activities take and return public messages only.
 */
export async function keyGeneration(input: KeygenInput): Promise<KeygenOutcome> {
  const { network, generateKey, settings } = input;
  const { id, params, shares: localShares } = generateKey;
  const context = participantContextFromParams(params, localShares);
  const ref = { network, session: id.session, attempt: id.attempt, t: params.t, n: params.n, participants: [...context.own] };

  let phase: KeygenPhase = 'committing';
  let end: KeygenEnd | undefined;
  let commitments: ParticipantMap<string> | undefined;
  let shares: ParticipantMap<string>[] | undefined;
  const blameQueue: CoordinatorMessageOf<'key_gen.VerifyBlame'>[] = [];
  const seenIntents = new Set<string>();
  const received: string[] = [];
  const rejected: string[] = [];
  const blamed: number[] = [];
  const blamedCounter = metricMeter.createCounter(COUNTERS.keygenBlamed, 'participants', 'participants found at fault in key generation, by round');
  const blame = (faulty: number, round: 'commitments' | 'shares' | 'verify') => {
    blamed.push(faulty);
    blamedCounter.add(1, { round });
  };
  metricMeter.createCounter(COUNTERS.keygenAttempts, 'attempts', 'key-generation attempts').add(1);
  // Blame series start at 0, so a dashboard and an alert see them before the first blame.
  for (const round of ['commitments', 'shares', 'verify'] as const) blamedCounter.add(0, { round });

  setHandler(keygenMessageSignal, (raw) => {
    const message = intake(raw, { network, participants: context }, rejected);
    if (!message) return;
    if (message.kind !== 'key_gen.Commitments' && message.kind !== 'key_gen.Shares' && message.kind !== 'key_gen.VerifyBlame') {
      rejected.push(`${message.kind}: not a key-generation message`);
      return;
    }
    if (message.id.session !== id.session || message.id.attempt !== id.attempt) {
      rejected.push(`${message.kind}: not for session ${id.session} attempt ${id.attempt}`);
      return;
    }
    const intent = coordinatorMessageIntent(message);
    // Every VerifyBlame of an attempt shares one intent; the accusation makes each distinct.
    const dedupeKey = message.kind === 'key_gen.VerifyBlame' ? `${intent}/${message.accuser}/${message.accused}` : intent;
    if (seenIntents.has(dedupeKey)) return;
    seenIntents.add(dedupeKey);
    received.push(message.kind);
    if (message.kind === 'key_gen.Commitments') commitments = message.commitments;
    else if (message.kind === 'key_gen.Shares') shares = message.shares;
    else blameQueue.push(message);
  });
  setHandler(keygenEndSignal, ({ end: reason }) => {
    end ??= reason;
  });
  setHandler(keygenStatusQuery, () => ({ phase, received: [...received], rejected: [...rejected] }));

  const send = (message: ProcessorMessage) => link.sendToCoordinator(message);
  const waitFor = async (ready: () => boolean): Promise<boolean> => {
    const arrived = await condition(() => ready() || end !== undefined, settings.idleTimeout);
    if (!arrived) end = 'idle-timeout';
    return ready() && end === undefined;
  };
  const outcome = (keyPair?: KeygenOutcome['keyPair']): KeygenOutcome => ({
    phase,
    end: end ?? 'idle-timeout',
    keyPair,
    blamed: [...blamed],
    rejected: [...rejected],
  });

  // Round 1: commitments (the attempt's randomness is persisted by the activity before we send).
  const ownCommitments = await dkg.dkgCommitments(ref);
  await send({ kind: 'key_gen.Commitments', id, commitments: ownCommitments });

  phase = 'awaiting-commitments';
  if (!(await waitFor(() => commitments !== undefined))) return outcome();

  // Round 2: encrypted shares, or a refusal naming the participant whose commitments are invalid.
  phase = 'sharing';
  const round2 = await dkg.dkgShares(ref, commitments!);
  if (!round2.ok) {
    phase = 'refused-commitments';
    blame(round2.faulty, 'commitments');
    await send({ kind: 'key_gen.InvalidCommitments', id, faulty: round2.faulty });
    await lingerForBlame();
    return outcome();
  }
  await send({ kind: 'key_gen.Shares', id, shares: round2.shares });

  phase = 'awaiting-shares';
  if (!(await waitFor(() => shares !== undefined))) return outcome();

  // Round 3: our key shares (kept in the keystore) and the group keys, or an accusation with proof.
  phase = 'completing';
  const round3 = await dkg.dkgComplete(ref, commitments!, shares!);
  let keyPair: KeygenOutcome['keyPair'];
  if (round3.ok) {
    phase = 'generated';
    keyPair = { substrateKey: round3.substrateKey, networkKey: round3.networkKey };
    await send({ kind: 'key_gen.GeneratedKeyPair', id, substrate_key: round3.substrateKey, network_key: round3.networkKey });
  } else {
    phase = 'accused';
    blame(round3.faulty, 'shares');
    await send({ kind: 'key_gen.InvalidShare', id, accuser: round3.accuser, faulty: round3.faulty, blame: round3.blame });
  }
  await lingerForBlame();
  return outcome(keyPair);

  /** Judges accusations the coordinator relays until this attempt is confirmed, superseded or idle. */
  async function lingerForBlame(): Promise<void> {
    for (;;) {
      const woke = await condition(() => blameQueue.length > 0 || end !== undefined, settings.idleTimeout);
      if (!woke) {
        end ??= 'idle-timeout';
        return;
      }
      const verify = blameQueue.shift();
      if (!verify) return;
      const { faulty } = await dkg.dkgVerifyBlame(ref, commitments ?? {}, {
        accuser: verify.accuser,
        accused: verify.accused,
        share: verify.share,
        blame: verify.blame,
      });
      blame(faulty, 'verify');
      log.info('blame verified', { accuser: verify.accuser, accused: verify.accused, faulty });
      await send({ kind: 'key_gen.Blame', id, participant: faulty });
    }
  }
}
