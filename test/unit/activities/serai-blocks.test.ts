/**
 * The Serai-block activity on the real keystore: it applies a block exactly as the pure core does,
 * with the schedulers in the store and only their digests (and counts) in the scanner's state.
 * The chain adapter is a stand-in that answers the fee-rate read only (the one thing the activity
 * asks of the chain).
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { createSeraiBlockActivities, type SeraiBlockOutcome } from '../../../activities/serai-blocks';
import type { InInstructionWithBalance } from '../../../messages/instructions';
import { encodeAddress } from '../../../networks/bitcoin/instructions';
import type { ChainAdapter } from '../../../networks/chain';
import { initialScanState } from '../../../networks/finality';
import { chainRules, type UtxoChainRules } from '../../../networks/rules';
import { receiveOutputs, schedule, type Plan, type SchedulerState } from '../../../scheduler';
import { SchedulerStateMissingError, type Keystore } from '../../../store';
import { isStoredScheduler, type SchedulerSlot, type StoredScheduler } from '../../../workflows/scheduling';
import { acceptFinalBlocks, applySeraiBlock, emptyCore, feeRateBlock, outpointHex, withKey, type FinalBlock, type ScannerCore, type SeraiBlockMessage } from '../../../workflows/scanner-state';
import { outputsToUs } from '../scheduler/bitcoin-model';
import { freshKeystore, tempDir } from '../store/helpers';

const hash = (n: number) => n.toString(16).padStart(64, '0');
const txid = (n: number) => (n + 0x1000).toString(16).padStart(64, 'a');
const SCRIPTS = { external: `5120${'11'.repeat(32)}`, branch: `5120${'22'.repeat(32)}`, change: `5120${'33'.repeat(32)}`, forward: `5120${'44'.repeat(32)}` };
const FEE_RATE = 3;

function keyed(): ScannerCore {
  const networkKey = bytesToHex(schnorr.getPublicKey(schnorr.utils.randomSecretKey()));
  return withKey(emptyCore('bitcoin'), { session: 0, activeFrom: 1000, networkKey, scripts: SCRIPTS }, initialScanState({ confirmations: 3, startHeight: 100 }));
}

function block(height: number, time: number, deposits: { n: number; amount: bigint }[] = []): FinalBlock {
  const transfer = (n: number, amount: bigint): InInstructionWithBalance => ({ instruction: { kind: 'Transfer', address: hash(n) }, balance: { coin: 'bitcoin', amount: amount.toString() } });
  return {
    block: { height, hash: hash(height), time },
    outputs: deposits.map((d) => ({ txid: txid(d.n), vout: 0, kind: 'external' as const, amount: d.amount.toString() })),
    deposits: deposits.map((d) => ({ kind: 'instruction' as const, output: `${txid(d.n)}:0`, instruction: transfer(d.n, d.amount - 1600n), refundTo: null })),
  };
}

const payee = (i: number) => (i % 3 === 0 ? `0014${(i + 1).toString(16).padStart(40, '0')}` : `5120${(i + 1).toString(16).padStart(64, '0')}`);
const burn = (i: number, amount: bigint) => ({ instruction: { address: bytesToHex(encodeAddress(hexToBytes(payee(i)))!), data: null }, balance: { coin: 'bitcoin' as const, amount: amount.toString() } });

function serai(number: number, batches: number[], burns: SeraiBlockMessage['burns'] = []): SeraiBlockMessage {
  return { kind: 'substrate.SubstrateBlock', context: { serai_time: '2000', network_latest_finalized_block: hash(0) }, block: String(number), batches, burns };
}

function activities(keystore: Keystore) {
  const feeReads: string[] = [];
  const chain = { feed: { feeRateAt: async (at: string) => (feeReads.push(at), FEE_RATE) } } as unknown as ChainAdapter;
  return { ...createSeraiBlockActivities({ keystore, chain: () => chain }), feeReads };
}

function applied(outcome: SeraiBlockOutcome) {
  if ('refused' in outcome) throw new Error(`refused: ${outcome.refused}`);
  return outcome.applied;
}

const stored = (slot: SchedulerSlot | null): StoredScheduler => {
  if (slot === null || !isStoredScheduler(slot)) throw new Error('expected a stored scheduler');
  return slot;
};

const { dir, cleanup } = tempDir('serai-blocks');
afterAll(cleanup);

describe('applySeraiBlock (activity)', () => {
  test('applies each block as the pure core does; the state names the stored schedulers by digest', async () => {
    const { keystore } = freshKeystore(dir);
    const { applySeraiBlock: applyStored, feeReads } = activities(keystore);
    let pure = acceptFinalBlocks(keyed(), [block(102, 1000), block(103, 1001, [{ n: 1, amount: 5_000_000n }])]).core;
    let core = pure;
    const messages = [serai(1, [0, 1]), serai(2, [], [burn(1, 1_000_000n), burn(2, 2_000_000n)]), serai(3, [], [burn(3, 500_000n)])];
    for (const message of messages) {
      const at = feeRateBlock(pure, message);
      const expected = applySeraiBlock(pure, message, at === null ? 1 : FEE_RATE);
      const got = applied(await applyStored({ core, message }));
      expect(got.result).toEqual(expected.result);
      const slot = stored(got.core.scheduler);
      expect(keystore.schedulerStates.get(slot.stored)).toEqual(expected.core.scheduler);
      const state = expected.core.scheduler as SchedulerState;
      expect(slot.heldOutputs).toEqual(state.outputs.map((o) => o.id));
      expect(slot.queuedPayments).toBe(state.payments.length);
      // Everything but the scheduler is the pure core's.
      expect({ ...got.core, scheduler: null }).toEqual({ ...expected.core, scheduler: null });
      if (at !== null) expect(feeReads[feeReads.length - 1]).toBe(at);
      pure = expected.core;
      core = got.core;
    }
    expect(feeReads.length).toBeGreaterThan(0);
    keystore.close();
  });

  test('a block the pure core refuses is a refusal naming why, and stores nothing', async () => {
    const { keystore } = freshKeystore(dir);
    const { applySeraiBlock: applyStored } = activities(keystore);
    const core = applied(await applyStored({ core: acceptFinalBlocks(keyed(), [block(102, 1000)]).core, message: serai(1, [0]) })).core;
    const before = keystore.schedulerStates.count('bitcoin');
    expect(await applyStored({ core, message: serai(1, [0]) })).toEqual({ refused: 'Serai block 1 was already applied' });
    expect(keystore.schedulerStates.count('bitcoin')).toBe(before);
    keystore.close();
  });

  test('a state the store no longer holds fails the activity (retried until restored), never a refusal that would skip the block', async () => {
    const { keystore } = freshKeystore(dir);
    const { applySeraiBlock: applyStored } = activities(keystore);
    const core = applied(await applyStored({ core: acceptFinalBlocks(keyed(), [block(102, 1000)]).core, message: serai(1, [0]) })).core;
    const lost = { ...core, scheduler: { ...stored(core.scheduler), stored: 'ab'.repeat(32) } };
    await expect(applyStored({ core: lost, message: serai(2, [], [burn(1, 1_000_000n)]) })).rejects.toThrow(SchedulerStateMissingError);
    keystore.close();
  });
});

/**
 * Item 2 of issue 15: a backlog of 100 000 payments queued through 20 Serai blocks while the key
 * holds nothing, then one deposit that covers them. The scanner's state stays a few KB throughout;
 * the stored scheduler then pays every payment exactly once, value conserved, through the plans of
 * the block and the branch plans after it (confirmed on a simulated chain that checks each plan).
 */
describe('a backlog of 100 000 payments', () => {
  const BLOCKS = 20;
  const PER_BLOCK = 5000;
  const amountOf = (i: number) => 50_000n + BigInt((i * 7919) % 1000) * 1_000n;
  let lastApplyMs = 0;

  test('is queued with the scanner state small, then scheduled: each payment paid once, value conserved', async () => {
    const { keystore } = freshKeystore(dir);
    const { applySeraiBlock: applyStored } = activities(keystore);
    let core = applied(await applyStored({ core: acceptFinalBlocks(keyed(), [block(102, 1000)]).core, message: serai(1, [0]) })).core;
    let largestCore = 0;
    let requested = 0n;
    for (let b = 0; b < BLOCKS; b++) {
      const burns = Array.from({ length: PER_BLOCK }, (_, j) => burn(b * PER_BLOCK + j, amountOf(b * PER_BLOCK + j)));
      requested += burns.reduce((sum, x) => sum + BigInt(x.balance.amount), 0n);
      const started = performance.now();
      const outcome = applied(await applyStored({ core, message: serai(2 + b, [], burns) }));
      lastApplyMs = performance.now() - started;
      expect(outcome.result.plans).toEqual([]);
      expect(outcome.result.unpayable).toEqual([]);
      core = outcome.core;
      largestCore = Math.max(largestCore, JSON.stringify(core).length);
    }
    expect(stored(core.scheduler).queuedPayments).toBe(BLOCKS * PER_BLOCK);
    expect(largestCore).toBeLessThan(16 * 1024);
    console.log(`the last of ${BLOCKS} blocks, onto a queue of ${(BLOCKS - 1) * PER_BLOCK}: ${lastApplyMs.toFixed(0)} ms; the scanner state at most ${largestCore} B`);

    // One deposit covers the queue: the block that acknowledges it schedules everything.
    const deposit = requested + 100_000_000n;
    core = acceptFinalBlocks(core, [block(103, 1001, [{ n: 1, amount: deposit }])]).core;
    const funded = applied(await applyStored({ core, message: serai(2 + BLOCKS, [1]) }));
    expect(JSON.stringify(funded.core).length).toBeLessThan(16 * 1024);
    expect(JSON.stringify(funded.result).length).toBeLessThan(256 * 1024);
    expect(funded.result.dropped).toEqual([]);
    expect(funded.result.plans.length).toBeGreaterThan(0);
    const state = keystore.schedulerStates.get(stored(funded.core.scheduler).stored) as SchedulerState;

    // The plans of the block, then every branch plan they lead to, on a chain that checks each one.
    const rules = chainRules('bitcoin') as UtxoChainRules;
    const feeModel = rules.feeModel(FEE_RATE);
    // Nothing of the key's was spent before: the deposit is the only output the block's plans may spend.
    const unspent = new Map([[outpointHex(txid(1), 0), deposit]]);
    const paid = new Map<string, number>();
    let paidOut = 0n;
    let fees = 0n;
    let operatingCost = 0n;
    let plans = [...funded.result.plans] as Plan[];
    let next = state;
    let rounds = 0;
    while (plans.length > 0) {
      rounds += 1;
      const received = [];
      for (const plan of plans) {
        let inputs = 0n;
        for (const input of plan.inputs) {
          expect(unspent.get(input.id)).toBe(BigInt(input.amount));
          unspent.delete(input.id);
          inputs += BigInt(input.amount);
        }
        const outputs = plan.outputs.reduce((sum, o) => sum + BigInt(o.amount), 0n);
        expect(inputs).toBe(outputs + BigInt(plan.change ?? '0') + BigInt(plan.fee) + BigInt(plan.operatingCost));
        fees += BigInt(plan.fee);
        operatingCost += BigInt(plan.operatingCost);
        for (const output of plan.outputs) {
          if (output.kind !== 'payment') continue;
          paid.set(output.payment, (paid.get(output.payment) ?? 0) + 1);
          paidOut += BigInt(output.amount);
        }
        for (const output of outputsToUs(plan)) unspent.set(output.id, BigInt(output.amount));
        received.push(...outputsToUs(plan));
      }
      const scheduled = schedule(receiveOutputs(next, received), { feeModel });
      expect(scheduled.dropped).toEqual([]);
      next = scheduled.state;
      plans = [...scheduled.plans];
    }
    expect(paid.size).toBe(BLOCKS * PER_BLOCK);
    expect([...paid.values()].every((n) => n === 1)).toBe(true);
    expect(next.payments).toEqual([]);
    expect(next.branches).toEqual([]);
    const holdings = [...unspent.values()].reduce((a, b) => a + b, 0n);
    // Value: the deposit = paid out + fees + miners' extra + what is still held (the change).
    expect(deposit).toBe(paidOut + fees + operatingCost + holdings);
    // The books: deposit - requests consumed = holdings + operating costs.
    expect(deposit - requested).toBe(holdings + BigInt(next.operatingCosts));
    expect(rounds).toBeGreaterThan(1);
    keystore.close();
  }, 300_000);
});
