import { ApplicationFailure, condition, setHandler, log } from '@temporalio/workflow';
import { processorMessageIntent, type ParticipantMap, type ProcessorMessage, type ProcessorMessageOf } from '../../messages';
import { relay } from './activity-options';
import { intakeProcessorMessage } from './intake';
import {
  coordinatorStatusQuery,
  processorMessageSignal,
  type AttemptRecord,
  type CoordinateKeygenInput,
  type CoordinateKeygenResult,
} from './defs';


interface Member {
  name: string;
  first: number;
  weight: number;
}

type KeygenReply = ProcessorMessageOf<
  'key_gen.Commitments' | 'key_gen.InvalidCommitments' | 'key_gen.Shares' | 'key_gen.InvalidShare' | 'key_gen.GeneratedKeyPair' | 'key_gen.Blame'
>;

const ZERO_BLOCK = '00'.repeat(32);

/**
 * The devnet's stand-in for Serai's Tributary in key generation: relays each round among the
 * set, judges accusations, and on a timeout or a fault starts attempt + 1 without the validators
 * at fault (t stays fixed). When every member reports the same pair it confirms it to all.
 */
export async function coordinateKeygen(input: CoordinateKeygenInput): Promise<CoordinateKeygenResult> {
  const { network, session, t, settings } = input;
  let active = [...input.validators];
  let attempt = 0;
  let stage = 'starting';
  const attempts: AttemptRecord[] = [];
  const rejected: string[] = [];
  // attempt -> validator -> replies of that attempt (Blame may come several times)
  const inbox = new Map<number, Map<string, KeygenReply[]>>();
  const seen = new Set<string>();

  setHandler(coordinatorStatusQuery, () => ({
    attempt,
    stage,
    replies: Object.fromEntries([...(inbox.get(attempt) ?? new Map<string, KeygenReply[]>())].map(([name, replies]) => [name, replies.map((r) => r.kind)])),
    attempts: JSON.parse(JSON.stringify(attempts)) as AttemptRecord[],
    rejected: [...rejected],
  }));
  setHandler(processorMessageSignal, ({ from, intent, message: raw }) => {
    const message = intakeProcessorMessage(from, raw, network, rejected);
    if (!message) return;
    if (!isKeygenReply(message) || message.id.session !== session) {
      rejected.push(`${from}: ${message.kind} is not for key generation of session ${session}`);
      return;
    }
    if (intent !== processorMessageIntent(message)) {
      rejected.push(`${from}: ${message.kind} carries a wrong intent`);
      return;
    }
    const key = `${from}/${intent}/${message.kind === 'key_gen.Blame' ? message.participant : ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    const byValidator = inbox.get(message.id.attempt) ?? new Map<string, KeygenReply[]>();
    inbox.set(message.id.attempt, byValidator);
    byValidator.set(from, [...(byValidator.get(from) ?? []), message]);
  });

  for (; attempt < settings.maxAttempts; attempt++) {
    const members = assignParticipants(active);
    const n = members.reduce((sum, m) => sum + m.weight, 0);
    if (n < t) {
      throw ApplicationFailure.nonRetryable(`only ${n} key shares remain for threshold ${t}`, 'NotEnoughValidators', { attempts });
    }
    const record: AttemptRecord = { attempt, t, members, result: 'timeout', excluded: [] };
    attempts.push(record);
    const id = { session, attempt };
    const ownerOf = (participant: number) => members.find((m) => participant >= m.first && participant < m.first + m.weight);
    const replyOf = <K extends KeygenReply['kind']>(m: Member, ...kinds: K[]) =>
      inbox.get(attempt)?.get(m.name)?.find((r): r is Extract<KeygenReply, { kind: K }> => (kinds as string[]).includes(r.kind));
    const collect = async (stageName: string, ...kinds: KeygenReply['kind'][]): Promise<Member[]> => {
      stage = `attempt ${attempt}: ${stageName}`;
      await condition(() => members.every((m) => replyOf(m, ...kinds) !== undefined), settings.roundTimeout);
      return members.filter((m) => replyOf(m, ...kinds) === undefined);
    };
    const excludeSilent = (silent: Member[]) => {
      record.result = 'timeout';
      record.excluded = silent.map((m) => ({ name: m.name, reason: `no answer in ${stage}` }));
      active = active.filter((v) => !silent.some((m) => m.name === v.name));
    };
    const exclude = (name: string, reason: string) => {
      record.excluded.push({ name, reason });
      active = active.filter((v) => v.name !== name);
    };

    stage = `attempt ${attempt}: GenerateKey`;
    await Promise.all(
      members.map((m) => relay.deliverToProcessor(m.name, { kind: 'key_gen.GenerateKey', id, params: { t, n, i: m.first }, shares: m.weight }, network)),
    );

    // Round 1: everyone's commitments to everyone else.
    const noCommitments = await collect('commitments', 'key_gen.Commitments');
    if (noCommitments.length > 0) {
      excludeSilent(noCommitments);
      continue;
    }
    const commitments: ParticipantMap<string> = {};
    for (const m of members) {
      const reply = replyOf(m, 'key_gen.Commitments')!;
      if (reply.commitments.length !== m.weight) {
        exclude(m.name, `sent ${reply.commitments.length} commitments for ${m.weight} shares`);
        break;
      }
      reply.commitments.forEach((blob, k) => (commitments[m.first + k] = blob));
    }
    if (record.excluded.length > 0) {
      record.result = 'invalid-commitments';
      continue;
    }
    await Promise.all(
      members.map((m) =>
        relay.deliverToProcessor(m.name, { kind: 'key_gen.Commitments', id, commitments: without(commitments, m) }, network),
      ),
    );

    // Round 2: encrypted shares, or an objection to someone's commitments.
    const noShares = await collect('shares', 'key_gen.Shares', 'key_gen.InvalidCommitments');
    if (noShares.length > 0) {
      excludeSilent(noShares);
      continue;
    }
    const objections = members.map((m) => ({ m, reply: replyOf(m, 'key_gen.InvalidCommitments') })).filter((o) => o.reply);
    if (objections.length > 0) {
      record.result = 'invalid-commitments';
      for (const { m, reply } of objections) {
        const faulty = reply!.faulty;
        const owner = ownerOf(faulty);
        const invalid = owner ? await relay.judgeCommitments({ network, session, attempt, t, n, participant: faulty, commitments: commitments[faulty]! }) : true;
        // A true objection removes the participant's validator; a false one removes the objector.
        if (invalid && owner) exclude(owner.name, `invalid commitments from participant ${faulty}`);
        else exclude(m.name, `false objection to participant ${faulty}'s commitments`);
      }
      continue;
    }
    const sharesBySender: ParticipantMap<string>[] = [];
    for (const m of members) {
      const reply = replyOf(m, 'key_gen.Shares')!;
      // A malformed vector would make honest recipients refuse the whole Shares message.
      const expected = members.flatMap((x) => (x.name === m.name ? [] : Array.from({ length: x.weight }, (_, k) => String(x.first + k))));
      const wellFormed =
        reply.shares.length === m.weight &&
        reply.shares.every((map) => Object.keys(map).length === expected.length && expected.every((p) => map[p] !== undefined));
      if (!wellFormed) {
        exclude(m.name, 'sent a shares vector that does not address every other participant once');
        continue;
      }
      reply.shares.forEach((map, k) => (sharesBySender[m.first + k] = map));
    }
    if (record.excluded.length > 0) {
      record.result = 'invalid-share';
      continue;
    }
    await Promise.all(
      members.map((m) => {
        const forMe = Array.from({ length: m.weight }, (_, k) => {
          const recipient = String(m.first + k);
          const map: ParticipantMap<string> = {};
          for (const [sender, sharesOfSender] of sharesBySender.entries()) {
            if (!sharesOfSender || (sender >= m.first && sender < m.first + m.weight)) continue;
            const share = sharesOfSender[recipient];
            if (share !== undefined) map[sender] = share;
          }
          return map;
        });
        return relay.deliverToProcessor(m.name, { kind: 'key_gen.Shares', id, shares: forMe }, network);
      }),
    );

    // Round 3: a key pair, or an accusation with its proof.
    const noResult = await collect('key pairs', 'key_gen.GeneratedKeyPair', 'key_gen.InvalidShare');
    if (noResult.length > 0) {
      excludeSilent(noResult);
      continue;
    }
    const accusations = members.map((m) => ({ m, reply: replyOf(m, 'key_gen.InvalidShare') })).filter((a) => a.reply);
    if (accusations.length > 0) {
      record.result = 'invalid-share';
      record.verdicts = {};
      for (const { m, reply } of accusations) {
        const { accuser, faulty, blame } = reply!;
        const share = sharesBySender[faulty]?.[String(accuser)];
        const accuserOwner = ownerOf(accuser);
        if (share === undefined || accuserOwner?.name !== m.name) {
          exclude(m.name, `accusation about a share participant ${faulty} never sent to ${accuser}`);
          continue;
        }
        const verdict = await relay.judgeBlame({ network, session, attempt, t, n, commitments, accuser, accused: faulty, share, blame });
        stage = `attempt ${attempt}: relaying VerifyBlame`;
        await Promise.all(
          members.map((x) => relay.deliverToProcessor(x.name, { kind: 'key_gen.VerifyBlame', id, accuser, accused: faulty, share, blame }, network)),
        );
        await condition(
          () => members.every((x) => replyOf(x, 'key_gen.Blame') !== undefined),
          settings.blameTimeout,
        );
        for (const x of members) {
          const verdicts = (inbox.get(attempt)?.get(x.name) ?? []).filter((r) => r.kind === 'key_gen.Blame').map((r) => (r as ProcessorMessageOf<'key_gen.Blame'>).participant);
          if (verdicts.length > 0) record.verdicts[x.name] = verdicts;
        }
        const culprit = ownerOf(verdict.faulty);
        if (culprit) exclude(culprit.name, verdict.faulty === faulty ? `sent participant ${accuser} an invalid share` : `falsely accused participant ${faulty}`);
      }
      continue;
    }
    const pairs = members.map((m) => replyOf(m, 'key_gen.GeneratedKeyPair')!);
    const first = pairs[0]!;
    const disagreeing = members.filter((_, k) => pairs[k]!.substrate_key !== first.substrate_key || pairs[k]!.network_key !== first.network_key);
    if (disagreeing.length > 0) {
      record.result = 'mismatch';
      log.warn('members disagree on the key pair', { attempt, disagreeing: disagreeing.map((m) => m.name) });
      for (const m of disagreeing) exclude(m.name, 'reported a different key pair');
      continue;
    }

    record.result = 'generated';
    stage = `attempt ${attempt}: confirming`;
    const keyPair = { substrate_key: first.substrate_key, network_key: first.network_key };
    await Promise.all(
      members.map((m) =>
        relay.deliverToProcessor(m.name, {
          kind: 'substrate.ConfirmKeyPair',
          context: { serai_time: String(Math.floor(Date.now() / 1000)), network_latest_finalized_block: ZERO_BLOCK },
          session,
          key_pair: keyPair,
        }, network),
      ),
    );
    stage = 'done';
    return {
      attempt,
      keyPair: { substrateKey: first.substrate_key, networkKey: first.network_key },
      members: members.map((m) => m.name),
      attempts,
    };
  }
  throw ApplicationFailure.nonRetryable(`no key after ${settings.maxAttempts} attempts`, 'KeygenAttemptsExhausted', { attempts });
}

function assignParticipants(validators: { name: string; weight: number }[]): Member[] {
  let next = 1;
  return validators.map((v) => {
    const member = { name: v.name, first: next, weight: v.weight };
    next += v.weight;
    return member;
  });
}

function without(map: ParticipantMap<string>, m: Member): ParticipantMap<string> {
  const out: ParticipantMap<string> = {};
  for (const [participant, value] of Object.entries(map)) {
    const p = Number(participant);
    if (p < m.first || p >= m.first + m.weight) out[participant] = value;
  }
  return out;
}

function isKeygenReply(message: ProcessorMessage): message is KeygenReply {
  return (
    message.kind === 'key_gen.Commitments' ||
    message.kind === 'key_gen.InvalidCommitments' ||
    message.kind === 'key_gen.Shares' ||
    message.kind === 'key_gen.InvalidShare' ||
    message.kind === 'key_gen.GeneratedKeyPair' ||
    message.kind === 'key_gen.Blame'
  );
}
