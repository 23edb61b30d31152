/**
 * The one signing driver (workflows/signing-attempts.ts) with the one set of signing activities,
 * against every protocol (a Batch under sr25519, a Bitcoin transaction under FROST-BIP340), on a
 * real Temporal dev server. The processor holds participant 1 of a 2-of-3 key; the test plays the
 * coordinator and participant 2 with the same signing core over its own keystore. Each protocol
 * goes through: re-attempt after a silent signer, an invalid (malformed) preprocess named, a faulty
 * aggregate named, a late message for an ended attempt, the idle timeout, an interruption, and a
 * report that the first preprocess must follow.
 */
import type { Key } from '@noble/curves/abstract/frost.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Worker } from '@temporalio/worker';
import { Transaction } from 'bitcoinjs-lib';
import * as ecc from 'tiny-secp256k1';
import type { SignableMessage } from '../../../activities/signing-protocols';
import { createSigningCore, createThresholdSigningActivities, type SignRef } from '../../../activities/threshold-signing';
import { encodeFrostPublic, encodeFrostSecret } from '../../../crypto/key-package';
import { dealKeys } from '../../../crypto/sign/simulate';
import { prepareKey } from '../../../crypto/signing';
import { schemes } from '../../../crypto/suites';
import { batchMessage, type Batch } from '../../../messages';
import { outputKeySet } from '../../../networks/bitcoin/keys';
import { bitcoinTransactionSigning } from '../../../networks/bitcoin/signing-protocol';
import { inputSighashes } from '../../../networks/bitcoin/sign';
import { buildTransaction, outpointId, type SignableTransaction } from '../../../networks/bitcoin/transaction';
import type { Keystore } from '../../../store';
import type { RoundDelivery } from '../../../workflows/signing-attempts';
import { makePlan, randomTaprootScript } from '../../support/bitcoin-tx';
import { driverInterruptSignal, driverRoundSignal, driverStageQuery, signingDriverProbe, type DriverProbeResult, type SentMessage } from '../../fixtures/signing-driver-workflows';
import { freshKeystore, tempDir } from '../../unit/store/helpers';
import { startTemporalTestEnv, type TemporalTestEnv } from '../../support/temporal';

jest.setTimeout(120_000);

const network = 'bitcoin' as const;
const keyRef = { session: 0, attempt: 0 };
const taskQueue = 'signing-driver';

const batch: Batch = {
  network,
  id: 3,
  block: 'cc'.repeat(32),
  instructions: [{ instruction: { kind: 'Transfer', address: '01'.repeat(32) }, balance: { coin: 'bitcoin', amount: '100000' } }],
};

interface Protocol {
  name: 'batch' | 'transaction';
  keys: Map<number, Key>;
  signable: SignableMessage;
  /** Checks the signed result against the group key with an outside verifier. */
  verify(signed: unknown): void;
}

let t: TemporalTestEnv;
let worker: Worker;
let running: Promise<void>;
let ours: Keystore;
let peers: Keystore;
const dir = tempDir('signing-driver');
const sent = new Map<string, SentMessage[]>();
/** A report is held back until its workflow's gate opens (a slow coordinator). */
const gates = new Map<string, Promise<void>>();
const protocols: Protocol[] = [];

function store(keystore: Keystore, curve: 'ristretto255' | 'secp256k1', keys: Map<number, Key>, participants: number[]) {
  const ref = { network, ...keyRef, curve };
  keystore.putGroupKey(ref, encodeFrostPublic(keys.get(1)!.public));
  for (const p of participants) keystore.putKeyShare({ ...ref, participant: p }, encodeFrostSecret(keys.get(p)!.secret));
}

beforeAll(async () => {
  ours = freshKeystore(dir.dir).keystore;
  peers = freshKeystore(dir.dir).keystore;

  const srKeys = dealKeys(schemes.sr25519, 2, 3);
  store(ours, 'ristretto255', srKeys, [1]);
  store(peers, 'ristretto255', srKeys, [2]);
  const srGroup = schemes.sr25519.groupKeyEncoding(prepareKey(schemes.sr25519, srKeys.get(1)!).public);
  protocols.push({
    name: 'batch',
    keys: srKeys,
    signable: { protocol: 'batch', batch },
    verify: (signed) => {
      const { signature } = signed as { signature: string };
      expect(schemes.sr25519.verify(hexToBytes(signature), batchMessage(batch), srGroup)).toBe(true);
    },
  });

  const btcKeys = dealKeys(schemes.bip340, 2, 3);
  store(ours, 'secp256k1', btcKeys, [1]);
  store(peers, 'secp256k1', btcKeys, [2]);
  const scripts = outputKeySet(0, btcKeys.get(1)!.public).scripts;
  const plan = makePlan({
    network,
    key: bytesToHex(btcKeys.get(1)!.public.commitments[0]!),
    kind: 'payments',
    inputs: [
      { id: outpointId('ab'.repeat(32), 0), kind: 'external', amount: '1000000' },
      { id: outpointId('cd'.repeat(32), 1), kind: 'change', amount: '2000000' },
    ],
    outputs: [{ kind: 'payment', payment: '01', address: randomTaprootScript(), amount: '2990000' }],
    change: null,
    fee: '10000',
    operatingCost: '0',
  });
  const signable: SignableTransaction = buildTransaction(plan, scripts);
  protocols.push({
    name: 'transaction',
    keys: btcKeys,
    signable: { protocol: 'transaction', signable },
    verify: (signed) => {
      const { txid, hex } = signed as { txid: string; hex: string };
      expect(txid).toBe(signable.eventuality.id);
      const tx = Transaction.fromHex(hex);
      const sighashes = inputSighashes(signable);
      tx.ins.forEach((input, index) => {
        const outputKey = hexToBytes(signable.prevouts[index]!.script.slice(4));
        expect(ecc.verifySchnorr(sighashes[index]!, outputKey, input.witness[0]!)).toBe(true);
      });
    },
  });

  t = await startTemporalTestEnv();
  worker = await Worker.create({
    connection: t.env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../fixtures/signing-driver-workflows'),
    activities: {
      ...createThresholdSigningActivities(createSigningCore(ours, () => bitcoinTransactionSigning as never)),
      async sent(workflowId: string, message: SentMessage) {
        if (message.kind === 'report') await gates.get(workflowId);
        sent.set(workflowId, [...(sent.get(workflowId) ?? []), message]);
      },
    },
    dataConverter: t.dataConverter,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await t?.teardown();
  ours?.close();
  peers?.close();
  dir.cleanup();
});

/** One probe run: the workflow under test, and the test's side of the coordinator and participant 2. */
function probe(protocol: Protocol, scenario: string, idleTimeout: string | number = '1 minute', options: { persist?: boolean; signId?: string; reportFirst?: boolean } = {}) {
  const workflowId = `probe-${protocol.name}-${scenario}`;
  const signId = options.signId ?? `${workflowId}-sign`;
  const peer = createSigningCore(peers, () => bitcoinTransactionSigning as never);
  const message = protocol.signable.protocol === 'batch' ? protocol.signable.batch : protocol.signable.signable;
  /** Participant 2's ledger entry for this run's sign id, or for another one (`elsewhere`: other nonces). */
  const peerRef = (attempt: number, elsewhere?: string): SignRef => ({ network, signId: elsewhere ? `${signId}-${elsewhere}` : signId, attempt, key: keyRef, participants: [2] });
  let intents = 0;
  const started = t.env.client.workflow.start(signingDriverProbe, {
    workflowId,
    taskQueue,
    args: [{ workflowId, ref: { network, signId, key: keyRef, participants: [1] }, signable: protocol.signable, idleTimeout, persist: options.persist, reportFirst: options.reportFirst }],
  });
  const messages = () => sent.get(workflowId) ?? [];
  const ownMessage = async <K extends SentMessage['kind']>(kind: K, attempt: number): Promise<Extract<SentMessage, { kind: K }>> => {
    for (let waited = 0; waited < 30_000; waited += 25) {
      const found = messages().find((m): m is Extract<SentMessage, { kind: K }> => m.kind === kind && m.attempt === attempt);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`${workflowId} sent no ${kind} for attempt ${attempt}; it sent ${JSON.stringify(messages().map((m) => [m.kind, m.attempt]))}`);
  };
  const deliver = async (delivery: RoundDelivery) => (await started).signal(driverRoundSignal, delivery, `intent-${++intents}`);
  return {
    workflowId,
    started,
    signId,
    messages,
    ownMessage,
    deliver,
    interrupt: async () => (await started).signal(driverInterruptSignal),
    stage: async () => (await started).query(driverStageQuery),
    result: async (): Promise<DriverProbeResult> => (await started).result(),
    peerPreprocess: async (attempt: number, elsewhere?: string) => (await peer.preprocess(protocol.name, peerRef(attempt, elsewhere), message))[0]!,
    peerShare: async (attempt: number, own: string, elsewhere?: string) => (await peer.share(protocol.name, peerRef(attempt, elsewhere), message, { 1: own }))[0]!,
    /** Plays participant 2 through a whole attempt once the processor has preprocessed it. */
    async signAttempt(attempt: number) {
      const own = await ownMessage('preprocess', attempt);
      await deliver({ round: 'preprocesses', attempt, data: { 2: await this.peerPreprocess(attempt) } });
      await ownMessage('share', attempt);
      await deliver({ round: 'shares', attempt, data: { 2: await this.peerShare(attempt, own.data[0]!) } });
    },
  };
}

/** The activity types whose completion the workflow's history records, in order. */
async function completedActivities(workflowId: string): Promise<string[]> {
  const { events } = await t.env.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map((events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [[String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '']] : [])));
  return (events ?? []).flatMap((e) => (e.activityTaskCompletedEventAttributes ? [scheduled.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId)) ?? '?'] : []));
}

describe.each(['batch', 'transaction'] as const)('the signing driver with the %s protocol', (name) => {
  const protocol = () => protocols.find((p) => p.name === name)!;

  test('a silent signer: the re-attempt uses fresh nonces, and a late round for the ended attempt is ignored', async () => {
    const run = probe(protocol(), 'silent');
    const first = await run.ownMessage('preprocess', 0);
    // Participant 3 never answered: the coordinator re-attempts with participant 2.
    await run.deliver({ round: 'reattempt', attempt: 1 });
    const second = await run.ownMessage('preprocess', 1);
    expect(second.data[0]).not.toBe(first.data[0]);
    // Late: attempt 0's preprocesses and shares arrive after the re-attempt.
    await run.deliver({ round: 'preprocesses', attempt: 0, data: { 2: await run.peerPreprocess(0) } });
    await run.deliver({ round: 'shares', attempt: 0, data: { 2: (await run.peerPreprocess(0)).slice(0, 64) } });
    await run.signAttempt(1);
    const result = await run.result();
    expect(result).toMatchObject({ end: 'signed', attempt: 1, invalid: [] });
    protocol().verify(result.signed);
    expect(run.messages().map((m) => `${m.kind}@${m.attempt}`)).toEqual(['preprocess@0', 'preprocess@1', 'share@1']);
  });

  test('a malformed preprocess: its sender is named, and the next attempt signs', async () => {
    const run = probe(protocol(), 'malformed');
    await run.ownMessage('preprocess', 0);
    const good = await run.peerPreprocess(0);
    // The right length, but not points on the curve.
    await run.deliver({ round: 'preprocesses', attempt: 0, data: { 2: 'ff'.repeat(good.length / 2) } });
    expect(await run.ownMessage('invalid', 0)).toMatchObject({ participant: 2 });
    await run.deliver({ round: 'reattempt', attempt: 1 });
    await run.signAttempt(1);
    const result = await run.result();
    expect(result).toMatchObject({ end: 'signed', attempt: 1, invalid: [{ attempt: 0, participant: 2 }] });
    protocol().verify(result.signed);
    expect(run.messages().some((m) => m.kind === 'share' && m.attempt === 0)).toBe(false);
  });

  test('a faulty aggregate: the signer whose share does not verify is named, and the next attempt signs', async () => {
    const run = probe(protocol(), 'faulty');
    const own = await run.ownMessage('preprocess', 0);
    await run.deliver({ round: 'preprocesses', attempt: 0, data: { 2: await run.peerPreprocess(0) } });
    await run.ownMessage('share', 0);
    // Participant 2 answers with a well-formed share made with other nonces (another sign id).
    await run.peerPreprocess(0, 'elsewhere');
    await run.deliver({ round: 'shares', attempt: 0, data: { 2: await run.peerShare(0, own.data[0]!, 'elsewhere') } });
    expect(await run.ownMessage('invalid', 0)).toMatchObject({ participant: 2 });
    await run.deliver({ round: 'reattempt', attempt: 1 });
    await run.signAttempt(1);
    const result = await run.result();
    expect(result).toMatchObject({ end: 'signed', attempt: 1, invalid: [{ attempt: 0, participant: 2 }] });
    protocol().verify(result.signed);
  });

  test('a report the first preprocess must follow: the preprocess is made while the report is on its way, and sent after it', async () => {
    let release!: () => void;
    gates.set(`probe-${name}-report-first`, new Promise<void>((resolve) => (release = resolve)));
    const run = probe(protocol(), 'report-first', '1 minute', { reportFirst: true });
    try {
      await run.started;
      for (let waited = 0; !(await completedActivities(run.workflowId)).includes('thresholdPreprocess'); waited += 50) {
        if (waited > 30_000) throw new Error(`no preprocess while the report was held: ${JSON.stringify(await completedActivities(run.workflowId))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // The preprocess is ready, the report is not through: nothing may reach the coordinator yet.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(run.messages()).toEqual([]);
    } finally {
      // Never leave the report activity waiting: the worker could not shut down.
      release();
    }
    await run.signAttempt(0);
    const result = await run.result();
    expect(result).toMatchObject({ end: 'signed', attempt: 0 });
    protocol().verify(result.signed);
    expect(run.messages().map((m) => `${m.kind}@${m.attempt}`)).toEqual(['report@0', 'preprocess@0', 'share@0']);
  });

  test('no round within the idle timeout ends the signing as idle', async () => {
    const run = probe(protocol(), 'idle', '2 seconds');
    await run.ownMessage('preprocess', 0);
    expect(await run.result()).toMatchObject({ end: 'idle', attempt: 0 });
  });

  test('never abandoned: after each idle period its last message goes out again, and a late round still signs', async () => {
    const run = probe(protocol(), 'persist', '1 second', { persist: true });
    for (let waited = 0; run.messages().filter((m) => m.kind === 'preprocess').length < 3; waited += 100) {
      if (waited > 30_000) throw new Error(`sent ${JSON.stringify(run.messages())}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The same preprocess each time (the nonce ledger answers a repeat with the same commitments).
    const sent = run.messages().filter((m) => m.kind === 'preprocess');
    expect(new Set(sent.map((m) => `${m.attempt}/${(m as { data: string[] }).data[0]}`)).size).toBe(1);
    await run.signAttempt(0);
    const result = await run.result();
    expect(result).toMatchObject({ end: 'signed', attempt: 0 });
    protocol().verify(result.signed);
  });

  test('restarted on a sign id whose attempt-0 nonces already signed: it sits that attempt out and signs at the next', async () => {
    const first = probe(protocol(), 'before-restart');
    await first.signAttempt(0);
    expect(await first.result()).toMatchObject({ end: 'signed', attempt: 0 });
    // A new workflow on the same sign id (an operator's restart): attempt 0's nonces are bound.
    const restarted = probe(protocol(), 'after-restart', '1 minute', { persist: true, signId: first.signId });
    await restarted.ownMessage('preprocess', 0);
    await restarted.deliver({ round: 'preprocesses', attempt: 0, data: { 2: await restarted.peerPreprocess(0, 'other') } });
    for (let waited = 0; !(await restarted.stage()).includes('bound to another signing'); waited += 100) {
      if (waited > 30_000) throw new Error(`stage: ${await restarted.stage()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await restarted.deliver({ round: 'reattempt', attempt: 1 });
    await restarted.signAttempt(1);
    const result = await restarted.result();
    expect(result).toMatchObject({ end: 'signed', attempt: 1 });
    protocol().verify(result.signed);
    expect(restarted.messages().some((m) => m.kind === 'share' && m.attempt === 0)).toBe(false);
  });

  test('an interruption (included on Serai, completed elsewhere) ends every wait, even after a fault', async () => {
    const run = probe(protocol(), 'interrupted');
    await run.ownMessage('preprocess', 0);
    const good = await run.peerPreprocess(0);
    await run.deliver({ round: 'preprocesses', attempt: 0, data: { 2: 'ff'.repeat(good.length / 2) } });
    await run.ownMessage('invalid', 0);
    await run.interrupt();
    expect(await run.result()).toMatchObject({ end: 'interrupted', attempt: 0, invalid: [{ attempt: 0, participant: 2 }] });
  });
});
