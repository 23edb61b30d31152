/**
 * Issue 15, item 2: a backlog of 100 000 payments, through the scanner's Serai-block activity with
 * the schedulers in the real keystore's store. Random per run: how many Serai blocks bring the
 * burns, their amounts (a share of them just above dust, which a high fee rate may drop) and
 * payees, the fee rate, and how many deposits fund them. The payments queue while the key holds
 * nothing (the scanner's state stays a few KB), then the deposits' acknowledgement schedules them,
 * and the plans and every branch plan after them are confirmed on a simulated chain that checks
 * each plan's inputs and value. Every payment is paid exactly once or dropped exactly once, and
 * value is conserved: deposits = paid out + fees + miners' extra + holdings, and
 * deposits - requested = holdings + the scheduler's operating costs.
 *
 * Default: one run (about 20 s on 2 cores). Long version: `PROPERTY_SCALE=5 npx jest
 * test/unit/properties/backlog.properties.test.ts`; replay a failure with PROPERTY_SEED/PROPERTY_PATH
 * (see ./arbitraries.ts).
 */
import fc from 'fast-check';
import { chainRules, type UtxoChainRules } from '../../../networks/rules';
import { receiveOutputs, schedule, type Plan, type SchedulerState } from '../../../scheduler';
import { acceptFinalBlocks, outpointHex, type ScannerCore } from '../../../workflows/scanner-state';
import { outputsToUs } from '../scheduler/bitcoin-model';
import { freshKeystore, tempDir } from '../store/helpers';
import { activities, applied, block, burn, keyed, serai, stored, txid } from '../../support/stored-scanner';
import { DUST, runParameters, timeoutFor } from './arbitraries';

const PAYMENTS = 100_000;
const STATE_LIMIT = 16 * 1024;

const { dir, cleanup } = tempDir('backlog');
afterAll(cleanup);

/** xorshift32: the run's amounts and payees from one generated seed (a generated array of 100 000 would cost more than the run). */
function prng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const backlog = fc.record({
  blocks: fc.integer({ min: 10, max: 30 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  feeRate: fc.integer({ min: 1, max: 60 }),
  deposits: fc.integer({ min: 1, max: 4 }),
  nearDustPercent: fc.integer({ min: 0, max: 20 }),
});

test(
  `${PAYMENTS} queued payments are scheduled with the scanner state small: each paid or dropped exactly once, value conserved`,
  async () => {
    await fc.assert(
      fc.asyncProperty(backlog, async ({ blocks, seed, feeRate, deposits, nearDustPercent }) => {
        const { keystore } = freshKeystore(dir);
        try {
          const random = prng(seed);
          const amounts = Array.from({ length: PAYMENTS }, () =>
            random() * 100 < nearDustPercent ? DUST + BigInt(Math.floor(random() * 5_000)) : 20_000n + BigInt(Math.floor(random() * 5_000_000)),
          );
          const requested = amounts.reduce((a, b) => a + b, 0n);
          const { applySeraiBlock } = activities(keystore, feeRate);
          let core: ScannerCore = applied(await applySeraiBlock({ core: acceptFinalBlocks(keyed(), [block(102, 1000)]).core, message: serai(1, [0]) })).core;
          const perBlock = Math.ceil(PAYMENTS / blocks);
          let largestState = 0;
          for (let b = 0, first = 0; first < PAYMENTS; b++, first += perBlock) {
            const burns = amounts.slice(first, first + perBlock).map((amount, j) => burn(first + j + Math.floor(random() * 3) * PAYMENTS, amount));
            const outcome = applied(await applySeraiBlock({ core, message: serai(2 + b, [], burns) }));
            if (outcome.result.plans.length > 0 || outcome.result.unpayable.length > 0) throw new Error(`block ${2 + b} planned or refused with nothing to spend`);
            core = outcome.core;
            largestState = Math.max(largestState, JSON.stringify(core).length);
          }
          expect(stored(core.scheduler).queuedPayments).toBe(PAYMENTS);
          expect(largestState).toBeLessThan(STATE_LIMIT);

          // The deposits cover every request and the fees of the whole tree.
          const total = requested + 2_000_000_000n;
          const parts = Array.from({ length: deposits }, (_, i) => total / BigInt(deposits) + (i === 0 ? total % BigInt(deposits) : 0n));
          core = acceptFinalBlocks(core, [block(103, 1001, parts.map((amount, i) => ({ n: i + 1, amount })))]).core;
          const funded = applied(await applySeraiBlock({ core, message: serai(2 + blocks + 1, [1]) }));
          expect(JSON.stringify(funded.core).length).toBeLessThan(STATE_LIMIT);

          const unspent = new Map(parts.map((amount, i) => [outpointHex(txid(i + 1), 0), amount]));
          const paid = new Map<string, number>();
          const dropped = new Map<string, number>();
          const drop = (list: readonly { payment: { id: string } }[]) => list.forEach(({ payment }) => dropped.set(payment.id, (dropped.get(payment.id) ?? 0) + 1));
          drop(funded.result.dropped);
          let paidOut = 0n;
          let fees = 0n;
          let minersExtra = 0n;
          let state = keystore.schedulerStates.get(stored(funded.core.scheduler).stored) as SchedulerState;
          let plans = [...funded.result.plans] as Plan[];
          const feeModel = (chainRules('bitcoin') as UtxoChainRules).feeModel(feeRate);
          while (plans.length > 0) {
            const received = [];
            for (const plan of plans) {
              let inputs = 0n;
              for (const input of plan.inputs) {
                if (unspent.get(input.id) !== BigInt(input.amount)) throw new Error(`plan ${plan.id} spends ${input.id}, which the chain does not hold at that amount`);
                unspent.delete(input.id);
                inputs += BigInt(input.amount);
              }
              const outputs = plan.outputs.reduce((sum, o) => sum + BigInt(o.amount), 0n);
              expect(inputs).toBe(outputs + BigInt(plan.change ?? '0') + BigInt(plan.fee) + BigInt(plan.operatingCost));
              fees += BigInt(plan.fee);
              minersExtra += BigInt(plan.operatingCost);
              for (const output of plan.outputs) {
                if (output.kind !== 'payment') continue;
                paid.set(output.payment, (paid.get(output.payment) ?? 0) + 1);
                paidOut += BigInt(output.amount);
              }
              for (const output of outputsToUs(plan)) unspent.set(output.id, BigInt(output.amount));
              received.push(...outputsToUs(plan));
            }
            const scheduled = schedule(receiveOutputs(state, received), { feeModel });
            drop(scheduled.dropped);
            state = scheduled.state;
            plans = [...scheduled.plans];
          }
          expect(state.payments).toEqual([]);
          expect(state.branches).toEqual([]);
          expect(paid.size + dropped.size).toBe(PAYMENTS);
          expect([...paid.keys()].filter((id) => dropped.has(id))).toEqual([]);
          expect([...paid.values(), ...dropped.values()].every((n) => n === 1)).toBe(true);
          const holdings = [...unspent.values()].reduce((a, b) => a + b, 0n);
          expect(total).toBe(paidOut + fees + minersExtra + holdings);
          expect(total - requested).toBe(holdings + BigInt(state.operatingCosts));
        } finally {
          keystore.close();
        }
      }),
      runParameters(1),
    );
  },
  timeoutFor(1, 30_000),
);
