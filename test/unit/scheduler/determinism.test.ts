import fc from 'fast-check';

import {
  addPayments,
  createState,
  encodeState,
  receiveOutputs,
  schedule,
  type Payment,
  type Plan,
  type ReceivedOutput,
  type SchedulerState,
} from '../../../scheduler';
import { config, deposit, hash, SimulatedChain, taprootAddress, taprootFees } from './support';

const DEPOSITS = Array.from({ length: 23 }, (_, i) => deposit(`${i}`, 40_000n + BigInt((i * 37) % 11) * 25_000n));
const PAYMENTS: Payment[] = Array.from({ length: 40 }, (_, i) => ({
  id: hash(`payment ${i}`),
  address: taprootAddress(`${i}`),
  amount: (20_000n + BigInt((i * 13) % 7) * 9_000n).toString(),
}));

/** The same object with its keys in reverse order, all the way down. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)])) as T;
  }
  return value;
}

/**
 * Runs the workload to completion. `arrange` reorders each batch of outputs before it is
 * delivered (and may rewrite key order); which outputs arrive before each round never changes.
 */
function run(arrange: (outputs: ReceivedOutput[], round: number) => ReceivedOutput[]): { plans: string; state: string } {
  const chain = new SimulatedChain({ maxInputs: 4, maxOutputs: 5, dust: 10_000n });
  const feeModel = taprootFees(4n);
  let state: SchedulerState = createState(config({ maxInputs: 4, maxOutputs: 5 }));
  state = receiveOutputs(state, arrange(DEPOSITS.map((d) => chain.deposit(d)), -1));
  state = addPayments(state, PAYMENTS);
  const plans: Plan[] = [];
  for (let round = 0; round < 100; round++) {
    const result = schedule(state, { feeModel });
    if (result.plans.length === 0) return { plans: JSON.stringify(plans), state: encodeState(result.state) };
    plans.push(...result.plans);
    state = receiveOutputs(result.state, arrange(result.plans.flatMap((plan) => chain.confirm(plan, feeModel)), round));
  }
  throw new Error('did not settle');
}

test('the same deposits and payments give byte-identical plans, whatever the order outputs arrive in', () => {
  const reference = run((outputs) => outputs);
  const plans = JSON.parse(reference.plans) as Plan[];
  expect(new Set(plans.map((plan) => plan.kind))).toEqual(new Set(['aggregation', 'payments', 'branch']));
  const paid = plans.flatMap((plan) => plan.outputs.flatMap((o) => (o.kind === 'payment' ? [o.payment] : [])));
  expect(paid.sort()).toEqual(PAYMENTS.map((p) => p.id).sort());
  expect(run((outputs) => outputs)).toEqual(reference);

  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.boolean(), (seed, flipKeys) => {
      const orders = fc.sample(fc.nat(), { seed, numRuns: 200 });
      const shuffled = run((outputs, round) => {
        const keyed = outputs.map((output, i) => ({ output, key: orders[(i + round + 1) % orders.length] ?? 0 }));
        const arranged = keyed.sort((a, b) => a.key - b.key).map(({ output }) => output);
        return flipKeys ? arranged.map(reverseKeys) : arranged;
      });
      expect(shuffled.plans).toBe(reference.plans);
      expect(shuffled.state).toBe(reference.state);
    }),
    { numRuns: 25 },
  );
});
