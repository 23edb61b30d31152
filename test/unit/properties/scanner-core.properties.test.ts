/**
 * Property tests of the scanner core end to end (`workflows/scanner-state.ts` over the real
 * `depositOutcomes` and the scheduler): random runs of final Bitcoin blocks with random deposits
 * (random Shorthand data, origins including our own scripts, amounts at and around every limit,
 * outputs of our plans coming back, coins sent to our other addresses), accepted by
 * `acceptFinalBlocks`, interleaved with random Serai blocks (the right Batch ids in order or a
 * prefix of them, no Batch, and refused kinds: re-deliveries, a changed block, old numbers, Batches
 * repeated, out of order or not made yet; burns to payable addresses, our own four addresses,
 * malformed address bytes, of 0, 1, dust - 1, dust, maxAmount, maxAmount + 1, u64::MAX, of other
 * coins, and bursts that need branch trees) applied with `applySeraiBlock` at fee rates 1..100.
 *
 * Properties, after every step:
 * - nothing throws for inputs the guards (`isRedelivery`, `seraiBlockProblem`, `knowsBatches`)
 *   accept, and the inputs a model of Serai says are not Serai's are refused by them (and by
 *   `applySeraiBlock` with a ScannerStateError), never thrown on;
 * - deposits: per Serai block and cumulatively, credited (sum of Batch amounts) + DEPOSIT_FEE per
 *   instruction + refunds admitted + refunds reported unpaid + unusable deposits = deposited, each
 *   deposit in exactly one of those, as the documented rules decide;
 * - burns: burned = admitted as payments + reported unpayable, each burn in exactly one, as the
 *   rules decide (wrong coin, no Bitcoin address, ours, 0 or above maxAmount: unpayable);
 * - every admitted payment (refund or burn) is in exactly one place: paid by a plan output (to its
 *   address, at least dust, at most the request), queued, waiting in a branch, or dropped;
 * - every plan conserves value and spends only outputs the scheduler held, each once; the
 *   scheduler's books balance (deposits - consumed = held + branch shortfalls + operatingCosts);
 * - Batches carry exactly the blocks' instructions, with sequential ids, within the size limit and
 *   the message schema.
 * The same checks run over blocks of more than one Batch that Serai includes over several Serai
 * blocks (a Batch included before must be refused even while its block waits for the others), and
 * that property's minimal counterexample is pinned as an example test.
 * And determinism: the same run twice, and once more with the core through JSON between steps (as
 * continue-as-new carries it), gives deep-equal results.
 *
 * Default (400 random runs of up to 14 steps, 30 split-inclusion runs, 60 determinism runs): ~11 s
 * on 2 cores. Long version: `PROPERTY_SCALE=20 npx jest test/unit/properties/scanner-core.properties.test.ts`
 * (`PROPERTY_STATS=1` prints what the runs reached: Serai blocks applied and refused by kind, plans,
 * branch and aggregation plans, drops, unpaid refunds, blocks acknowledged in part...).
 * On failure fast-check prints `{ seed: S, path: "P", endOnFailure: true }`; replay exactly that case
 * with `PROPERTY_SEED=S PROPERTY_PATH=P npx jest test/unit/properties/scanner-core.properties.test.ts -t '<test name>'`
 * (see ./arbitraries.ts for every setting).
 */
import assert from 'node:assert/strict';

import fc from 'fast-check';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

import { encodeBatch } from '../../../messages/batch';
import { coordinatorMessageSchemas } from '../../../messages/coordinator';
import { batch as batchSchema, type Batch, type InInstructionWithBalance } from '../../../messages/instructions';
import { MAX_BATCH_SIZE, MAX_U64 } from '../../../messages/limits';
import type { ExternalCoin } from '../../../messages/networks';
import { encodeShorthand } from '../../../messages/shorthand';
import { decodeAddress, depositOutcomes, type DepositOutcome } from '../../../networks/bitcoin/instructions';
import type { ScannedOutput } from '../../../networks/bitcoin/scan';
import { initialScanState } from '../../../networks/finality';
import type { DroppedPayment, Payment, Plan, SchedulerState } from '../../../scheduler';
import {
  acceptFinalBlocks,
  applySeraiBlock,
  emptyCore,
  expectPlanOutputs,
  feeRateBlock,
  isRedelivery,
  knowsBatches,
  outpointHex,
  seraiBlockProblem,
  withKey,
  ScannerStateError,
  type FinalBlock,
  type FoundOutput,
  type ScannerCore,
  type SeraiBlockMessage,
  type SeraiBlockResult,
} from '../../../workflows/scanner-state';
import {
  DEPOSIT_FEE,
  DUST,
  MAX_AMOUNT,
  OUR_SCRIPTS,
  OUR_SCRIPT_LIST,
  depositAmountInRun,
  depositData,
  encodedAddressOf,
  hash,
  malformedAddressBytes,
  ourScript,
  payableScript,
  presumedOrigin,
  runParameters,
  timeoutFor,
  type DepositData,
} from './arbitraries';

const RUNS = 400;
const DETERMINISM_RUNS = 60;
const SPLIT_RUNS = 30;
const ACTIVE_FROM = 1000;
const SUPPLY = MAX_AMOUNT;

// ---------------------------------------------------------------------------------------------
// Scenario

interface DepositSpec {
  readonly amount: bigint;
  readonly vout: number;
  readonly presumedOrigin: string | null;
  readonly data: DepositData;
}

interface BlockSpec {
  readonly deposits: readonly DepositSpec[];
  /** Coins sent to our change/forward/branch addresses by someone else. */
  readonly foreign: readonly { readonly kind: 'change' | 'forward' | 'branch'; readonly amount: bigint }[];
  /** Whether the outputs our plans created so far confirm in this block. */
  readonly planOutputs: boolean;
  /** That many extra small Raw deposits (over one Batch's worth), or 0. */
  readonly burst: number;
}

type BatchMode =
  | { readonly mode: 'all' | 'none' | 'redeliver' | 'replace' | 'unordered' }
  | { readonly mode: 'some'; readonly cut: number }
  | { readonly mode: 'repeat'; readonly pick: number }
  | { readonly mode: 'future'; readonly ahead: number }
  | { readonly mode: 'stale'; readonly back: number };

type BurnAddress = { readonly label: 'payable' | 'ours'; readonly script: string } | { readonly label: 'malformed'; readonly bytes: string };

interface BurnSpec {
  readonly address: BurnAddress;
  readonly amount: string;
  readonly coin: ExternalCoin;
  readonly data: string | null;
}

interface SeraiSpec {
  readonly batches: BatchMode;
  readonly burns: readonly BurnSpec[];
  /** That many extra small burns to payable addresses (enough to need a branch tree), or 0. */
  readonly burst: number;
  readonly feeRate: number;
  readonly gap: number;
}

type Step = { readonly kind: 'final'; readonly blocks: readonly BlockSpec[] } | ({ readonly kind: 'serai' } & SeraiSpec);

interface Scenario {
  readonly networkKey: string;
  readonly preActivation: number;
  readonly firstSeraiBlock: number;
  readonly steps: readonly Step[];
}

const depositSpec: fc.Arbitrary<DepositSpec> = fc.record({
  amount: depositAmountInRun,
  vout: fc.nat(3),
  presumedOrigin,
  data: depositData,
});

const blockSpec = (burstWeight: number): fc.Arbitrary<BlockSpec> =>
  fc.record({
    deposits: fc.array(depositSpec, { maxLength: 5 }),
    foreign: fc.array(fc.record({ kind: fc.constantFrom('change' as const, 'forward' as const, 'branch' as const), amount: fc.bigInt(DUST, 50_000_000n) }), { maxLength: 1 }),
    planOutputs: fc.boolean(),
    burst: fc.oneof({ weight: 100 - burstWeight, arbitrary: fc.constant(0) }, { weight: burstWeight, arbitrary: fc.integer({ min: 595, max: 640 }) }),
  });

const burnAmount: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(0n, MAX_AMOUNT + 1n, MAX_U64).map(String) },
  { weight: 12, arbitrary: fc.constantFrom(1n, DUST - 1n, DUST, DUST + 1n).map(String) },
  // Admitted, and then heads the queue until the pool holds 21e6 BTC: rare, or it blocks most runs.
  { weight: 1, arbitrary: fc.constantFrom(MAX_AMOUNT - 1n, MAX_AMOUNT).map(String) },
  { weight: 60, arbitrary: fc.bigInt(1n, 5_000_000n).map(String) },
  { weight: 8, arbitrary: fc.bigInt(DUST, 1_000_000_000n).map(String) },
);

const burnSpec: fc.Arbitrary<BurnSpec> = fc.record({
  address: fc.oneof(
    { weight: 6, arbitrary: payableScript.map((script): BurnAddress => ({ label: 'payable', script })) },
    { weight: 1, arbitrary: ourScript.map((script): BurnAddress => ({ label: 'ours', script })) },
    { weight: 2, arbitrary: malformedAddressBytes.map((bytes): BurnAddress => ({ label: 'malformed', bytes })) },
  ),
  amount: burnAmount,
  coin: fc.oneof({ weight: 12, arbitrary: fc.constant<ExternalCoin>('bitcoin') }, { weight: 1, arbitrary: fc.constantFrom<ExternalCoin>('ether', 'dai', 'monero') }),
  data: fc.option(fc.uint8Array({ maxLength: 40 }).map(bytesToHex), { freq: 4 }),
});

/** How a Serai block picks its Batch ids: as Serai does (all, a prefix, none), or in one of the ways it never does. */
const batchMode = (partialWeight: number): fc.Arbitrary<BatchMode> =>
  fc.oneof(
    { weight: 10, arbitrary: fc.constant<BatchMode>({ mode: 'all' }) },
    { weight: partialWeight, arbitrary: fc.nat().map((cut): BatchMode => ({ mode: 'some', cut })) },
    { weight: 3, arbitrary: fc.constant<BatchMode>({ mode: 'none' }) },
    { weight: 1, arbitrary: fc.constantFrom<BatchMode>({ mode: 'redeliver' }, { mode: 'replace' }, { mode: 'unordered' }) },
    { weight: partialWeight > 3 ? 4 : 1, arbitrary: fc.nat().map((pick): BatchMode => ({ mode: 'repeat', pick })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((ahead): BatchMode => ({ mode: 'future', ahead })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 70 }).map((back): BatchMode => ({ mode: 'stale', back })) },
  );

interface Shape {
  /** Percent of blocks with a burst of deposits (over one Batch). */
  readonly depositBursts: number;
  /** Percent of Serai blocks with a burst of burns (over one transaction's outputs). */
  readonly burnBursts: number;
  /** Weight of Serai blocks including only a prefix of the Batch ids (10 for all of them). */
  readonly partialWeight: number;
  readonly maxSteps: number;
}

const seraiSpec = (shape: Shape): fc.Arbitrary<SeraiSpec> =>
  fc.record({
    batches: batchMode(shape.partialWeight),
    burns: fc.array(burnSpec, { maxLength: 8 }),
    burst: fc.oneof({ weight: 100 - shape.burnBursts, arbitrary: fc.constant(0) }, { weight: shape.burnBursts, arbitrary: fc.integer({ min: 519, max: 600 }) }),
    feeRate: fc.integer({ min: 1, max: 100 }),
    gap: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 1000 }) }),
  });

const step = (shape: Shape): fc.Arbitrary<Step> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.array(blockSpec(shape.depositBursts), { minLength: 1, maxLength: 3 }).map((blocks): Step => ({ kind: 'final', blocks })) },
    { weight: 1, arbitrary: seraiSpec(shape).map((s): Step => ({ kind: 'serai', ...s })) },
  );

const scenario = (shape: Shape): fc.Arbitrary<Scenario> =>
  fc.record({
    networkKey: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToHex),
    preActivation: fc.nat(2),
    firstSeraiBlock: fc.nat(5),
    steps: fc.array(step(shape), { minLength: 2, maxLength: shape.maxSteps }),
  });

/**
 * Blocks of more than one Batch whose Batches Serai includes over several Serai blocks (a prefix of
 * the ids each time, as Serai may), with, at some point, a block that is not Serai's: one repeating
 * a Batch an earlier Serai block included (half the time the last one, which may belong to a block
 * still waiting for its other Batches).
 */
const splitInclusionScenario: fc.Arbitrary<Scenario> = fc
  .record({
    networkKey: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToHex),
    blocks: fc.array(
      fc.record({ deposits: fc.array(depositSpec, { maxLength: 3 }), foreign: fc.constant([]), planOutputs: fc.constant(false), burst: fc.integer({ min: 595, max: 600 }) }),
      { minLength: 1, maxLength: 2 },
    ),
    cuts: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 2, maxLength: 6 }),
    repeatAt: fc.nat(),
    pick: fc.nat(),
    burns: fc.array(burnSpec, { maxLength: 3 }),
    feeRate: fc.integer({ min: 1, max: 100 }),
  })
  .map(({ networkKey, blocks, cuts, repeatAt, pick, burns, feeRate }): Scenario => {
    const serai = (batches: BatchMode): Step => ({ kind: 'serai', batches, burns, burst: 0, feeRate, gap: 0 });
    const honest = cuts.map((cut) => serai({ mode: 'some', cut }));
    const at = 1 + (repeatAt % honest.length);
    return {
      networkKey,
      preActivation: 0,
      firstSeraiBlock: 0,
      steps: [{ kind: 'final', blocks }, ...honest.slice(0, at), serai({ mode: 'repeat', pick }), ...honest.slice(at), serai({ mode: 'all' })],
    };
  });

// ---------------------------------------------------------------------------------------------
// Mirrors of derivations the core makes (documented there), for the oracle

/** `paymentId` in scanner-state.ts: the Serai block number (u64 LE) || the burn's index (u32 LE). */
function burnPaymentId(block: string, index: number): string {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(block), true);
  view.setUint32(8, index, true);
  return bytesToHex(bytes);
}

const blockHash = (height: number): string => hash(`block ${height}`);
const txidOf = (label: string): string => hash(`tx ${label}`);
const sumOf = (items: readonly { readonly amount: string }[]): bigint => items.reduce((sum, item) => sum + BigInt(item.amount), 0n);

function burnAddressHex(address: BurnAddress): string {
  return address.label === 'malformed' ? address.bytes : encodedAddressOf(address.script);
}

/** Whether the documented rules make a burn a payment (else it is reported unpayable). */
function burnIsPayable(burn: SeraiBlockMessage['burns'][number]): boolean {
  if (burn.balance.coin !== 'bitcoin') return false;
  const script = decodeAddress(hexToBytes(burn.instruction.address));
  if (script === null || OUR_SCRIPT_LIST.includes(bytesToHex(script))) return false;
  const amount = BigInt(burn.balance.amount);
  return amount >= 1n && amount <= MAX_AMOUNT;
}

// ---------------------------------------------------------------------------------------------
// The run

/** What the runs reached, printed with `PROPERTY_STATS=1` (to see that the generators cover the cases). */
const stats: Record<string, number> = {};
const count = (what: string, n = 1): void => {
  stats[what] = (stats[what] ?? 0) + n;
};

interface ModelDeposit {
  readonly key: string;
  readonly id: string;
  readonly amount: bigint;
  readonly outcome: DepositOutcome;
}

interface ModelBlock {
  readonly height: number;
  readonly hash: string;
  readonly batches: readonly Batch[];
  readonly outputs: readonly FoundOutput[];
  readonly deposits: readonly ModelDeposit[];
}

type TraceEntry =
  | { readonly step: 'final'; readonly batches: readonly Batch[] }
  | { readonly step: 'serai'; readonly refused: string | null; readonly result: SeraiBlockResult | null };

/** The ledger the oracle keeps independently of the core. */
class Ledger {
  // Deposits (cumulative over acknowledged blocks).
  deposited = 0n;
  credited = 0n;
  creditedCount = 0n;
  refundsAdmitted = 0n;
  refundsUnpaid = 0n;
  unusable = 0n;
  // Burns.
  burned = 0n;
  burnsAdmitted = 0n;
  burnsUnpayable = 0n;
  // The scheduler's inflows that are not our own plans' outputs.
  received = 0n;
  readonly admitted = new Map<string, Payment>();
  readonly paid = new Map<string, { amount: bigint; address: string }[]>();
  readonly dropped = new Map<string, DroppedPayment[]>();
  /** Outputs the scheduler has been given (by id), and those plans spent. */
  readonly held = new Set<string>();
  readonly spent = new Set<string>();
  /** Outputs our plans created that the scheduler has not been given yet: id -> amount. */
  readonly inFlight = new Map<string, bigint>();
}

interface RunOptions {
  /** Run every oracle check (off for the determinism replays, which compare traces instead). */
  readonly check: boolean;
  /** Pass the core through JSON between steps, as continue-as-new does. */
  readonly roundTrip: boolean;
}

function runScenario(s: Scenario, options: RunOptions): { trace: TraceEntry[]; core: ScannerCore } {
  const scripts = { ...OUR_SCRIPTS };
  let core = withKey(emptyCore('bitcoin'), { session: 0, activeFrom: ACTIVE_FROM, networkKey: s.networkKey, scripts }, initialScanState({ confirmations: 3, startHeight: 100 }));
  const trace: TraceEntry[] = [];
  const ledger = new Ledger();
  let height = 100;
  let supply = SUPPLY;
  let txCounter = 0;
  let activated = false;
  /** Notable blocks not acknowledged yet, oldest first. */
  let pending: ModelBlock[] = [];
  /** Plan outputs not yet in a final block. */
  let unconfirmed: FoundOutput[] = [];
  /** Serai's view: the highest Batch id any applied Serai block included, and the last number. */
  let highestIncluded = -1;
  let lastSerai: bigint | null = null;
  const applied: SeraiBlockMessage[] = [];
  let nextSerai = BigInt(s.firstSeraiBlock);

  const take = (amount: bigint): bigint | null => {
    const taken = amount > supply ? supply : amount;
    if (taken < DUST) return null;
    supply -= taken;
    return taken;
  };

  const makeBlock = (spec: BlockSpec | null, time: number): FinalBlock => {
    height += 1;
    const scannedOutputs: ScannedOutput[] = [];
    const foreign: FoundOutput[] = [];
    if (spec !== null) {
      const deposits: DepositSpec[] = [...spec.deposits];
      for (let i = 0; i < spec.burst; i++) {
        deposits.push({
          amount: DUST + DEPOSIT_FEE + BigInt(i),
          vout: 0,
          presumedOrigin: null,
          data: { source: 'bytes', status: 'present', data: bytesToHex(encodeShorthand({ kind: 'Raw', origin: null, instruction: { kind: 'Transfer', address: hash(`account ${i}`) } })) },
        });
      }
      for (const d of deposits) {
        const amount = take(d.amount);
        if (amount === null) continue;
        const txid = txidOf(`deposit ${txCounter++}`);
        scannedOutputs.push({
          id: `${txid}:${d.vout}`,
          kind: 'external',
          txid,
          vout: d.vout,
          amount: amount.toString(),
          script: scripts.external,
          session: 0,
          presumedOrigin: d.presumedOrigin,
          data: d.data.data,
          dataStatus: d.data.status,
        });
      }
      for (const f of spec.foreign) {
        const amount = take(f.amount);
        if (amount === null) continue;
        foreign.push({ txid: txidOf(`foreign ${txCounter++}`), vout: 1, kind: f.kind, amount: amount.toString() });
      }
    }
    const outcomes = depositOutcomes(scannedOutputs);
    const outputs: FoundOutput[] = scannedOutputs.map((o) => ({ txid: o.txid, vout: o.vout, kind: o.kind, amount: o.amount }));
    if (spec?.planOutputs) {
      outputs.push(...unconfirmed);
      unconfirmed = [];
    }
    outputs.push(...foreign);
    return { block: { height, hash: blockHash(height), time }, outputs, deposits: outcomes };
  };

  const finalStep = (blocks: readonly BlockSpec[]) => {
    const finals: FinalBlock[] = [];
    if (!activated) {
      for (let i = 0; i < s.preActivation; i++) finals.push(makeBlock(null, ACTIVE_FROM - 10 + i));
    }
    for (const spec of blocks) finals.push(makeBlock(spec, ACTIVE_FROM + height));
    const before = core.nextBatchId;
    const accepted = acceptFinalBlocks(core, finals);
    core = accepted.core;
    trace.push({ step: 'final', batches: accepted.batches });

    // The model of what became notable, and its Batches.
    let nextId = before;
    for (const final of finals) {
      const activation = !activated && final.block.time >= ACTIVE_FROM;
      if (activation) activated = true;
      if (!activation && final.outputs.length === 0) continue;
      const batches = accepted.batches.filter((b) => b.block === final.block.hash);
      const byKey = new Map(final.deposits.map((d) => [d.output, d]));
      const deposits = final.outputs.flatMap((o): ModelDeposit[] => {
        if (o.kind !== 'external') return [];
        const key = `${o.txid}:${o.vout}`;
        const outcome = byKey.get(key);
        if (outcome === undefined) throw new Error(`test setup: no outcome for ${key}`);
        return [{ key, id: outpointHex(o.txid, o.vout), amount: BigInt(o.amount), outcome }];
      });
      if (options.check) {
        assert.ok(batches.length >= 1, `notable block ${final.block.height} has no Batch`);
        assert.deepEqual(batches.map((b) => b.id), batches.map((_, i) => nextId + i), 'Batch ids are not sequential');
        const instructions: InInstructionWithBalance[] = deposits.flatMap((d) => (d.outcome.kind === 'instruction' ? [d.outcome.instruction] : []));
        assert.deepEqual(batches.flatMap((b) => b.instructions), instructions, "the Batches do not carry exactly the block's instructions");
        for (const b of batches) {
          assert.ok(encodeBatch(b).length <= MAX_BATCH_SIZE, `Batch ${b.id} is over MAX_BATCH_SIZE`);
          assert.ok(batchSchema.safeParse(b).success, `Batch ${b.id} fails the message schema`);
        }
      }
      nextId += batches.length;
      if (batches.length > 1) count('blocks over one Batch');
      pending.push({ height: final.block.height, hash: final.block.hash, batches, outputs: final.outputs, deposits });
    }
    count('final blocks', finals.length);
    count('Batches', accepted.batches.length);
    if (options.check) {
      assert.equal(core.nextBatchId, nextId, 'nextBatchId');
      assert.equal(accepted.batches.length, nextId - before, 'Batches of blocks that are not notable');
    }
  };

  const seraiMessage = (spec: SeraiSpec): { message: SeraiBlockMessage; serai: boolean } => {
    const known = Array.from({ length: Math.max(0, core.nextBatchId - highestIncluded - 1) }, (_, i) => highestIncluded + 1 + i);
    const burns: SeraiBlockMessage['burns'] = spec.burns.map((b) => ({ instruction: { address: burnAddressHex(b.address), data: b.data }, balance: { coin: b.coin, amount: b.amount } }));
    for (let i = 0; i < spec.burst; i++) {
      burns.push({ instruction: { address: encodedAddressOf(`0014${hash(`burst payee ${i}`).slice(0, 40)}`), data: null }, balance: { coin: 'bitcoin', amount: String(20_000 + 37 * i) } });
    }
    const number = (n: bigint) => n.toString();
    const fresh = (batches: number[]): SeraiBlockMessage => ({
      kind: 'substrate.SubstrateBlock',
      context: { serai_time: '2000', network_latest_finalized_block: blockHash(height) },
      block: number(nextSerai + BigInt(spec.gap)),
      batches,
      burns,
    });
    const last = applied[applied.length - 1];
    const mode = spec.batches;
    switch (mode.mode) {
      case 'all':
        return { message: fresh(known), serai: true };
      case 'some':
        return { message: fresh(known.slice(0, mode.cut % (known.length + 1))), serai: true };
      case 'none':
        return { message: fresh([]), serai: true };
      case 'redeliver':
        if (last === undefined) return { message: fresh([]), serai: true };
        // The very message applied last: recognised, changes nothing.
        return { message: structuredClone(last), serai: false };
      case 'replace':
        if (last === undefined) return { message: fresh([]), serai: true };
        return { message: { ...structuredClone(last), burns: [...last.burns, { instruction: { address: '', data: null }, balance: { coin: 'bitcoin', amount: '1' } }] }, serai: false };
      case 'stale': {
        if (lastSerai === null) return { message: fresh([]), serai: true };
        const back = BigInt(mode.back) > lastSerai ? lastSerai : BigInt(mode.back);
        return { message: { ...fresh([]), block: number(lastSerai - back) }, serai: false };
      }
      case 'unordered':
        if (known.length === 0) return { message: fresh([]), serai: true };
        return { message: fresh(known.length === 1 ? [known[0]!, known[0]!] : [...known].reverse()), serai: false };
      case 'repeat': {
        if (highestIncluded < 0) return { message: fresh([]), serai: true };
        // Half the time the highest one included, else any included one; then the new ones.
        const repeated = mode.pick % 2 === 0 ? highestIncluded : (mode.pick >> 1) % (highestIncluded + 1);
        return { message: fresh([repeated, ...known]), serai: false };
      }
      case 'future':
        return { message: fresh([...known, core.nextBatchId + mode.ahead]), serai: false };
    }
  };

  const seraiStep = (spec: SeraiSpec) => {
    const { message, serai } = seraiMessage(spec);
    if (options.check) {
      const parsed = coordinatorMessageSchemas['substrate.SubstrateBlock'].safeParse(message);
      assert.ok(parsed.success, `test setup: the generated message fails the schema: ${parsed.success ? '' : parsed.error.message}`);
    }
    // The guards must answer, never throw.
    const redelivery = isRedelivery(core, message);
    const problem = seraiBlockProblem(core, message);
    const knows = knowsBatches(core, message);
    feeRateBlock(core, message);
    const refusedBy = redelivery ? 'redelivery' : problem !== null ? problem : !knows ? 'unknown Batches' : null;
    if (options.check) {
      if (serai) assert.equal(refusedBy, null, `a Serai block as Serai makes it was refused: ${refusedBy}`);
      else assert.notEqual(refusedBy, null, `a block that is not Serai's (${spec.batches.mode}: batches ${JSON.stringify(message.batches)}, block ${message.block}) was accepted (last included Batch ${highestIncluded}, last Serai block ${lastSerai})`);
    }
    count(refusedBy === null ? 'serai blocks applied' : `serai blocks refused (${spec.batches.mode})`);
    if (refusedBy !== null) {
      assert.throws(() => applySeraiBlock(core, message, spec.feeRate), ScannerStateError);
      trace.push({ step: 'serai', refused: refusedBy, result: null });
      return;
    }

    const schedulerBefore = (core.scheduler as SchedulerState);
    const { core: next, result } = applySeraiBlock(core, message, spec.feeRate);
    core = next;
    trace.push({ step: 'serai', refused: null, result });
    applied.push(message);
    lastSerai = BigInt(message.block);
    nextSerai = lastSerai + 1n;
    if (message.batches.length > 0) highestIncluded = Math.max(highestIncluded, ...message.batches);

    // Plans' outputs to us: branch outputs must be expected (as the workflow does), then they and the change confirm later.
    if ((result.plans as Plan[]).some((plan) => plan.outputs.some((o) => o.kind === 'branch'))) {
      core = expectPlanOutputs(core, (result.plans as Plan[]).map((plan) => ({ plan, txid: txidOf(`plan ${plan.id}`) })));
    }
    for (const plan of (result.plans as Plan[])) {
      const txid = txidOf(`plan ${plan.id}`);
      plan.outputs.forEach((o, vout) => {
        if (o.kind === 'branch') unconfirmed.push({ txid, vout, kind: 'branch', amount: o.amount });
      });
      if (plan.change !== null) unconfirmed.push({ txid, vout: plan.outputs.length, kind: 'change', amount: plan.change });
    }

    const highest = Math.max(-1, ...message.batches);
    const acked = pending.filter((p) => p.batches.every((b) => b.id <= highest));
    pending = pending.filter((p) => !acked.includes(p));
    if (pending.some((p) => p.batches.some((b) => b.id <= highest))) count('blocks acknowledged in part');
    count('blocks acknowledged', acked.length);
    count('deposits credited', acked.reduce((n, p) => n + p.deposits.filter((d) => d.outcome.kind === 'instruction').length, 0));
    count('deposits refunded', acked.reduce((n, p) => n + p.deposits.filter((d) => d.outcome.kind === 'refund').length, 0));
    count('deposits unusable', result.unusableDeposits.length);
    count('refunds unpaid', result.unpaidRefunds.length);
    count('burns', message.burns.length);
    count('burns unpayable', result.unpayable.length);
    count('plans', (result.plans as Plan[]).length);
    count('plans (branch)', (result.plans as Plan[]).filter((p) => p.kind === 'branch').length);
    count('plans (aggregation)', (result.plans as Plan[]).filter((p) => p.kind === 'aggregation').length);
    count('plans with a branch output', (result.plans as Plan[]).filter((p) => p.outputs.some((o) => o.kind === 'branch')).length);
    count('payments dropped', (result.dropped as DroppedPayment[]).length);
    count('payments paid', (result.plans as Plan[]).reduce((n, p) => n + p.outputs.filter((o) => o.kind === 'payment').length, 0));
    count('payments still queued after a block', (core.scheduler as SchedulerState).payments.length);
    if (options.check) checkSeraiBlock(message, result, acked, schedulerBefore, core, ledger);
    // Plan outputs are in flight until the scheduler has them.
    for (const plan of (result.plans as Plan[])) {
      const txid = txidOf(`plan ${plan.id}`);
      plan.outputs.forEach((o, vout) => {
        if (o.kind === 'branch') ledger.inFlight.set(outpointHex(txid, vout), BigInt(o.amount));
      });
      if (plan.change !== null) ledger.inFlight.set(outpointHex(txid, plan.outputs.length), BigInt(plan.change));
    }
    if (options.check) checkBooks(core, ledger);
  };

  for (const st of s.steps) {
    if (st.kind === 'final') finalStep(st.blocks);
    else seraiStep(st);
    if (options.roundTrip) core = JSON.parse(JSON.stringify(core)) as ScannerCore;
  }
  return { trace, core };
}

/** The per-block and cumulative conservation checks of one applied Serai block. */
function checkSeraiBlock(message: SeraiBlockMessage, result: SeraiBlockResult, acked: readonly ModelBlock[], before: SchedulerState, core: ScannerCore, ledger: Ledger): void {
  assert.deepEqual(result.acknowledged, acked.map((p) => p.height), 'acknowledged blocks');
  const state = (core.scheduler as SchedulerState);
  const queued = new Map(state.payments.map((p) => [p.id, p]));
  const waiting = new Map(state.branches.flatMap((b) => b.payments.map((p) => [p.id, p] as const)));
  const paidNow = new Map<string, { amount: bigint; address: string }[]>();
  for (const plan of (result.plans as Plan[])) {
    for (const o of plan.outputs) if (o.kind === 'payment') paidNow.set(o.payment, [...(paidNow.get(o.payment) ?? []), { amount: BigInt(o.amount), address: o.address }]);
  }
  const droppedNow = new Map<string, DroppedPayment[]>();
  for (const d of (result.dropped as DroppedPayment[])) droppedNow.set(d.payment.id, [...(droppedNow.get(d.payment.id) ?? []), d]);
  /** Where a payment admitted by this block went: exactly one place, or the test fails. */
  const admittedNow = (id: string): boolean => queued.has(id) || waiting.has(id) || paidNow.has(id) || droppedNow.has(id);

  // Outputs handed to the scheduler: every output of the acknowledged blocks.
  for (const block of acked) {
    for (const o of block.outputs) {
      const id = outpointHex(o.txid, o.vout);
      const own = ledger.inFlight.get(id);
      if (own !== undefined) {
        assert.equal(own, BigInt(o.amount), `plan output ${id} came back with another amount`);
        ledger.inFlight.delete(id);
      } else {
        ledger.received += BigInt(o.amount);
      }
      assert.ok(!ledger.held.has(id), `output ${id} given to the scheduler twice`);
      ledger.held.add(id);
    }
  }

  // Deposits: each in exactly one of credited, refund admitted, refund unpaid, unusable.
  const unpaidById = new Map(result.unpaidRefunds.map((u) => [u.payment, u]));
  const unusableKeys = new Set(result.unusableDeposits.map((u) => u.output));
  assert.equal(unpaidById.size, result.unpaidRefunds.length, 'a refund reported unpaid twice');
  assert.equal(unusableKeys.size, result.unusableDeposits.length, 'a deposit reported unusable twice');
  const batchAmount = acked.flatMap((p) => p.batches.flatMap((b) => b.instructions)).reduce((sum, i) => sum + BigInt(i.balance.amount), 0n);
  let deposited = 0n;
  let creditedCount = 0n;
  let refundsAdmitted = 0n;
  let refundsUnpaid = 0n;
  let unusable = 0n;
  let refundsSeen = 0;
  let unusableSeen = 0;
  for (const d of acked.flatMap((p) => p.deposits)) {
    deposited += d.amount;
    switch (d.outcome.kind) {
      case 'instruction':
        creditedCount += 1n;
        break;
      case 'refund': {
        refundsSeen += 1;
        const unpaid = unpaidById.get(d.id);
        const admitted = admittedNow(d.id);
        assert.equal(Number(unpaid !== undefined) + Number(admitted), 1, `refund ${d.id} is ${unpaid ? 'unpaid and ' : ''}${admitted ? 'admitted' : 'nowhere'}`);
        // Documented: a refund to one of our own addresses is reported unpaid; others are admitted.
        assert.equal(unpaid !== undefined, OUR_SCRIPT_LIST.includes(d.outcome.refund.address), `refund ${d.id} to ${d.outcome.refund.address}: unpaid=${unpaid !== undefined}`);
        if (unpaid !== undefined) {
          assert.equal(BigInt(unpaid.amount), d.amount);
          assert.equal(unpaid.address, d.outcome.refund.address);
          refundsUnpaid += d.amount;
        } else {
          const payment: Payment = { id: d.id, address: d.outcome.refund.address, amount: d.amount.toString() };
          assert.ok(!ledger.admitted.has(d.id), `refund ${d.id} admitted twice`);
          ledger.admitted.set(d.id, payment);
          refundsAdmitted += d.amount;
        }
        break;
      }
      case 'unusable':
        unusableSeen += 1;
        assert.ok(unusableKeys.has(d.key), `unusable deposit ${d.key} not reported`);
        unusable += d.amount;
        break;
    }
  }
  assert.equal(unusableSeen, unusableKeys.size, 'reported unusable deposits that are not in the acknowledged blocks');
  const refundIds = new Set(acked.flatMap((p) => p.deposits.flatMap((d) => (d.outcome.kind === 'refund' ? [d.id] : []))));
  assert.equal(refundIds.size, refundsSeen, 'two refunds with one id');
  assert.ok(result.unpaidRefunds.every((u) => refundIds.has(u.payment)), 'an unpaid refund that is not in the acknowledged blocks');
  assert.equal(deposited, batchAmount + DEPOSIT_FEE * creditedCount + refundsAdmitted + refundsUnpaid + unusable, 'deposits: credited + fees + refunded + reported != deposited (this block)');
  ledger.deposited += deposited;
  ledger.credited += batchAmount;
  ledger.creditedCount += creditedCount;
  ledger.refundsAdmitted += refundsAdmitted;
  ledger.refundsUnpaid += refundsUnpaid;
  ledger.unusable += unusable;
  assert.equal(
    ledger.deposited,
    ledger.credited + DEPOSIT_FEE * ledger.creditedCount + ledger.refundsAdmitted + ledger.refundsUnpaid + ledger.unusable,
    'deposits: credited + fees + refunded + reported != deposited (cumulative)',
  );

  // Burns: each admitted as a payment or reported unpayable, as the rules decide.
  const unpayableByIndex = new Map(result.unpayable.map((u) => [u.index, u]));
  assert.equal(unpayableByIndex.size, result.unpayable.length, 'a burn reported unpayable twice');
  let burned = 0n;
  let burnsAdmitted = 0n;
  let burnsUnpayable = 0n;
  message.burns.forEach((burn, index) => {
    const amount = BigInt(burn.balance.amount);
    burned += amount;
    const id = burnPaymentId(message.block, index);
    const unpayable = unpayableByIndex.get(index);
    const admitted = admittedNow(id);
    assert.equal(Number(unpayable !== undefined) + Number(admitted), 1, `burn ${index} is ${unpayable ? 'unpayable and ' : ''}${admitted ? 'admitted' : 'nowhere'}`);
    assert.equal(unpayable === undefined, burnIsPayable(burn), `burn ${index} (${JSON.stringify(burn)}): unpayable=${unpayable !== undefined}, reason ${unpayable?.reason}`);
    if (unpayable !== undefined) {
      assert.equal(unpayable.amount, burn.balance.amount);
      assert.equal(unpayable.address, burn.instruction.address);
      burnsUnpayable += amount;
    } else {
      const script = bytesToHex(decodeAddress(hexToBytes(burn.instruction.address))!);
      ledger.admitted.set(id, { id, address: script, amount: burn.balance.amount });
      burnsAdmitted += amount;
    }
  });
  assert.ok(result.unpayable.every((u) => u.index >= 0 && u.index < message.burns.length), 'an unpayable burn that is not in the block');
  assert.equal(burned, burnsAdmitted + burnsUnpayable, 'burns: admitted + unpayable != burned (this block)');
  ledger.burned += burned;
  ledger.burnsAdmitted += burnsAdmitted;
  ledger.burnsUnpayable += burnsUnpayable;
  assert.equal(ledger.burned, ledger.burnsAdmitted + ledger.burnsUnpayable, 'burns: admitted + unpayable != burned (cumulative)');

  // Plans: value conserved; inputs held by the scheduler before, each spent once.
  for (const plan of (result.plans as Plan[])) checkPlan(plan, ledger);
  for (const [id, paid] of paidNow) ledger.paid.set(id, [...(ledger.paid.get(id) ?? []), ...paid]);
  for (const [id, dropped] of droppedNow) ledger.dropped.set(id, [...(ledger.dropped.get(id) ?? []), ...dropped]);

  // Every admitted payment in exactly one place, nothing unknown anywhere, nothing vanished.
  const anomalies: string[] = [];
  let requested = 0n;
  let accounted = 0n;
  for (const [id, payment] of ledger.admitted) {
    const paid = ledger.paid.get(id) ?? [];
    const dropped = ledger.dropped.get(id) ?? [];
    const places = paid.length + dropped.length + (queued.has(id) ? 1 : 0) + (waiting.has(id) ? 1 : 0);
    if (places !== 1) anomalies.push(`payment ${id} is in ${places} places`);
    const amount = BigInt(payment.amount);
    requested += amount;
    accounted += BigInt(places) * amount;
    for (const p of paid) {
      if (p.amount > amount || p.amount < DUST) anomalies.push(`payment ${id} of ${amount} paid ${p.amount}`);
      if (p.address !== payment.address) anomalies.push(`payment ${id} to ${payment.address} paid to ${p.address}`);
    }
    for (const d of dropped) if (d.payment.amount !== payment.amount || d.payment.address !== payment.address) anomalies.push(`payment ${id} dropped as ${JSON.stringify(d.payment)}`);
    const held = queued.get(id) ?? waiting.get(id);
    if (held !== undefined && (held.amount !== payment.amount || held.address !== payment.address)) anomalies.push(`payment ${id} held as ${JSON.stringify(held)}`);
  }
  for (const id of [...queued.keys(), ...waiting.keys(), ...ledger.paid.keys(), ...ledger.dropped.keys()]) {
    if (!ledger.admitted.has(id)) anomalies.push(`payment ${id} was never admitted`);
  }
  assert.deepEqual(anomalies, []);
  assert.equal(accounted, requested, 'admitted payments: paid + queued + waiting + dropped != admitted');
  // The queue only loses its head: the earlier payments are gone before the later ones.
  const beforeIds = before.payments.map((p) => p.id);
  const survivors = beforeIds.filter((id) => queued.has(id));
  assert.deepEqual(survivors, beforeIds.slice(beforeIds.length - survivors.length), 'the queue lost a payment that was not at its head');
}

function checkPlan(plan: Plan, ledger: Ledger): void {
  const inputs = sumOf(plan.inputs);
  const outputs = sumOf(plan.outputs);
  assert.equal(inputs, outputs + BigInt(plan.change ?? '0') + BigInt(plan.fee) + BigInt(plan.operatingCost), `plan ${plan.id} does not conserve value`);
  assert.ok(plan.inputs.length >= 1 && plan.inputs.length <= 520 && plan.outputs.length <= 520, `plan ${plan.id} is over the limits`);
  for (const input of plan.inputs) {
    assert.ok(ledger.held.has(input.id), `plan ${plan.id} spends ${input.id}, which the scheduler was never given`);
    assert.ok(!ledger.spent.has(input.id), `plan ${plan.id} spends ${input.id} again`);
    ledger.spent.add(input.id);
  }
  if (plan.change !== null) assert.ok(BigInt(plan.change) >= DUST, `plan ${plan.id} makes dust change`);
  for (const o of plan.outputs) {
    assert.ok(BigInt(o.amount) >= DUST, `plan ${plan.id} makes a dust output`);
    if (o.kind === 'payment') assert.ok(!OUR_SCRIPT_LIST.includes(o.address), `plan ${plan.id} pays our own address`);
  }
}

/** The scheduler's books: deposits - consumed = held outputs + in flight + branch shortfalls + operatingCosts. */
function checkBooks(core: ScannerCore, ledger: Ledger): void {
  const state = (core.scheduler as SchedulerState);
  let consumed = 0n;
  for (const [id, payment] of ledger.admitted) if (ledger.paid.has(id) || ledger.dropped.has(id)) consumed += BigInt(payment.amount);
  const pool = sumOf(state.outputs);
  const arrived = state.branches.reduce((sum, b) => sum + BigInt(b.output?.amount ?? '0'), 0n);
  const inFlight = [...ledger.inFlight.values()].reduce((a, b) => a + b, 0n);
  const shortfalls = state.branches.reduce((sum, b) => sum + sumOf(b.payments) - BigInt(b.amount), 0n);
  assert.equal(ledger.received - consumed, pool + arrived + inFlight + shortfalls + BigInt(state.operatingCosts), 'the books do not balance');
  // Every output the scheduler was given and no plan spent is in the pool or waiting on its branch.
  const unspent = [...ledger.held].filter((id) => !ledger.spent.has(id)).sort();
  const known = [...state.outputs.map((o) => o.id), ...state.branches.flatMap((b) => (b.output === null ? [] : [b.output.id]))].sort();
  assert.deepEqual(known, unspent, "the scheduler's outputs are not the ones it was given less those spent");
}

// ---------------------------------------------------------------------------------------------

describe('the scanner core over random final blocks and Serai blocks', () => {
  afterAll(() => {
    if (process.env.PROPERTY_STATS) console.log(Object.entries(stats).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}: ${v}`).join('\n'));
  });

  test(
    'nothing throws, refused blocks are refused, value is conserved and the books balance after every block',
    () => {
      fc.assert(
        fc.property(scenario({ depositBursts: 2, burnBursts: 2, partialWeight: 3, maxSteps: 14 }), (s) => {
          runScenario(s, { check: true, roundTrip: false });
        }),
        runParameters(RUNS),
      );
    },
    timeoutFor(RUNS, 8_000),
  );

  test(
    'blocks over one Batch, included over several Serai blocks: a Batch included before is refused, the block is released once, nothing lost',
    () => {
      fc.assert(
        fc.property(splitInclusionScenario, (s) => {
          runScenario(s, { check: true, roundTrip: false });
        }),
        runParameters(SPLIT_RUNS),
      );
    },
    timeoutFor(SPLIT_RUNS, 3_000),
  );

  // The minimal counterexample of the property above, pinned (fails until seraiBlockProblem remembers
  // every Batch included, not only those of fully acknowledged blocks).
  test('a Batch an earlier Serai block included is refused even while its block waits for its other Batches', () => {
    const raw = (i: number) => bytesToHex(encodeShorthand({ kind: 'Raw', origin: null, instruction: { kind: 'Transfer', address: hash(`account ${i}`) } }));
    const outputs: FoundOutput[] = [];
    const deposits: DepositOutcome[] = [];
    for (let i = 0; i < 600; i++) {
      const txid = txidOf(`example ${i}`);
      const output: ScannedOutput = { id: `${txid}:0`, kind: 'external', txid, vout: 0, amount: '20000', script: OUR_SCRIPTS.external, session: 0, presumedOrigin: null, data: raw(i), dataStatus: 'present' };
      outputs.push({ txid, vout: 0, kind: 'external', amount: '20000' });
      deposits.push(...depositOutcomes([output]));
    }
    const keyed = withKey(emptyCore('bitcoin'), { session: 0, activeFrom: ACTIVE_FROM, networkKey: hash('key'), scripts: OUR_SCRIPTS }, initialScanState({ confirmations: 3, startHeight: 100 }));
    const { core, batches } = acceptFinalBlocks(keyed, [{ block: { height: 101, hash: blockHash(101), time: ACTIVE_FROM }, outputs, deposits }]);
    // 600 instructions exceed MAX_BATCH_INSTRUCTIONS (594): the block has Batches 0 and 1.
    expect(batches.map((b) => b.id)).toEqual([0, 1]);
    const message = (block: number, ids: number[]): SeraiBlockMessage => ({
      kind: 'substrate.SubstrateBlock',
      context: { serai_time: '2000', network_latest_finalized_block: blockHash(0) },
      block: String(block),
      batches: ids,
      burns: [],
    });
    // Serai block 0 includes Batch 0 only: nothing is released yet.
    const first = applySeraiBlock(core, message(0, [0]), 1);
    expect(first.result.acknowledged).toEqual([]);
    // Serai block 1 includes Batch 0 again (and 1): Serai includes each Batch once, so this is not Serai's.
    expect(seraiBlockProblem(first.core, message(1, [0, 1]))).not.toBeNull();
  });

  test(
    'deterministic: the same inputs give deep-equal results twice, and with the core through JSON between steps',
    () => {
      fc.assert(
        fc.property(scenario({ depositBursts: 2, burnBursts: 2, partialWeight: 3, maxSteps: 10 }), (s) => {
          const first = runScenario(s, { check: false, roundTrip: false });
          const second = runScenario(s, { check: false, roundTrip: false });
          assert.deepEqual(second, first);
          const carried = runScenario(s, { check: false, roundTrip: true });
          assert.deepEqual(carried.trace, first.trace);
          assert.deepEqual(JSON.parse(JSON.stringify(carried.core)), JSON.parse(JSON.stringify(first.core)));
        }),
        runParameters(DETERMINISM_RUNS),
      );
    },
    timeoutFor(DETERMINISM_RUNS, 3_000),
  );
});
