import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { encodeBatch } from '../../../messages/batch';
import type { InInstructionWithBalance } from '../../../messages/instructions';
import { MAX_BATCH_INSTRUCTIONS, MAX_BATCH_SIZE } from '../../../messages/limits';
import { encodeAddress, type DepositOutcome } from '../../../networks/bitcoin/instructions';
import { initialScanState } from '../../../networks/finality';
import type { AnyPlan } from '../../../scheduler/plans';
import type { SchedulerSlot } from '../../../workflows/scheduling';
import type { Plan, SchedulerState } from '../../../scheduler/types';
import {
  acceptFinalBlocks,
  applySeraiBlock,
  batchesOf,
  emptyCore,
  expectPlanOutputs,
  isRedelivery,
  knowsBatches,
  outpointHex,
  scanCap,
  seraiBlockProblem,
  holdIfHalted,
  judgeSolvency,
  releaseHeld,
  solvencyProblem,
  withSolvency,
  withKey,
  ScannerStateError,
  type FinalBlock,
  type ScannerCore,
  type SeraiBlockMessage,
} from '../../../workflows/scanner-state';

/** Bitcoin's scheduler and plans are the UTXO scheduler's. */
const utxo = (state: SchedulerSlot | null): SchedulerState => state as SchedulerState;
const utxoPlans = (plans: readonly AnyPlan[]): Plan[] => plans as Plan[];

const hash = (n: number) => n.toString(16).padStart(64, '0');
const txid = (n: number) => (n + 0x1000).toString(16).padStart(64, 'a');
const account = (n: number) => n.toString(16).padStart(64, '0');
const SCRIPTS = { external: `5120${'11'.repeat(32)}`, branch: `5120${'22'.repeat(32)}`, change: `5120${'33'.repeat(32)}`, forward: `5120${'44'.repeat(32)}` };

function transfer(n: number, amount: bigint): InInstructionWithBalance {
  return { instruction: { kind: 'Transfer', address: account(n) }, balance: { coin: 'bitcoin', amount: amount.toString() } };
}

function keyed(confirmations = 3): ScannerCore {
  const networkKey = bytesToHex(schnorr.getPublicKey(schnorr.utils.randomSecretKey()));
  return withKey(emptyCore('bitcoin'), { session: 0, activeFrom: 1000, networkKey, scripts: SCRIPTS }, initialScanState({ confirmations, startHeight: 100 }));
}

function block(height: number, time: number, deposits: { n: number; amount: bigint; outcome: 'instruction' | 'refund' | 'unusable' }[] = []): FinalBlock {
  const outputs = deposits.map((d) => ({ txid: txid(d.n), vout: 0, kind: 'external' as const, amount: d.amount.toString() }));
  const outcomes: DepositOutcome[] = deposits.map((d) => {
    const output = `${txid(d.n)}:0`;
    if (d.outcome === 'instruction') return { kind: 'instruction', output, instruction: transfer(d.n, d.amount - 1600n), refundTo: null };
    if (d.outcome === 'refund') return { kind: 'refund', output, invalid: { reason: 'no-data' }, refund: { address: `0014${'55'.repeat(20)}`, amount: d.amount.toString() } };
    return { kind: 'unusable', output, invalid: { reason: 'no-data' } };
  });
  return { block: { height, hash: hash(height), time }, outputs, deposits: outcomes };
}

function serai(number: number, batches: number[], burns: SeraiBlockMessage['burns'] = []): SeraiBlockMessage {
  return { kind: 'substrate.SubstrateBlock', context: { serai_time: '2000', network_latest_finalized_block: hash(0) }, block: String(number), batches, burns };
}

describe('batchesOf', () => {
  test('one empty Batch for a notable block without instructions', () => {
    expect(batchesOf('bitcoin', 7, hash(1), [])).toEqual([{ network: 'bitcoin', id: 7, block: hash(1), instructions: [] }]);
  });

  test('splits at the encoded size limit with consecutive ids, each Batch at most MAX_BATCH_SIZE, order kept', () => {
    const instructions = Array.from({ length: 1500 }, (_, i) => transfer(i, 100_000n + BigInt(i)));
    const batches = batchesOf('bitcoin', 3, hash(9), instructions);
    expect(batches.length).toBeGreaterThan(2);
    expect(batches.map((b) => b.id)).toEqual(batches.map((_, i) => 3 + i));
    for (const batch of batches) {
      expect(encodeBatch(batch).length).toBeLessThanOrEqual(MAX_BATCH_SIZE);
      expect(batch.instructions.length).toBeLessThanOrEqual(MAX_BATCH_INSTRUCTIONS);
    }
    expect(batches.flatMap((b) => b.instructions)).toEqual(instructions);
    // Greedy: every Batch but the last is full (the next instruction would not have fit).
    for (const batch of batches.slice(0, -1)) {
      const next = { ...batch, instructions: [...batch.instructions, instructions[0]!] };
      expect(encodeBatch(next).length > MAX_BATCH_SIZE || next.instructions.length > MAX_BATCH_INSTRUCTIONS).toBe(true);
    }
  });
});

describe('the scanner core', () => {
  test('blocks before the activation time are not notable; the activation block is, even when empty', () => {
    const { core, batches } = acceptFinalBlocks(keyed(), [block(100, 990), block(101, 999), block(102, 1000), block(103, 1001)]);
    expect(core.key!.activationHeight).toBe(102);
    expect(batches).toEqual([{ network: 'bitcoin', id: 0, block: hash(102), instructions: [] }]);
    expect(core.pending.map((p) => p.height)).toEqual([102]);
    expect(core.nextBatchId).toBe(1);
  });

  test('a block with deposits gets one Batch of its instructions; refunds and unusable ones are kept for the acknowledgement', () => {
    let { core } = acceptFinalBlocks(keyed(), [block(102, 1000)]);
    const accepted = acceptFinalBlocks(core, [
      block(103, 1001, [
        { n: 1, amount: 50_000n, outcome: 'instruction' },
        { n: 2, amount: 60_000n, outcome: 'refund' },
        { n: 3, amount: 70_000n, outcome: 'unusable' },
      ]),
    ]);
    core = accepted.core;
    expect(accepted.batches).toEqual([{ network: 'bitcoin', id: 1, block: hash(103), instructions: [transfer(1, 50_000n - 1600n)] }]);
    const entry = core.pending[1]!;
    expect(entry.outputs.map((o) => o.id)).toEqual([1, 2, 3].map((n) => outpointHex(txid(n), 0)));
    expect(entry.refunds).toEqual([{ id: outpointHex(txid(2), 0), address: `0014${'55'.repeat(20)}`, amount: '60000' }]);
    expect(entry.unusable).toEqual([{ output: `${txid(3)}:0`, reason: 'no-data' }]);

    // Serai's acknowledgement hands all three to the scheduler, queues the refund and reports the unusable one.
    const applied = applySeraiBlock(core, serai(1, [0, 1]), 1);
    expect(applied.result.unusableDeposits).toEqual([{ output: `${txid(3)}:0`, reason: 'no-data' }]);
    const queued = [...utxo(applied.core.scheduler).payments.map((p) => p.id), ...utxoPlans(applied.result.plans).flatMap((p) => p.outputs.flatMap((o) => (o.kind === 'payment' ? [o.payment] : [])))];
    expect(queued).toContain(outpointHex(txid(2), 0));
  });

  test('scanning stops `confirmations` blocks past the oldest unacknowledged notable block', () => {
    const { core } = acceptFinalBlocks(keyed(3), [block(102, 1000)]);
    expect(scanCap(core)).toBe(105);
    expect(scanCap(keyed(3))).toBeUndefined();
  });

  test('a Serai block acknowledges its Batches, hands their outputs to the scheduler and schedules a burn; a re-delivery is recognised', () => {
    let core = acceptFinalBlocks(keyed(), [block(102, 1000), block(103, 1001, [{ n: 1, amount: 5_000_000n, outcome: 'instruction' }])]).core;
    expect(knowsBatches(core, serai(1, [0, 1]))).toBe(true);
    expect(knowsBatches(core, serai(1, [2]))).toBe(false);

    const first = applySeraiBlock(core, serai(1, [0, 1]), 1);
    core = first.core;
    expect(first.result.acknowledged).toEqual([102, 103]);
    expect(first.result.plans).toEqual([]);
    expect(core.pending).toEqual([]);
    expect(utxo(core.scheduler).outputs).toHaveLength(1);
    expect(scanCap(core)).toBeUndefined();

    const payee = `5120${'66'.repeat(32)}`;
    const burns: SeraiBlockMessage['burns'] = [
      { instruction: { address: bytesToHex(encodeAddress(hexToBytes(payee))!), data: null }, balance: { coin: 'bitcoin', amount: '1000000' } },
      { instruction: { address: 'ff00ff', data: null }, balance: { coin: 'bitcoin', amount: '2000000' } },
    ];
    const second = applySeraiBlock(core, serai(2, [], burns), 3);
    expect(second.result.unpayable).toEqual([{ index: 1, address: 'ff00ff', amount: '2000000', reason: 'the address does not parse as a Bitcoin address' }]);
    expect(second.result.plans).toHaveLength(1);
    const plan = utxoPlans(second.result.plans)[0]!;
    expect(plan.outputs).toEqual([expect.objectContaining({ kind: 'payment', address: payee })]);
    expect(isRedelivery(second.core, serai(2, [], burns))).toBe(true);
    expect(isRedelivery(second.core, serai(1, [0, 1]))).toBe(true);
    // The same number with other content is not a re-delivery: it is refused, never dropped unseen.
    expect(isRedelivery(second.core, serai(1, []))).toBe(false);
    expect(seraiBlockProblem(second.core, serai(1, []))).toMatch(/differs/);
    expect(isRedelivery(second.core, serai(3, []))).toBe(false);
    expect(() => applySeraiBlock(second.core, serai(2, [], burns), 3)).toThrow(/already applied/);

    // A new Serai block re-including an acknowledged Batch, or ids out of order, is not Serai's.
    expect(seraiBlockProblem(second.core, serai(3, [1]))).toMatch(/at or below 1/);
    expect(seraiBlockProblem(second.core, serai(3, [3, 2]))).toMatch(/not in increasing order/);
    expect(seraiBlockProblem(second.core, serai(3, [2]))).toBeNull();
    expect(() => applySeraiBlock(second.core, serai(3, [0]), 1)).toThrow(ScannerStateError);
  });

  test('the same inputs give the same plans (every validator schedules alike)', () => {
    const run = (core: ScannerCore) => {
      let c = acceptFinalBlocks(core, [block(102, 1000), block(103, 1001, [{ n: 1, amount: 5_000_000n, outcome: 'instruction' }, { n: 2, amount: 3_000_000n, outcome: 'refund' }])]).core;
      c = applySeraiBlock(c, serai(1, [0, 1]), 2).core;
      return applySeraiBlock(c, serai(2, [], [{ instruction: { address: bytesToHex(encodeAddress(hexToBytes(`5120${'77'.repeat(32)}`))!), data: null }, balance: { coin: 'bitcoin', amount: '1500000' } }]), 2).result;
    };
    const base = keyed();
    expect(run(base)).toEqual(run(base));
  });

  test('branch outputs of our plans are handed over by branch id; an unexpected one joins the pool as change', () => {
    let core = keyed();
    const plan = { id: hash(5), inputs: [], outputs: [{ kind: 'branch' as const, branch: hash(6), amount: '40000' }], change: null, fee: '1000', operatingCost: '0' } as unknown as Parameters<typeof expectPlanOutputs>[1][number]['plan'];
    core = expectPlanOutputs(core, [{ plan, txid: txid(9) }]);
    const accepted = acceptFinalBlocks(core, [
      {
        block: { height: 102, hash: hash(102), time: 1000 },
        outputs: [
          { txid: txid(9), vout: 0, kind: 'branch', amount: '40000' },
          { txid: txid(10), vout: 1, kind: 'branch', amount: '30000' },
        ],
        deposits: [],
      },
    ]);
    expect(accepted.core.pending[0]!.outputs).toEqual([
      { id: outpointHex(txid(9), 0), kind: 'branch', amount: '40000', branch: hash(6) },
      { id: outpointHex(txid(10), 1), kind: 'change', amount: '30000' },
    ]);
    expect(accepted.core.expectedBranches).toEqual({});
  });
});

describe('hostile refunds and burns never stop a Serai block (issue: nothing a user does stops the processor)', () => {
  /** A deposit with bad data whose refund would pay `address`. */
  function refundBlock(height: number, deposits: { n: number; amount: bigint; refundTo: string }[]): FinalBlock {
    const base = block(height, 1000);
    return {
      ...base,
      outputs: deposits.map((d) => ({ txid: txid(d.n), vout: 0, kind: 'external' as const, amount: d.amount.toString() })),
      deposits: deposits.map((d) => ({ kind: 'refund', output: `${txid(d.n)}:0`, invalid: { reason: 'unsupported', shorthand: 'Swap' }, refund: { address: d.refundTo, amount: d.amount.toString() } })),
    };
  }
  const burn = (address: string, amount: string) => ({ instruction: { address, data: null }, balance: { coin: 'bitcoin' as const, amount } });
  const encoded = (script: string) => bytesToHex(encodeAddress(hexToBytes(script))!);
  const payee = `0014${'66'.repeat(20)}`;

  test('a refund to our own deposit address and burns to our address, of 0 and above the supply are reported; the good burn is planned', () => {
    let core = keyed();
    const accepted = acceptFinalBlocks(core, [
      refundBlock(100, [
        { n: 1, amount: 50_000_000n, refundTo: SCRIPTS.external },
        { n: 2, amount: 40_000_000n, refundTo: payee },
      ]),
    ]);
    core = accepted.core;
    const message = serai(1, [0], [burn(encoded(SCRIPTS.external), '100000'), burn(encoded(payee), '0'), burn(encoded(payee), '2100000000000001'), burn(encoded(payee), '20000000')]);
    const { core: after, result } = applySeraiBlock(core, message, 1);
    expect(result.unpaidRefunds).toEqual([{ payment: outpointHex(txid(1), 0), address: SCRIPTS.external, amount: '50000000', reason: 'address: pays one of our own addresses' }]);
    expect(result.unpayable.map((u) => [u.index, u.reason])).toEqual([
      [0, 'address: pays one of our own addresses'],
      [1, 'amount: expected at least 1'],
      [2, 'amount: expected at most maxAmount'],
    ]);
    // The good refund and the good burn are paid, in one plan.
    const paid = utxoPlans(result.plans).flatMap((plan) => plan.outputs.filter((o) => o.kind === 'payment').map((o) => o.address));
    expect(paid).toEqual([payee, payee]);
    expect(after.lastSeraiBlock).toBe('1');
    // Nothing is lost from the books: both deposits are in the pool or spent by the plan.
    const spent = utxoPlans(result.plans).flatMap((plan) => plan.inputs.map((input) => input.id));
    expect(new Set([...spent, ...utxo(after.scheduler).outputs.map((o) => o.id)])).toEqual(new Set([outpointHex(txid(1), 0), outpointHex(txid(2), 0)]));
  });

  test('a later block still applies after a block of hostile burns', () => {
    let core = acceptFinalBlocks(keyed(), [block(100, 1000, [{ n: 1, amount: 90_000_000n, outcome: 'instruction' }])]).core;
    core = applySeraiBlock(core, serai(1, [0], [burn(encoded(SCRIPTS.change), '1000')]), 1).core;
    const { result } = applySeraiBlock(core, serai(2, [], [burn(encoded(payee), '30000000')]), 1);
    expect(result.plans).toHaveLength(1);
    expect(result.unpayable).toEqual([]);
  });
});

describe('Serai blocks at or below the last applied one', () => {
  const applied = () => {
    const core = acceptFinalBlocks(keyed(), [block(100, 1000)]).core;
    return applySeraiBlock(applySeraiBlock(core, serai(5, [0]), 1).core, serai(7, []), 1).core;
  };

  test('the same block again is a re-delivery', () => {
    const core = applied();
    expect(isRedelivery(core, serai(7, []))).toBe(true);
    expect(seraiBlockProblem(core, serai(7, []))).toBeNull();
  });

  test('a different block under an applied number is refused, never taken for a re-delivery', () => {
    const core = applied();
    const other = serai(7, [], [{ instruction: { address: bytesToHex(encodeAddress(hexToBytes(`0014${'77'.repeat(20)}`))!), data: null }, balance: { coin: 'bitcoin', amount: '5000000' } }]);
    expect(isRedelivery(core, other)).toBe(false);
    expect(seraiBlockProblem(core, other)).toMatch(/differs from the Serai block 7 applied before/);
  });

  test('a block numbered below the last one and never applied is refused as out of order, not dropped as a re-delivery', () => {
    const core = applied();
    expect(isRedelivery(core, serai(6, []))).toBe(false);
    expect(seraiBlockProblem(core, serai(6, []))).toMatch(/at or below the last applied Serai block 7/);
  });
});

describe('the solvency watch', () => {
  const burnTo = (amount: string) => ({ instruction: { address: bytesToHex(encodeAddress(hexToBytes(`0014${'66'.repeat(20)}`))!), data: null }, balance: { coin: 'bitcoin' as const, amount } });
  /** A keyed core whose deposit of 1 BTC Serai minted (less the deposit fee) in Serai block 1. */
  const minted = () => {
    const accepted = acceptFinalBlocks(keyed(), [block(100, 1000, [{ n: 1, amount: 100_000_000n, outcome: 'instruction' }])]).core;
    return applySeraiBlock(accepted, serai(1, [0]), 1).core;
  };

  test('the books follow what our Batches minted and what Serai burned; a supply they back is no problem', () => {
    const core = applySeraiBlock(minted(), serai(2, [], [burnTo('30000000')]), 1).core;
    expect(core.books).toEqual({ minted: { bitcoin: String(100_000_000 - 1600) }, burned: { bitcoin: '30000000' } });
    expect(solvencyProblem(core, { bitcoin: String(100_000_000 - 1600 - 30_000_000) })).toBeNull();
    // Serai's supply may lag (a burn debited before its block): never a problem.
    expect(solvencyProblem(core, { bitcoin: '0' })).toBeNull();
  });

  test("a Batch Serai may have included before we applied its block is counted as on its way", () => {
    const core = acceptFinalBlocks(minted(), [block(200, 2000, [{ n: 2, amount: 50_000_000n, outcome: 'instruction' }])]).core;
    expect(solvencyProblem(core, { bitcoin: String(100_000_000 - 1600 + 50_000_000 - 1600) })).toBeNull();
  });

  test('scheduling never depends on the watch (every validator plans alike); a halt holds the block\'s plans back from signing', () => {
    const core = minted();
    const real = 100_000_000 - 1600;
    const { core: applied, result } = applySeraiBlock(core, serai(2, [], [burnTo('30000000')]), 1);
    expect(result.plans).toHaveLength(1);
    // Serai minted 0.3 out of thin air, and its holder burned all of it before this block came.
    const forged = judgeSolvency(applied, { supply: { bitcoin: String(real) }, spentElsewhere: [] });
    expect(forged.solvency).toMatchObject({ state: 'halted', reason: expect.stringMatching(/30000000 was minted without a deposit/) });
    const held = holdIfHalted(forged, result);
    expect(held.release).toEqual([]);
    expect(held.core.heldSeraiBlocks).toEqual([result]);
    // An honest burn of backed coins: signed at once.
    const honest = holdIfHalted(judgeSolvency(applied, { supply: { bitcoin: String(real - 30_000_000) }, spentElsewhere: [] }), result);
    expect(honest.release).toEqual([result]);
    expect(honest.core.heldSeraiBlocks).toEqual([]);
    // An output the scheduler still holds after this block's plans, spent on chain by nobody we know: halted too.
    const stolen = judgeSolvency(applied, { supply: null, spentElsewhere: [outpointHex(txid(1), 0)] });
    expect(stolen.solvency).toMatchObject({ state: 'halted', reason: expect.stringMatching(/spent on chain by no plan of ours/) });
  });

  test('a reading without Serai\'s supply learns nothing: a halt is kept, a solvent state too; an operator still resumes', () => {
    const core = minted();
    const unbacked = { supply: { bitcoin: String(100_000_000 - 1600 + 5_000_000) }, spentElsewhere: [] };
    const halted = judgeSolvency(core, unbacked);
    expect(halted.solvency!.state).toBe('halted');
    expect(judgeSolvency(halted, { supply: null, spentElsewhere: [] }).solvency).toEqual(halted.solvency);
    expect(judgeSolvency(core, { supply: null, spentElsewhere: [] }).solvency).toEqual(core.solvency);
    expect(releaseHeld(holdIfHalted(judgeSolvency(halted, { supply: null, spentElsewhere: [] }), applySeraiBlock(halted, serai(2, [], [burnTo('30000000')]), 1).result).core).release).toEqual([]);
    expect(judgeSolvency(halted, { supply: null, spentElsewhere: [], override: 'checked' }).solvency).toMatchObject({ state: 'solvent', override: 'checked' });
  });

  test('coins minted without a deposit halt payouts: Serai blocks are held, in order, until an operator resumes them', () => {
    let core = minted();
    const problem = solvencyProblem(core, { bitcoin: String(100_000_000 - 1600 + 5_000_000) });
    expect(problem).toMatch(/5000000 was minted without a deposit/);
    core = withSolvency(core, problem);
    expect(core.solvency).toEqual({ state: 'halted', reason: problem, override: null });
    const first = applySeraiBlock(core, serai(2, [], [burnTo('30000000')]), 1);
    core = holdIfHalted(first.core, first.result).core;
    const second = applySeraiBlock(core, serai(3, [], [burnTo('20000000')]), 1);
    core = holdIfHalted(second.core, second.result).core;
    expect(core.heldSeraiBlocks!.map((held) => held.block)).toEqual(['2', '3']);
    expect(releaseHeld(core).release).toEqual([]);
    // The problem persists (the unbacked coins stay unbacked); an operator resumes, and the held blocks go, oldest first.
    core = withSolvency(core, problem, 'checked with the Serai team');
    core = withSolvency(core, problem);
    expect(core.solvency).toMatchObject({ state: 'solvent', override: 'checked with the Serai team' });
    const released = releaseHeld(core);
    expect(released.release).toEqual([first.result, second.result]);
    expect(released.core.heldSeraiBlocks).toEqual([]);
    // Once the books agree the override is spent: the next problem halts again.
    core = withSolvency(withSolvency(released.core, null), problem);
    expect(core.solvency!.state).toBe('halted');
  });
});
