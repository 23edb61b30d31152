import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import { cryptoWaitReady, sr25519Verify } from '@polkadot/util-crypto';
import { coordinatorBatchWorkflowId, type CoordinateBatchResult } from '../../../devnet/coordinator/defs';
import { batchMessage, type Batch } from '../../../messages';
import { batchSignId, batchStatusQuery, batchWorkflowId } from '../../../workflows/batch-defs';
import { openValidatorKeystore, startKeygenHarness, type KeygenHarness } from '../../support/keygen-net';

jest.setTimeout(300_000);

const NAMES = ['alice', 'bob', 'carol', 'dave'];

function batchOf(id: number): Batch {
  return {
    network: 'bitcoin',
    id,
    block: bytesToHex(randomBytes(32)),
    instructions: [
      { instruction: { kind: 'Transfer', address: bytesToHex(randomBytes(32)) }, balance: { coin: 'bitcoin', amount: '50000000' } },
      { instruction: { kind: 'Transfer', address: bytesToHex(randomBytes(32)) }, balance: { coin: 'bitcoin', amount: '1234567' } },
    ],
  };
}

async function coordinatorResult(h: KeygenHarness, batchId: number): Promise<CoordinateBatchResult> {
  const handle = h.net.coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId('bitcoin', batchId));
  for (let i = 0; i < 600; i++) {
    try {
      await handle.describe();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return handle.result() as Promise<CoordinateBatchResult>;
}

async function assertVerifies(result: CoordinateBatchResult, batch: Batch, substrateKey: string): Promise<void> {
  await cryptoWaitReady();
  expect(result.signedBatch.batch).toEqual(batch);
  const msg = batchMessage(batch);
  const sig = hexToBytes(result.signedBatch.signature);
  expect(sr25519.verify(msg, sig, hexToBytes(substrateKey))).toBe(true);
  expect(sr25519Verify(msg, sig, hexToBytes(substrateKey))).toBe(true);
}

describe('Batch signing with the Serai key (sr25519), 4 validators at 4-of-5 shares', () => {
  let h: KeygenHarness;
  let substrateKey: string;
  beforeAll(async () => {
    h = await startKeygenHarness(NAMES.map((name, i) => ({ name, weight: i === 0 ? 2 : 1 })));
    const keygen = await h.net.generateKey({ network: 'bitcoin', session: 0, t: 4, settings: { roundTimeout: '60 seconds', blameTimeout: '30 seconds', maxAttempts: 2 } });
    substrateKey = keygen.keyPair.substrateKey;
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('every processor reports the Batch, the set signs it, and outside sr25519 verifiers accept the signature', async () => {
    const batch = batchOf(0);
    const started = Date.now();
    await Promise.all(NAMES.map((name) => h.net.set.processor(name).startBatch(batch)));
    const result = await coordinatorResult(h, 0);
    console.log(`Batch 0 signed in ${Date.now() - started} ms by ${result.signers.join(', ')}`);
    await assertVerifies(result, batch, substrateKey);
    expect(result.attempt).toBe(0);
    for (const name of result.signers) {
      const outcome = await h.net.set.processor(name).batchOutcome(0);
      expect(outcome).toMatchObject({ end: 'signed', attempt: 0, signature: result.signedBatch.signature, rejected: [] });
    }
    // Delivering the Batch again changes nothing.
    expect((await h.net.set.processor('alice').startBatch(batch)).action).toBe('already-started');
  });

  test('a worker killed with SIGKILL during Batch signing is restarted and the Batch is signed with its stored nonces', async () => {
    const batch = batchOf(1);
    // bob must be among attempt 0's signers, which the relay picks in set order from the preprocesses
    // it holds once they cover the threshold: alice (2) and bob start first, and the relay has theirs
    // before carol or dave can complete the threshold. bob is killed while his Batch workflow awaits
    // the others' preprocesses, his own sent (no activity of his in flight, whose retry would wait for
    // its timeout), and restarted before the others start.
    const first = ['alice', 'bob'];
    await Promise.all(first.map((name) => h.net.set.processor(name).startBatch(batch)));
    const sentPreprocess = (name: string) =>
      h.net.set
        .processor(name)
        .client.workflow.getHandle(batchWorkflowId('bitcoin', 1))
        .query(batchStatusQuery)
        .then((status) => /attempt 0: awaiting preprocesses/.test(status.stage), () => false);
    for (let i = 0; i < 1200 && !(await Promise.all(first.map(sentPreprocess))).every(Boolean); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await Promise.all(first.map(sentPreprocess))).toEqual([true, true]);
    h.net.set.kill('bob');
    await new Promise((r) => setTimeout(r, 500));
    await h.net.set.restart('bob');
    await Promise.all(['carol', 'dave'].map((name) => h.net.set.processor(name).startBatch(batch)));
    const result = await coordinatorResult(h, 1);
    await assertVerifies(result, batch, substrateKey);
    expect(result.signers).toContain('bob');
    expect(result.attempt).toBe(0);
    // bob's nonces for this attempt were generated once and bound to exactly one message.
    const keystore = openValidatorKeystore(h.dataDir, 'bob');
    try {
      const again = keystore.nonces.preprocess(batchSignId('bitcoin', 1), 0, 3, () => {
        throw new Error('nonces were not stored');
      });
      expect(again).toHaveLength(64);
    } finally {
      keystore.close();
    }
  });
});

