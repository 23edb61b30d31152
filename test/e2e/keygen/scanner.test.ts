/**
 * The processor side end to end on real workers, btcd and Temporal, with the test playing Serai:
 * key confirmation starts every validator's scanner, notable final blocks become Batches signed
 * through the coordinator, Serai blocks acknowledge them and carry burns, and the scheduled plans
 * pay out on btcd exactly once.
 */
import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js';
import { decodeFrostPublic } from '../../../crypto/key-package';
import type { CoordinatorMessageOf } from '../../../messages';
import { encodeShorthand } from '../../../messages/shorthand';
import { outputKeySet } from '../../../networks/bitcoin/keys';
import { DEPOSIT_FEE, encodeAddress } from '../../../networks/bitcoin/instructions';
import { UnknownWorkflowError } from '../../../client';
import { DevnetWallet } from '../../../devnet/wallet';
import { outputsPaying, randomTaprootScript } from '../../support/bitcoin-tx';
import type { BatchSigningOutcome } from '../../../workflows/batch-defs';
import type { PlanOutcome } from '../../../workflows/plan-defs';
import type { SeraiBlockOutcome } from '../../../workflows/scanner-defs';
import { COORDINATOR_NAMESPACE } from '../../../devnet/coordinator/defs';
import { validatorNamespace } from '../../../devnet/namespaces';
import { keystoreSecrets, searchHistories } from '../../support/secrets';
import { recordHistory, replayCodecKeys } from '../../support/replay-record';
import { openValidatorKeystore, startKeygenHarness, type KeygenHarness } from '../../support/keygen-net';

jest.setTimeout(600_000);

const NAMES = ['alice', 'bob', 'carol', 'dave'];
/** `RECORD_REPLAY_HISTORIES=<label>` records this run's new workflow types as replay fixtures. */
const RECORD = process.env.RECORD_REPLAY_HISTORIES;
const SUGGEST_CONTINUE_AS_NEW_AT = 150;
const ROUNDS = { roundTimeout: '60 seconds', blameTimeout: '30 seconds', maxAttempts: 2 };

describe('scanner, Batches, Serai blocks and payouts on four validators (3-of-4)', () => {
  let h: KeygenHarness;
  let external: string;
  let keyPair: { substrateKey: string; networkKey: string };
  const processors = () => NAMES.map((name) => h.net.set.processor(name));

  /** Mines a block every 400 ms until `check` holds. */
  async function mineUntil<T>(what: string, check: () => Promise<T | undefined>, limitMs = 240_000): Promise<T> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await h.btcd.mine(1);
      await new Promise((r) => setTimeout(r, 400));
    }
  }

  /** The result of a workflow of one processor once it completed, else undefined (never waits for it). */
  async function completed<T>(name: string, workflowId: string): Promise<T | undefined> {
    const handle = h.net.set.processor(name).client.workflow.getHandle(workflowId);
    const status = await handle.describe().then((d) => d.status.name, () => undefined);
    return status === 'COMPLETED' ? ((await handle.result()) as T) : undefined;
  }

  async function deliverToAll(message: CoordinatorMessageOf<'substrate.SubstrateBlock'>) {
    return Promise.all(processors().map((p) => p.deliver(message)));
  }

  beforeAll(async () => {
    // Scanners are suggested to continue as new every few hundred events, so the run crosses
    // several continue-as-new boundaries with Batches, acknowledgements and Serai blocks in flight.
    h = await startKeygenHarness(NAMES.map((name) => ({ name, weight: 1 })), {
      ...(RECORD ? { codecKeys: replayCodecKeys() } : {}),
      dynamicConfig: [`limit.historyCount.suggestContinueAsNew=${SUGGEST_CONTINUE_AS_NEW_AT}`],
    });
    const keygen = await h.net.generateKey({ network: 'bitcoin', session: 0, t: 3, settings: ROUNDS });
    keyPair = keygen.keyPair;
    const keystore = openValidatorKeystore(h.dataDir, 'alice');
    try {
      const pub = decodeFrostPublic(keystore.getGroupKey({ network: 'bitcoin', session: 0, attempt: keygen.attempt, curve: 'secp256k1' })!);
      external = outputKeySet(0, pub).scripts.external;
    } finally {
      keystore.close();
    }
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('deposits become a signed Batch, hostile data in the same block is refunded, and a burn (delivered 3x) pays out once', async () => {
    // Key confirmation started each scanner; the activation block is notable and yields Batch 0 (empty).
    const started = Date.now();
    const mark = (what: string) => console.log(`${what} at +${((Date.now() - started) / 1000).toFixed(1)} s`);
    const activation = await mineUntil('every scanner to see its activation block', async () => {
      const statuses = await Promise.all(processors().map((p) => p.scannerStatus().catch(() => undefined)));
      const heights = statuses.map((s) => s?.activationHeight ?? null);
      return heights.every((height) => height !== null) ? heights : undefined;
    });
    mark('activation seen');
    expect(new Set(activation).size).toBe(1);
    const outcomes0 = await mineUntil('Batch 0 signed', async () => {
      const outcomes = await Promise.all(NAMES.map((name) => completed<BatchSigningOutcome>(name, 'batch-bitcoin-0')));
      return outcomes.filter((o) => o?.end === 'signed').length >= 3 ? outcomes : undefined;
    });
    expect(outcomes0.filter((o) => o?.end === 'signed').length).toBeGreaterThanOrEqual(3);
    mark('Batch 0 signed');
    const block0 = await h.btcd.rpc.getBlockHash(activation[0]!);

    // Serai includes Batch 0.
    const context = (block: string) => ({ serai_time: String(Math.floor(Date.now() / 1000)), network_latest_finalized_block: block });
    await deliverToAll({ kind: 'substrate.SubstrateBlock', context: context(block0), block: '1', batches: [0], burns: [] });
    // The Serai block ends the signing of the one validator Batch 0 did not need.
    const ended0 = await mineUntil('every Batch 0 workflow ended', async () => {
      const outcomes = await Promise.all(NAMES.map((name) => completed<BatchSigningOutcome>(name, 'batch-bitcoin-0')));
      return outcomes.every((o) => o !== undefined) ? outcomes : undefined;
    });
    expect(ended0.filter((o) => o!.end === 'signed')).toHaveLength(3);
    expect(ended0.filter((o) => o!.end === 'included')).toHaveLength(1);
    // A late round message for an ended Batch is ignored; one for a Batch that never existed is an error.
    const reattempt = (id: number) => ({ kind: 'coordinator.BatchReattempt' as const, id: { session: 0, id: { kind: 'Batch' as const, id }, attempt: 7 } });
    for (const p of processors()) expect(await p.deliver(reattempt(0))).toEqual({ workflowId: 'batch-bitcoin-0', action: 'ignored' });
    await expect(processors()[0]!.deliver(reattempt(999))).rejects.toThrow(UnknownWorkflowError);

    // One block: a good deposit and three hostile ones (truncated, oversized, unknown variant).
    const seraiAccount = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
    const good = encodeShorthand({ kind: 'Raw', origin: null, instruction: { kind: 'Transfer', address: seraiAccount } });
    const goodAmount = 50_000_000n;
    const wallet = DevnetWallet.of(h.btcd);
    await wallet.deposit({ to: external, amount: goodAmount, seraiAddress: seraiAccount });
    await wallet.depositWithData({ to: external, amount: 1_000_000n, data: good.subarray(0, good.length - 5) });
    await wallet.depositWithData({ to: external, amount: 2_000_000n, data: new Uint8Array(600).fill(7) });
    await wallet.depositWithData({ to: external, amount: 3_000_000n, data: Uint8Array.of(9, ...good.subarray(1)) });
    await h.btcd.mine(1);
    const depositHeight = await h.btcd.rpc.getBlockCount();

    const outcomes1 = await mineUntil('Batch 1 signed', async () => {
      const outcomes = await Promise.all(NAMES.map((name) => completed<BatchSigningOutcome>(name, 'batch-bitcoin-1')));
      return outcomes.filter((o) => o?.end === 'signed').length >= 3 ? outcomes : undefined;
    });
    mark('Batch 1 signed');
    const statuses = await Promise.all(processors().map((p) => p.scannerStatus()));
    for (const status of statuses) {
      expect(status.awaitingAck).toEqual([{ height: depositHeight, batches: [1] }]);
      expect(status.rejected).toEqual([]);
    }
    expect(outcomes1.filter((o) => o?.end === 'signed').length).toBeGreaterThanOrEqual(3);
    const batch1 = await h.net.coordinatorClient.workflow.getHandle('coordinator-batch-bitcoin-1').result();
    expect(batch1.signedBatch.batch.block).toBe(await h.btcd.rpc.getBlockHash(depositHeight));
    expect(batch1.signedBatch.batch.instructions).toEqual([
      { instruction: { kind: 'Transfer', address: seraiAccount }, balance: { coin: 'bitcoin', amount: (goodAmount - DEPOSIT_FEE).toString() } },
    ]);

    // Serai includes Batch 1 and carries two burns: one payable, one to an address that parses as nothing.
    const payee = randomTaprootScript();
    const burnAmount = 20_000_000n;
    const substrateBlock: CoordinatorMessageOf<'substrate.SubstrateBlock'> = {
      kind: 'substrate.SubstrateBlock',
      context: context(batch1.signedBatch.batch.block),
      block: '2',
      batches: [1],
      burns: [
        { instruction: { address: bytesToHex(encodeAddress(hexToBytes(payee))!), data: null }, balance: { coin: 'bitcoin', amount: burnAmount.toString() } },
        { instruction: { address: 'ff00ff', data: null }, balance: { coin: 'bitcoin', amount: '1000000' } },
      ],
    };
    const from = await h.btcd.rpc.getBlockCount();
    for (let i = 0; i < 3; i++) await deliverToAll(substrateBlock);

    const blockOutcomes = await mineUntil('the Serai block applied by every processor', async () => {
      const all = await Promise.all(NAMES.map((name) => completed<SeraiBlockOutcome>(name, 'substrate-bitcoin-2')));
      return all.every((o) => o !== undefined) ? (all as SeraiBlockOutcome[]) : undefined;
    });
    mark('Serai block 2 applied');
    const planIds = blockOutcomes[0]!.plans;
    for (const outcome of blockOutcomes) {
      expect(outcome.plans).toEqual(planIds);
      expect(outcome.unpayable).toEqual([expect.objectContaining({ index: 1, address: 'ff00ff', amount: '1000000' })]);
      expect(outcome.ack).toBe('sent');
    }
    expect(planIds.length).toBeGreaterThanOrEqual(1);

    const planOutcomes = await mineUntil('every plan completed', async () => {
      const all = await Promise.all(planIds.flatMap((id) => NAMES.map((name) => completed<PlanOutcome>(name, `plan-bitcoin-${id}`))));
      return all.every((o) => o !== undefined) ? all : undefined;
    });
    mark('plans completed');
    for (const outcome of planOutcomes) expect(outcome!.end).toBe('completed');

    const tip = await h.btcd.rpc.getBlockCount();
    const paid = await outputsPaying(h.btcd.rpc, new Set([payee]), from, tip);
    expect(paid).toHaveLength(1);
    expect(paid[0]!.amount).toBeLessThanOrEqual(burnAmount);
    expect(paid[0]!.amount).toBeGreaterThan(burnAmount - 100_000n);
    // The three hostile deposits were refunded to their presumed origin (the faucet's key), minus fees.
    const refunds = await outputsPaying(h.btcd.rpc, new Set([bytesToHex(h.btcd.miningKey!.outputScript)]), from, tip);
    const refunded = refunds.filter((o) => o.amount > 900_000n && o.amount <= 3_000_000n).map((o) => o.amount);
    expect(refunded).toHaveLength(3);
    for (const status of await Promise.all(processors().map((p) => p.scannerStatus()))) {
      expect(status.lastSeraiBlock).toBe('2');
      expect(status.queuedSeraiBlocks).toEqual([]);
    }

    // A Serai block that re-includes an acknowledged Batch is not Serai's: rejected, nothing applied.
    await deliverToAll({ ...substrateBlock, block: '50', batches: [1], burns: [] });
    const rejections = await mineUntil('the bogus Serai block rejected', async () => {
      const all = await Promise.all(processors().map((p) => p.scannerStatus()));
      return all.every((st) => st.rejected.some((r) => r.startsWith('Serai block 50'))) ? all : undefined;
    });
    for (const status of rejections) {
      expect(status.lastSeraiBlock).toBe('2');
      expect(status.queuedSeraiBlocks).toEqual([]);
    }
  });

  test('workers killed with SIGKILL during Batch signing, during plan signing and right after publishing are restarted; every flow completes and the payout happens once', async () => {
    const wallet = DevnetWallet.of(h.btcd);
    const coordinator = h.net.coordinatorClient;
    const stageOf = async (workflowId: string, query: string) =>
      ((await coordinator.workflow.getHandle(workflowId).query(query).catch(() => undefined)) as { stage: string } | undefined)?.stage ?? '';
    const killAndRestart = async (victim: string, when: () => Promise<boolean>, what: string) => {
      const deadline = Date.now() + 120_000;
      while (!(await when())) {
        if (Date.now() > deadline) throw new Error(`never saw ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      h.net.set.kill(victim);
      console.log(`killed ${victim} ${what}`);
      await new Promise((r) => setTimeout(r, 300));
      await h.net.set.restart(victim);
    };

    // The first test's payouts left change: their blocks are notable. Serai includes those Batches
    // until every scanner has scanned past the tip this test began at.
    const tip0 = await h.btcd.rpc.getBlockCount();
    let seraiBlock = 2;
    for (;;) {
      const st = await mineUntil('the scanners to agree', async () => {
        const all = await Promise.all(processors().map((p) => p.scannerStatus()));
        const same = all.every((x) => JSON.stringify([x.awaitingAck, x.nextHeight]) === JSON.stringify([all[0]!.awaitingAck, all[0]!.nextHeight]));
        return same && (all[0]!.awaitingAck.length > 0 || all[0]!.nextHeight! > tip0) ? all[0]! : undefined;
      });
      if (st.awaitingAck.length === 0) break;
      const last = await h.btcd.rpc.getBlockHash(st.awaitingAck[st.awaitingAck.length - 1]!.height);
      seraiBlock++;
      await deliverToAll({ kind: 'substrate.SubstrateBlock', context: { serai_time: String(Math.floor(Date.now() / 1000)), network_latest_finalized_block: last }, block: String(seraiBlock), batches: st.awaitingAck.flatMap((a) => a.batches), burns: [] });
      await mineUntil('the acknowledgement applied', async () => ((await Promise.all(processors().map((p) => p.scannerStatus()))).every((x) => x.lastSeraiBlock === String(seraiBlock)) ? true : undefined));
    }
    const b = (await processors()[0]!.scannerStatus()).nextBatchId;

    // A deposit; bob dies while its Batch is being signed.
    const seraiAccount = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
    await wallet.deposit({ to: external, amount: 30_000_000n, seraiAddress: seraiAccount });
    const mining = (async () => {
      for (let i = 0; i < 3; i++) {
        await h.btcd.mine(1);
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    await killAndRestart('bob', async () => /relaying preprocesses|collecting shares/.test(await stageOf(`coordinator-batch-bitcoin-${b}`, 'coordinatorBatchStatus')), `during Batch ${b} signing`);
    await mining;
    const batch2 = await mineUntil(`Batch ${b} signed`, async () => {
      const handle = coordinator.workflow.getHandle(`coordinator-batch-bitcoin-${b}`);
      const status = await handle.describe().then((d) => d.status.name, () => undefined);
      return status === 'COMPLETED' ? ((await handle.result()) as { signedBatch: { batch: { block: string; instructions: unknown[] } } }) : undefined;
    });
    expect(batch2.signedBatch.batch.instructions).toEqual([
      { instruction: { kind: 'Transfer', address: seraiAccount }, balance: { coin: 'bitcoin', amount: (30_000_000n - DEPOSIT_FEE).toString() } },
    ]);

    // Serai includes it with a burn; carol dies during the plan's signing, alice right after it is published.
    const payee = randomTaprootScript();
    const context = { serai_time: String(Math.floor(Date.now() / 1000)), network_latest_finalized_block: batch2.signedBatch.batch.block };
    const from = await h.btcd.rpc.getBlockCount();
    await deliverToAll({
      kind: 'substrate.SubstrateBlock',
      context,
      block: String(seraiBlock + 1),
      batches: [b],
      burns: [{ instruction: { address: bytesToHex(encodeAddress(hexToBytes(payee))!), data: null }, balance: { coin: 'bitcoin', amount: '12000000' } }],
    });
    const applied = await mineUntil('the burn\'s Serai block applied by alice', () => completed<SeraiBlockOutcome>('alice', `substrate-bitcoin-${seraiBlock + 1}`), 120_000);
    const payout = applied.plans.find(() => true)!;
    expect(applied.plans).toHaveLength(1);
    await killAndRestart('carol', async () => /relaying preprocesses|collecting shares/.test(await stageOf(`coordinator-plan-bitcoin-${payout}`, 'coordinatorPlanStatus')), 'during plan signing');
    await killAndRestart('alice', async () => (await h.btcd.rpc.getRawMempool()).length > 0, 'right after the payout was published');

    const outcomes = await mineUntil('every validator\'s plan and Batch workflow ended', async () => {
      const plans = await Promise.all(NAMES.map((name) => completed<PlanOutcome>(name, `plan-bitcoin-${payout}`)));
      const batches = await Promise.all(NAMES.map((name) => completed<BatchSigningOutcome>(name, `batch-bitcoin-${b}`)));
      return [...plans, ...batches].every((o) => o !== undefined) ? { plans, batches } : undefined;
    });
    for (const plan of outcomes.plans) expect(plan!.end).toBe('completed');
    expect(new Set(outcomes.plans.map((p) => p!.txid)).size).toBe(1);
    expect(outcomes.batches.filter((b) => b!.end === 'signed').length).toBeGreaterThanOrEqual(3);
    const tip = await h.btcd.rpc.getBlockCount();
    const paid = await outputsPaying(h.btcd.rpc, new Set([payee]), from, tip);
    expect(paid).toHaveLength(1);
    expect(paid[0]!.txid).toBe(outcomes.plans[0]!.txid);
    expect(paid[0]!.amount).toBeLessThanOrEqual(12_000_000n);
    expect(await h.btcd.rpc.getRawMempool()).toEqual([]);
    // Every scanner continued as new at least once and kept its state across it.
    for (const name of NAMES) {
      let runs = 0;
      for await (const _ of h.net.set.processor(name).client.workflow.list({ query: `WorkflowId = 'scanner-bitcoin'` })) runs++;
      expect(runs).toBeGreaterThan(1);
    }
    // The restarted scanners replayed their histories and carry on with the same state.
    for (const status of await Promise.all(processors().map((p) => p.scannerStatus()))) {
      expect(status.lastSeraiBlock).toBe(String(seraiBlock + 1));
      expect(status.nextBatchId).toBeGreaterThan(b);
    }
  });

  test('no secret of any keystore is in any workflow history of the run, raw or decoded', async () => {
    const secrets = keystoreSecrets(h.dataDir, NAMES.map((name, i) => [name, [i + 1]]), 0);
    expect(secrets.length).toBeGreaterThan(40);
    const namespaces = [COORDINATOR_NAMESPACE, ...NAMES.map(validatorNamespace)];
    const search = await searchHistories(h.net.connection, h.dataDir, namespaces, secrets, hexToBytes(keyPair.networkKey));
    expect(search.leaks).toEqual([]);
    expect(search.controlSeen).toBe(true);
    expect(search.controlInRaw).toEqual([]);
    for (const type of ['scanner', 'signBatch', 'substrateBlock', 'signPlan', 'keyGeneration', 'coordinateBatch', 'coordinatePlan']) expect(search.workflowTypes).toContain(type);
    console.log(`searched ${search.histories} histories, ${search.payloads} payloads, for ${secrets.length} secrets`);
  });

  (RECORD ? test : test.skip)('record replay fixtures of the scanner, Serai-block, plan and coordinator plan workflows', async () => {
    const alice = validatorNamespace('alice');
    const outcome = await h.net.set.processor('alice').seraiBlockOutcome('2');
    const plan = outcome.plans[0]!;
    const written = [
      recordHistory(h.temporal.address, alice, 'scanner-bitcoin', `${RECORD}-scanner`, 'richest'),
      recordHistory(h.temporal.address, alice, 'substrate-bitcoin-2', `${RECORD}-substrateBlock`),
      recordHistory(h.temporal.address, alice, `plan-bitcoin-${plan}`, `${RECORD}-signPlan`),
      recordHistory(h.temporal.address, COORDINATOR_NAMESPACE, `coordinator-plan-bitcoin-${plan}`, `${RECORD}-coordinatePlan`),
    ];
    console.log(`wrote ${written.join(', ')}`);
  });
});
