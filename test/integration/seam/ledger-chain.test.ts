/**
 * The chain seam carries a second chain: a toy in-memory ledger (test/integration/seam/ledger/) runs through the
 * processor's real key generation, scanner, Batch and plan workflows on a real Temporal dev server,
 * with the devnet coordinator relaying, to a signed Batch of its deposit and a completed payout. The
 * workflow bundle is the processor's own `workflows/` plus the ledger's rules (ledger/workflows.ts);
 * the activities are the processor's own, given the ledger's adapter.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import type { Client } from '@temporalio/client';
import type { ProcessorClient } from '../../../client';
import { COORDINATOR_TASK_QUEUE, coordinatorBatchWorkflowId, coordinatorKeygenWorkflowId, type CoordinateBatchResult } from '../../../devnet/coordinator/defs';
import { coordinateKeygen } from '../../../devnet/coordinator/keygen';
import { batchMessage } from '../../../messages/batch';
import { encodeShorthand } from '../../../messages/shorthand';
import type { PlanOutcome } from '../../../workflows/plan-defs';
import type { SeraiBlockOutcome } from '../../../workflows/scanner-defs';
import { startInProcessSet, type InProcessSet } from '../../support/in-process-set';
import { ledgerChain } from './ledger/adapter';
import { Ledger, ledgerAddress, spendMessage, type LedgerTx } from './ledger/ledger';
import { ledgerRules } from './ledger/rules';

jest.setTimeout(600_000);

const NAMES = ['alice', 'bob', 'carol'];
/** The processor's workflows with the ledger's rules registered (a workflow bundle entry). */
const ledgerWorkflowsPath = require.resolve('./ledger/workflows');
const NETWORK = 'monero' as const;
const ROUNDS = { roundTimeout: '60 seconds', blameTimeout: '30 seconds', maxAttempts: 2 };

const ledger = new Ledger();
let set: InProcessSet;
let coordinatorClient: Client;
let processors: Map<string, ProcessorClient>;
let miner: NodeJS.Timeout | undefined;
const completed = <T>(name: string, workflowId: string) => set.completed<T>(name, workflowId);

beforeAll(async () => {
  // Every validator's processor in this process, sharing the one in-memory ledger.
  const chain = ledgerChain(ledger);
  set = await startInProcessSet({ network: NETWORK, names: NAMES, workflowsPath: ledgerWorkflowsPath, chainFor: () => chain, dataDirPrefix: 'ledger-seam-' });
  ({ coordinatorClient, processors } = set);
  miner = setInterval(() => ledger.mine(), 400);
});

afterAll(async () => {
  clearInterval(miner);
  await set?.stop();
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
  const activation = await set.until('every scanner to activate the key', async () => {
    const statuses = await Promise.all(NAMES.map((name) => processors.get(name)!.scannerStatus().catch(() => undefined)));
    return statuses.every((s) => s?.activationHeight != null) ? statuses.map((s) => s!.activationHeight) : undefined;
  });
  expect(new Set(activation).size).toBe(1);
  for (const name of NAMES) expect((await processors.get(name)!.scannerStatus()).externalScript).toBe(external);
  const batch0 = await set.signedBy(`batch-${NETWORK}-0`, 2);
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
  await set.signedBy(`batch-${NETWORK}-1`, 2);
  const batch1 = (await coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId(NETWORK, 1)).result()) as CoordinateBatchResult;
  const { batch, signature } = batch1.signedBatch;
  expect(batch.network).toBe(NETWORK);
  expect(batch.instructions).toEqual([{ instruction: { kind: 'Transfer', address: seraiAccount }, balance: { coin: 'monero', amount: '50000' } }]);
  expect(sr25519.verify(batchMessage(batch), hexToBytes(signature), hexToBytes(keygen.keyPair.substrateKey))).toBe(true);

  // Serai includes Batch 1 and burns 20 000 to a ledger address: one plan pays it.
  const payee = bytesToHex(randomBytes(32));
  const burn = { instruction: { address: payee, data: null }, balance: { coin: 'monero' as const, amount: '20000' } };
  for (const name of NAMES) await processors.get(name)!.deliver(seraiBlock('2', [1], batch.block, [burn]));
  const outcomes = await set.until('every processor applied Serai block 2', async () => {
    const all = await Promise.all(NAMES.map((name) => completed<SeraiBlockOutcome>(name, `substrate-${NETWORK}-2`)));
    return all.every((o) => o !== undefined) ? (all as SeraiBlockOutcome[]) : undefined;
  });
  expect(outcomes.map((o) => o.plans)).toEqual(NAMES.map(() => outcomes[0]!.plans));
  expect(outcomes[0]!.plans).toHaveLength(1);
  expect(outcomes[0]!.unpayable).toEqual([]);
  const planId = outcomes[0]!.plans[0]!;

  const plans = await set.until('the plan completed at every processor', async () => {
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
