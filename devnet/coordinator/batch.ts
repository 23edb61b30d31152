import { ApplicationFailure, condition, getExternalWorkflowHandle, log, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import { parseProcessorMessage, processorMessageIntent, type ParticipantMap, type ProcessorMessageOf, type SignedBatch } from '../../messages';
import type { CoordinatorActivities } from './activities';
import { batchIdOf, coordinatorBatchStatusQuery, processorMessageSignal, type CoordinateBatchInput, type CoordinateBatchResult } from './defs';
import { SERAI_CHAIN_WORKFLOW_ID, seraiPublishBatchSignal } from './serai-defs';

const relay = proxyActivities<CoordinatorActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', nonRetryableErrorTypes: ['MessageValidationError', 'NoConfirmedSet'] },
});

type BatchReply = ProcessorMessageOf<'substrate.Batch' | 'coordinator.BatchPreprocess' | 'coordinator.SubstrateShare' | 'coordinator.InvalidParticipant' | 'substrate.SignedBatch'>;

interface Member {
  name: string;
  first: number;
  weight: number;
}

/**
 * The devnet coordinator's side of signing one Batch with the set's Serai key: picks the first
 * members whose preprocesses cover the threshold, relays preprocesses and shares among them, and
 * re-attempts without members that fell silent or were named for invalid data. The SignedBatch is
 * checked with an independent sr25519 verifier before it is accepted.
 */
export async function coordinateBatch(input: CoordinateBatchInput): Promise<CoordinateBatchResult> {
  const { network, batchId, settings } = input;
  const replies = new Map<number, Map<string, BatchReply[]>>(); // attempt -> member -> replies
  const reported = new Map<string, string>(); // member -> JSON of the Batch it reported
  const seen = new Set<string>();
  const rejected: string[] = [];
  let attempt = 0;
  let stage = 'loading the validator set';

  setHandler(coordinatorBatchStatusQuery, () => ({ attempt, stage, rejected: [...rejected] }));
  setHandler(processorMessageSignal, ({ from, intent, message: raw }) => {
    const parsed = parseProcessorMessage(raw, { network });
    if (!parsed.ok) {
      rejected.push(`${from}: ${parsed.error.message}`);
      return;
    }
    const message = parsed.message;
    if (batchIdOf(message) !== batchId) {
      rejected.push(`${from}: ${message.kind} is not about Batch ${batchId}`);
      return;
    }
    if (intent !== processorMessageIntent(message)) {
      rejected.push(`${from}: ${message.kind} carries a wrong intent`);
      return;
    }
    const key = `${from}/${message.kind}/${intent}/${message.kind === 'coordinator.InvalidParticipant' ? message.participant : ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    const reply = message as BatchReply;
    if (reply.kind === 'substrate.Batch') {
      reported.set(from, JSON.stringify(reply.batch));
      return;
    }
    const replyAttempt = reply.kind === 'substrate.SignedBatch' ? attempt : reply.id.attempt;
    const byMember = replies.get(replyAttempt) ?? new Map<string, BatchReply[]>();
    replies.set(replyAttempt, byMember);
    byMember.set(from, [...(byMember.get(from) ?? []), reply]);
  });

  const set = await relay.confirmedSet(network);
  const members: Member[] = set.members;
  const excluded = new Map<string, string>();
  const ownerOf = (participant: number) => members.find((m) => participant >= m.first && participant < m.first + m.weight);
  const reply = <K extends BatchReply['kind']>(a: number, name: string, kind: K) =>
    replies.get(a)?.get(name)?.find((r): r is Extract<BatchReply, { kind: K }> => r.kind === kind);
  const blamedIn = (a: number) =>
    [...(replies.get(a) ?? new Map<string, BatchReply[]>())].flatMap(([, rs]) => rs.filter((r) => r.kind === 'coordinator.InvalidParticipant').map((r) => (r as ProcessorMessageOf<'coordinator.InvalidParticipant'>).participant));

  for (; attempt < settings.maxAttempts; attempt++) {
    const id = { session: set.session, id: { kind: 'Batch' as const, id: batchId }, attempt };
    if (attempt > 0) {
      stage = `attempt ${attempt}: re-attempting`;
      await Promise.all(members.filter((m) => !excluded.has(m.name)).map((m) => relay.deliverToProcessor(m.name, { kind: 'coordinator.BatchReattempt', id })));
    }
    // The signing set: the first members (in set order among those who answered) covering t.
    stage = `attempt ${attempt}: collecting preprocesses`;
    const chosen = (): Member[] => {
      // Members must have reported the same Batch; the first report is the reference.
      const reference = members.map((m) => reported.get(m.name)).find((b) => b !== undefined);
      const picked: Member[] = [];
      let weight = 0;
      for (const m of members) {
        if (weight >= set.t) break;
        if (excluded.has(m.name) || reported.get(m.name) !== reference || !reply(attempt, m.name, 'coordinator.BatchPreprocess')) continue;
        picked.push(m);
        weight += m.weight;
      }
      return weight >= set.t ? picked : [];
    };
    await condition(() => chosen().length > 0, settings.roundTimeout);
    const signers = chosen();
    if (signers.length === 0) continue;

    const preprocesses: ParticipantMap<string> = {};
    for (const m of signers) reply(attempt, m.name, 'coordinator.BatchPreprocess')!.preprocesses.forEach((p, k) => (preprocesses[m.first + k] = p));
    stage = `attempt ${attempt}: relaying preprocesses`;
    await Promise.all(signers.map((m) => relay.deliverToProcessor(m.name, { kind: 'coordinator.SubstratePreprocesses', id, preprocesses: others(preprocesses, m) })));

    stage = `attempt ${attempt}: collecting shares`;
    const answered = (m: Member, kind: 'coordinator.SubstrateShare' | 'substrate.SignedBatch') => reply(attempt, m.name, kind) !== undefined || reply(attempt, m.name, 'coordinator.InvalidParticipant') !== undefined;
    await condition(() => signers.every((m) => answered(m, 'coordinator.SubstrateShare')), settings.roundTimeout);
    if (excludeFaulty(signers, (m) => answered(m, 'coordinator.SubstrateShare'))) continue;

    const shares: ParticipantMap<string> = {};
    for (const m of signers) reply(attempt, m.name, 'coordinator.SubstrateShare')!.shares.forEach((s, k) => (shares[m.first + k] = s));
    stage = `attempt ${attempt}: relaying shares`;
    await Promise.all(signers.map((m) => relay.deliverToProcessor(m.name, { kind: 'coordinator.SubstrateShares', id, shares: others(shares, m) })));

    stage = `attempt ${attempt}: awaiting the signed Batch`;
    const signedBy = () => signers.find((m) => reply(attempt, m.name, 'substrate.SignedBatch') !== undefined);
    await condition(() => signedBy() !== undefined || blamedIn(attempt).length > 0, settings.roundTimeout);
    const signer = signedBy();
    if (!signer) {
      excludeFaulty(signers, () => false);
      continue;
    }
    const signed: SignedBatch = reply(attempt, signer.name, 'substrate.SignedBatch')!.batch;
    if (!(await relay.verifySignedBatch(signed, set.substrateKey))) {
      excluded.set(signer.name, 'reported a SignedBatch whose signature does not verify');
      continue;
    }
    stage = 'signed';
    if (patched('publish-to-serai')) await publishToSerai(signed);
    return { signedBatch: signed, attempt, signers: signers.map((m) => m.name), excluded: Object.fromEntries(excluded) };
  }
  throw ApplicationFailure.nonRetryable(`Batch ${batchId} not signed after ${settings.maxAttempts} attempts`, 'BatchAttemptsExhausted', { excluded: Object.fromEntries(excluded) });

  /** Excludes members named for invalid data, or silent ones; true if anyone was excluded. */
  function excludeFaulty(signers: Member[], didAnswer: (m: Member) => boolean): boolean {
    const before = excluded.size;
    for (const participant of blamedIn(attempt)) {
      const owner = ownerOf(participant);
      if (owner) excluded.set(owner.name, `named for invalid data in attempt ${attempt} (participant ${participant})`);
    }
    if (excluded.size === before) {
      for (const m of signers) if (!didAnswer(m)) excluded.set(m.name, `silent in attempt ${attempt}`);
    }
    return excluded.size > before;
  }
}

/** Hands the SignedBatch to the Serai chain; without a running chain (the coordinator alone) it is logged and dropped. */
async function publishToSerai(signed: SignedBatch): Promise<void> {
  try {
    await getExternalWorkflowHandle(SERAI_CHAIN_WORKFLOW_ID).signal(seraiPublishBatchSignal, signed);
  } catch (error) {
    log.warn('SignedBatch not published to the Serai chain (is its workflow running?)', {
      network: signed.batch.network,
      batchId: signed.batch.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

function others(map: ParticipantMap<string>, m: Member): ParticipantMap<string> {
  return Object.fromEntries(Object.entries(map).filter(([p]) => Number(p) < m.first || Number(p) >= m.first + m.weight));
}
