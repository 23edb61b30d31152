/**
 * The chain seam carries a second chain: a toy in-memory ledger (test/integration/seam/ledger/) runs through the
 * processor's real key generation, scanner, Batch and plan workflows on a real Temporal dev server,
 * with the devnet coordinator relaying, to a signed Batch of its deposit and a completed payout. The
 * workflow bundle is the processor's own `workflows/` plus the ledger's rules (ledger/workflows.ts);
 * the activities are the processor's own, given the ledger's adapter.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../../activities';
import { ProcessorClient } from '../../../client';
import { processorTaskQueue } from '../../../config/worker-config';
import { COORDINATOR_NAMESPACE, COORDINATOR_TASK_QUEUE, coordinatorBatchWorkflowId, coordinatorKeygenWorkflowId, type CoordinateBatchResult } from '../../../devnet/coordinator/defs';
import { coordinateKeygen } from '../../../devnet/coordinator/keygen';
import { seraiChain } from '../../../devnet/coordinator/serai-chain';
import { SERAI_CHAIN_WORKFLOW_ID } from '../../../devnet/coordinator/serai-defs';
import { coordinatorWorkflowsPath, createCoordinatorWorker } from '../../../devnet/coordinator/worker';
import { ensureNamespace, validatorNamespace } from '../../../devnet/namespaces';
import { startTemporalServer, type RunningTemporalServer } from '../../../devnet/temporal-server';
import { batchMessage } from '../../../messages/batch';
import { encodeShorthand } from '../../../messages/shorthand';
import { Keystore } from '../../../store';
import { writeWorkflowBundle } from '../../../temporal/bundle';
import { TemporalCoordinatorLink } from '../../../temporal/coordinator-link';
import { createDataConverter } from '../../../temporal/data-converter';
import type { BatchSigningOutcome } from '../../../workflows/batch-defs';
import type { PlanOutcome } from '../../../workflows/plan-defs';
import type { SeraiBlockOutcome } from '../../../workflows/scanner-defs';
import { TEST_PROCESSOR_SETTINGS } from '../../support/keygen-net';
import { installRuntimeOnce, testKeyring } from '../../support/temporal';
import { ledgerChain } from './ledger/adapter';
import { Ledger, ledgerAddress, spendMessage, type LedgerTx } from './ledger/ledger';
import { ledgerRules } from './ledger/rules';

jest.setTimeout(600_000);

const NAMES = ['alice', 'bob', 'carol'];
/** The processor's workflows with the ledger's rules registered (a workflow bundle entry). */
const ledgerWorkflowsPath = require.resolve('./ledger/workflows');
const NETWORK = 'monero' as const;
const ROUNDS = { roundTimeout: '60 seconds', blameTimeout: '30 seconds', maxAttempts: 2 };

let dataDir: string;
let temporal: RunningTemporalServer;
let connection: Connection;
let coordinatorClient: Client;
const ledger = new Ledger();
const closers: Array<() => Promise<void>> = [];
let miner: NodeJS.Timeout | undefined;
const processors = new Map<string, ProcessorClient>();

async function until<T>(what: string, check: () => Promise<T | undefined>, limitMs = 180_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** The result of a processor's workflow once it completed, else undefined. */
async function completed<T>(name: string, workflowId: string): Promise<T | undefined> {
  const handle = processors.get(name)!.client.workflow.getHandle(workflowId);
  const status = await handle.describe().then((d) => d.status.name, () => undefined);
  return status === 'COMPLETED' ? ((await handle.result()) as T) : undefined;
}

const signedBy = async (workflowId: string, needed: number) =>
  until(`${workflowId} signed by ${needed}`, async () => {
    const outcomes = await Promise.all(NAMES.map((name) => completed<BatchSigningOutcome>(name, workflowId)));
    return outcomes.filter((o) => o?.end === 'signed').length >= needed ? outcomes : undefined;
  });

beforeAll(async () => {
  installRuntimeOnce();
  dataDir = mkdtempSync(join(tmpdir(), 'ledger-seam-'));
  temporal = await startTemporalServer({ dataDir: join(dataDir, 'temporal') });
  closers.push(() => temporal.stop());
  connection = await Connection.connect({ address: temporal.address });
  closers.push(() => connection.close());
  const keyring = testKeyring();
  const dataConverter = createDataConverter(keyring);
  await ensureNamespace(connection, COORDINATOR_NAMESPACE);
  for (const name of NAMES) await ensureNamespace(connection, validatorNamespace(name));

  const [processorBundle, coordinatorBundle] = await Promise.all([
    writeWorkflowBundle(ledgerWorkflowsPath, join(dataDir, 'processor.js')),
    writeWorkflowBundle(coordinatorWorkflowsPath, join(dataDir, 'coordinator.js')),
  ]);
  const coordinator = await createCoordinatorWorker({
    temporalAddress: temporal.address,
    namespace: COORDINATOR_NAMESPACE,
    network: NETWORK,
    keyring,
    connection,
    workflowBundlePath: coordinatorBundle,
    processorSettings: TEST_PROCESSOR_SETTINGS,
  });
  const coordinatorRun = coordinator.worker.run();
  closers.push(async () => {
    coordinator.worker.shutdown();
    await coordinatorRun;
    await coordinator.close();
  });
  coordinatorClient = new Client({ connection, namespace: COORDINATOR_NAMESPACE, dataConverter });
  // The coordinator publishes every SignedBatch to a Serai chain until one takes it; this test plays
  // Serai itself, so the chain only takes them (no keys are set on it: it includes nothing).
  await coordinatorClient.workflow.start(seraiChain, { taskQueue: COORDINATOR_TASK_QUEUE, workflowId: SERAI_CHAIN_WORKFLOW_ID, args: [{ settings: { blockTime: '1 hour' } }] });

  // Every validator's processor in this process, sharing the one in-memory ledger.
  const chain = ledgerChain(ledger);
  for (const name of NAMES) {
    const namespace = validatorNamespace(name);
    const keystore = Keystore.open({ path: join(dataDir, `${name}.sqlite`), key: randomBytes(32) });
    const native = await NativeConnection.connect({ address: temporal.address });
    const link = await TemporalCoordinatorLink.connect({ address: temporal.address, namespace: COORDINATOR_NAMESPACE, dataConverter });
    const worker = await Worker.create({
      connection: native,
      namespace,
      taskQueue: processorTaskQueue(name, NETWORK),
      workflowBundle: { codePath: processorBundle },
      activities: createActivities({ validator: name, network: NETWORK, keystore, chain, link: link.link }),
      dataConverter,
    });
    const run = worker.run();
    closers.push(async () => {
      worker.shutdown();
      await run;
      await link.close();
      await native.close();
      keystore.close();
    });
    processors.set(name, new ProcessorClient(new Client({ connection, namespace, dataConverter }), { validator: name, network: NETWORK, namespace }, TEST_PROCESSOR_SETTINGS));
  }
  miner = setInterval(() => ledger.mine(), 400);
});

afterAll(async () => {
  clearInterval(miner);
  for (const close of closers.reverse()) await close().catch((err: unknown) => console.error('cleanup failed:', err));
  if (dataDir && !process.env.KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
});

test('a toy ledger chain runs through the real workflows: key generation, a signed Batch of its deposit, a completed payout', async () => {
  const keygen = await coordinatorClient.workflow.execute(coordinateKeygen, {
    taskQueue: COORDINATOR_TASK_QUEUE,
    workflowId: coordinatorKeygenWorkflowId(NETWORK, 0),
    args: [{ network: NETWORK, session: 0, t: 2, validators: NAMES.map((name) => ({ name, weight: 1 })), settings: ROUNDS }],
  });
  const networkKey = keygen.keyPair.networkKey;
  expect(hexToBytes(networkKey)).toHaveLength(32);
  const external = ledgerAddress(networkKey, 'external');

  // The key's activation block is notable: Batch 0 (empty) is signed by at least t.
  const activation = await until('every scanner to activate the key', async () => {
    const statuses = await Promise.all(NAMES.map((name) => processors.get(name)!.scannerStatus().catch(() => undefined)));
    return statuses.every((s) => s?.activationHeight != null) ? statuses.map((s) => s!.activationHeight) : undefined;
  });
  expect(new Set(activation).size).toBe(1);
  for (const name of NAMES) expect((await processors.get(name)!.scannerStatus()).externalScript).toBe(external);
  const batch0 = await signedBy(`batch-${NETWORK}-0`, 2);
  const block0 = (await coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId(NETWORK, 0)).result()) as CoordinateBatchResult;
  expect(batch0.filter((o) => o?.end === 'signed').length).toBeGreaterThanOrEqual(2);

  // Serai includes Batch 0 (the scanner reports no further than `confirmations` past an unincluded Batch).
  const seraiBlock = (block: string, batches: number[], finalized: string, burns: { instruction: { address: string; data: null }; balance: { coin: 'monero'; amount: string } }[]) => ({
    kind: 'substrate.SubstrateBlock' as const,
    context: { serai_time: String(Math.floor(Date.now() / 1000)), network_latest_finalized_block: finalized },
    block,
    batches,
    burns,
  });
  for (const name of NAMES) await processors.get(name)!.deliver(seraiBlock('1', [0], block0.signedBatch.batch.block, []));

  // A deposit to the key's external address, with a Transfer to a Serai account.
  const seraiAccount = bytesToHex(randomBytes(32));
  const depositor = bytesToHex(randomBytes(32));
  ledger.deposit({ from: depositor, to: external, amount: 50_000n, data: encodeShorthand({ kind: 'Raw', origin: null, instruction: { kind: 'Transfer', address: seraiAccount } }) });
  await signedBy(`batch-${NETWORK}-1`, 2);
  const batch1 = (await coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId(NETWORK, 1)).result()) as CoordinateBatchResult;
  const { batch, signature } = batch1.signedBatch;
  expect(batch.network).toBe(NETWORK);
  expect(batch.instructions).toEqual([{ instruction: { kind: 'Transfer', address: seraiAccount }, balance: { coin: 'monero', amount: '50000' } }]);
  expect(sr25519.verify(batchMessage(batch), hexToBytes(signature), hexToBytes(keygen.keyPair.substrateKey))).toBe(true);

  // Serai includes Batch 1 and burns 20 000 to a ledger address: one plan pays it.
  const payee = bytesToHex(randomBytes(32));
  const burn = { instruction: { address: payee, data: null }, balance: { coin: 'monero' as const, amount: '20000' } };
  for (const name of NAMES) await processors.get(name)!.deliver(seraiBlock('2', [1], batch.block, [burn]));
  const outcomes = await until('every processor applied Serai block 2', async () => {
    const all = await Promise.all(NAMES.map((name) => completed<SeraiBlockOutcome>(name, `substrate-${NETWORK}-2`)));
    return all.every((o) => o !== undefined) ? (all as SeraiBlockOutcome[]) : undefined;
  });
  expect(outcomes.map((o) => o.plans)).toEqual(NAMES.map(() => outcomes[0]!.plans));
  expect(outcomes[0]!.plans).toHaveLength(1);
  expect(outcomes[0]!.unpayable).toEqual([]);
  const planId = outcomes[0]!.plans[0]!;

  const plans = await until('the plan completed at every processor', async () => {
    const all = await Promise.all(NAMES.map((name) => completed<PlanOutcome>(name, `plan-${NETWORK}-${planId}`)));
    return all.every((o) => o !== undefined) ? (all as PlanOutcome[]) : undefined;
  });
  expect(new Set(plans.map((p) => p.txid)).size).toBe(1);
  expect(plans.every((p) => p.end === 'completed')).toBe(true);

  // Exactly one payout, its fee share taken from the burn, signed by the group key.
  const paid = ledger.paidTo(payee);
  expect(paid).toHaveLength(1);
  expect(paid[0]!.txid).toBe(plans[0]!.txid);
  const fee = ledgerRules.feeModel(1)({ inputs: [{ kind: 'external' }], outputs: [{ kind: 'payment', address: payee }], change: true });
  expect(paid[0]!.amount).toBe(20_000n - fee);
  const payout = ledger.blocks.flatMap((b) => b.txs).find((tx): tx is LedgerTx => tx.txid === paid[0]!.txid)!;
  expect(payout.key).toBe(networkKey);
  expect(ed25519.verify(hexToBytes(payout.signature!), spendMessage(payout.txid), hexToBytes(networkKey))).toBe(true);
  // The change went back to the key: the deposit less the payment and the fee.
  expect(ledger.paidTo(ledgerAddress(networkKey, 'change')).map((o) => o.amount)).toEqual([50_000n - 20_000n]);
});
