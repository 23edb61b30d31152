import assert from 'node:assert/strict';

import fc from 'fast-check';

import {
  addPayments,
  createState,
  receiveOutputs,
  schedule,
  type DroppedPayment,
  type Payment,
  type ReceivedOutput,
  type SchedulerState,
} from '../../../scheduler';
import { config, deposit, hash, segwitAddress, settle, SimulatedChain, taprootAddress, taprootFees } from './support';

type Step =
  | { readonly kind: 'deposit'; readonly amount: bigint }
  | { readonly kind: 'pay'; readonly amount: bigint; readonly taproot: boolean }
  | { readonly kind: 'schedule'; readonly feeRate: bigint }
  | { readonly kind: 'deliver'; readonly count: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deposit' as const), amount: fc.bigInt(10_000n, 5_000_000n) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      amount: fc.oneof(fc.bigInt(1n, 30_000n), fc.bigInt(30_000n, 3_000_000n)),
      taproot: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('schedule' as const),
      feeRate: fc.oneof(fc.bigInt(1n, 50n), fc.bigInt(50n, 3_000n)),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deliver' as const), count: fc.nat(20) }) },
);

const workload = fc.record({
  maxInputs: fc.integer({ min: 1, max: 6 }),
  maxOutputs: fc.integer({ min: 2, max: 6 }),
  dust: fc.constantFrom(0n, 546n, 10_000n),
  steps: fc.array(step, { minLength: 10, maxLength: 80, size: 'max' }),
  finalFeeRate: fc.bigInt(1n, 100n),
});

const total = (items: readonly { readonly amount: string }[]): bigint =>
  items.reduce((sum, item) => sum + BigInt(item.amount), 0n);

/** The simulation's ledger, kept independently of the scheduler's own. */
class Ledger {
  readonly payments: Payment[] = [];
  readonly dropped = new Map<string, DroppedPayment[]>();

  record(dropped: readonly DroppedPayment[]): void {
    for (const d of dropped) this.dropped.set(d.payment.id, [...(this.dropped.get(d.payment.id) ?? []), d]);
  }

  /** Requests that left the queue for good, at their requested amounts. */
  consumed(chain: SimulatedChain): bigint {
    return this.payments
      .filter((p) => chain.paid.has(p.id) || this.dropped.has(p.id))
      .reduce((sum, p) => sum + BigInt(p.amount), 0n);
  }
}

/** deposits - consumed = held outputs + pending branch shortfalls + operating costs, exactly. */
function expectBooksBalance(state: SchedulerState, chain: SimulatedChain, ledger: Ledger): void {
  const shortfalls = state.branches.reduce((sum, b) => sum + total(b.payments) - BigInt(b.amount), 0n);
  const held = chain.holdings();
  assert.equal(chain.deposited - ledger.consumed(chain), held + shortfalls + BigInt(state.operatingCosts), 'books');
  assert.equal(chain.deposited, chain.paidOut + chain.fees + chain.operatingCost + held, 'chain value');
}

/** Every output the chain holds for us is in the pool, waiting on a branch, or not yet delivered. */
function expectOutputsAccounted(state: SchedulerState, chain: SimulatedChain, inFlight: readonly ReceivedOutput[]): void {
  const known = [
    ...state.outputs.map((o) => o.id),
    ...state.branches.flatMap((b) => (b.output === null ? [] : [b.output.id])),
    ...inFlight.map((o) => o.id),
  ].sort();
  assert.deepEqual(known, [...chain.unspent.keys()].sort());
}

function expectEachPaymentOnce(state: SchedulerState, chain: SimulatedChain, ledger: Ledger, minOutput: bigint): void {
  const queued = new Set(state.payments.map((p) => p.id));
  const waiting = new Set(state.branches.flatMap((b) => b.payments.map((p) => p.id)));
  const anomalies: string[] = [];
  for (const payment of ledger.payments) {
    const paid = chain.paid.get(payment.id) ?? [];
    const dropped = ledger.dropped.get(payment.id) ?? [];
    const places = paid.length + dropped.length + (queued.has(payment.id) ? 1 : 0) + (waiting.has(payment.id) ? 1 : 0);
    if (places !== 1) anomalies.push(`${payment.id} is in ${places} places`);
    for (const { amount } of paid) {
      if (amount > BigInt(payment.amount) || amount < minOutput) anomalies.push(`${payment.id} paid ${amount}`);
    }
  }
  assert.deepEqual(anomalies, []);
  assert.equal(chain.paid.size + ledger.dropped.size + queued.size + waiting.size, ledger.payments.length);
  // The queue only ever loses its head: what is left is the tail of the requests, in order.
  const queue = state.payments.map((p) => p.id);
  const order = ledger.payments.map((p) => p.id);
  assert.deepEqual(queue, order.slice(order.length - queue.length), 'queue is not the tail of the requests');
}

test('random workloads conserve value exactly and pay every payment at most once', () => {
  fc.assert(
    fc.property(workload, ({ maxInputs, maxOutputs, dust, steps, finalFeeRate }) => {
      const minOutput = dust > 0n ? dust : 1n;
      const chain = new SimulatedChain({ maxInputs, maxOutputs, dust });
      const ledger = new Ledger();
      let state = createState(config({ maxInputs, maxOutputs, dust: dust.toString() }));
      let inFlight: ReceivedOutput[] = [];

      steps.forEach((s, index) => {
        switch (s.kind) {
          case 'deposit': {
            const amount = s.amount < minOutput ? minOutput : s.amount;
            state = receiveOutputs(state, [chain.deposit(deposit(`${index}`, amount))]);
            break;
          }
          case 'pay': {
            const payment: Payment = {
              id: hash(`payment ${index}`),
              address: s.taproot ? taprootAddress(`${index}`) : segwitAddress(`${index}`),
              amount: s.amount.toString(),
            };
            ledger.payments.push(payment);
            state = addPayments(state, [payment]);
            break;
          }
          case 'schedule': {
            const feeModel = taprootFees(s.feeRate);
            const result = schedule(state, { feeModel });
            state = result.state;
            ledger.record(result.dropped);
            inFlight.push(...result.plans.flatMap((plan) => chain.confirm(plan, feeModel)));
            break;
          }
          case 'deliver': {
            state = receiveOutputs(state, inFlight.slice(0, s.count));
            inFlight = inFlight.slice(s.count);
            break;
          }
        }
        expectBooksBalance(state, chain, ledger);
        expectOutputsAccounted(state, chain, inFlight);
        expectEachPaymentOnce(state, chain, ledger, minOutput);
      });

      state = receiveOutputs(state, inFlight);
      const run = settle(state, chain, () => taprootFees(finalFeeRate));
      ledger.record(run.dropped);
      expectBooksBalance(run.state, chain, ledger);
      expectOutputsAccounted(run.state, chain, []);
      expectEachPaymentOnce(run.state, chain, ledger, minOutput);
      expect(run.state.branches).toEqual([]);
      // Whatever still waits is stopped by its head, which the largest maxInputs outputs cannot cover.
      const head = run.state.payments[0];
      if (head !== undefined) expect(BigInt(head.amount)).toBeGreaterThan(total(run.state.outputs.slice(0, maxInputs)));
    }),
    { numRuns: 300 },
  );
});
