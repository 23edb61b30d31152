import {
  addPayments,
  createState,
  receiveOutputs,
  schedule,
  type FeeModel,
  type Payment,
  type Plan,
  type SchedulerState,
} from '../../../scheduler';
import { config, deposit, hash, outpoint, SimulatedChain, taprootAddress, taprootFees } from './support';

/** base + per input + per output (change included): easy to follow by hand. */
const linear =
  (base: bigint, input: bigint, output: bigint): FeeModel =>
  (shape) =>
    base + input * BigInt(shape.inputs.length) + output * BigInt(shape.outputs.length + (shape.change ? 1 : 0));
const fees = linear(100n, 50n, 30n);

const pay = (label: string, amount: bigint): Payment => ({
  id: hash(`payment ${label}`),
  address: taprootAddress(label),
  amount: amount.toString(),
});

function start(deposits: bigint[], payments: Payment[], overrides = {}): SchedulerState {
  const state = receiveOutputs(
    createState(config(overrides)),
    deposits.map((amount, i) => deposit(`${i}`, amount)),
  );
  return addPayments(state, payments);
}

const paymentAmounts = (plan: Plan | undefined) =>
  (plan?.outputs ?? []).map((o) => (o.kind === 'payment' ? [o.payment, o.amount] : ['branch', o.amount]));

describe('first in, first out', () => {
  test('stops at the first payment the funds cannot cover instead of skipping it', () => {
    const [a, b, c] = [pay('a', 30_000n), pay('b', 80_000n), pay('c', 10_000n)];
    const { state, plans } = schedule(start([100_000n], [a, b, c]), { feeModel: fees });

    expect(plans).toHaveLength(1);
    expect(paymentAmounts(plans[0])).toEqual([[a.id, (30_000n - 210n).toString()]]);
    expect(state.payments.map((p) => p.id)).toEqual([b.id, c.id]);
  });

  test('pays the waiting payments in order once funds arrive', () => {
    const [a, b, c] = [pay('a', 30_000n), pay('b', 80_000n), pay('c', 20_000n)];
    const first = schedule(start([100_000n], [a, b, c]), { feeModel: fees });
    const change = first.plans[0]?.change;
    expect(change).toBe((100_000n - 29_790n - 210n).toString());
    const refilled = receiveOutputs(first.state, [
      { id: outpoint(first.plans[0]?.id ?? '', 1), kind: 'change', amount: change ?? '' },
      deposit('more', 30_000n),
    ]);
    const second = schedule(refilled, { feeModel: fees });
    expect(second.plans).toHaveLength(1);
    expect(second.plans[0]?.inputs.map((i) => i.amount)).toEqual(['70000', '30000']);
    // Exactly spent: 2 inputs and 2 outputs cost 260, 130 each.
    expect(paymentAmounts(second.plans[0])).toEqual([
      [b.id, '79870'],
      [c.id, '19870'],
    ]);
    expect(second.state.payments).toEqual([]);
  });

  test('a head payment larger than everything held waits with all outputs kept', () => {
    const state = start([50_000n, 40_000n], [pay('big', 100_000n), pay('small', 10_000n)]);
    const result = schedule(state, { feeModel: fees });
    expect(result.plans).toEqual([]);
    expect(result.state).toEqual(state);
  });
});

describe('input aggregation at maxInputs', () => {
  const deposits = [70_000n, 20_000n, 60_000n, 10_000n, 50_000n, 40_000n, 30_000n];

  test('the largest chunk funds payments with the fewest outputs; later chunks merge; a trailing single output is kept', () => {
    const p = pay('p', 100_000n);
    const { state, plans } = schedule(start(deposits, [p], { maxInputs: 3 }), { feeModel: fees });

    expect(plans.map((plan) => plan.kind)).toEqual(['aggregation', 'payments']);
    const [aggregation, payments] = plans;
    expect(aggregation?.inputs.map((i) => i.amount)).toEqual(['40000', '30000', '20000']);
    expect(aggregation?.outputs).toEqual([]);
    expect(aggregation?.change).toBe((90_000n - (100n + 150n + 30n)).toString());
    expect(payments?.inputs.map((i) => i.amount)).toEqual(['70000', '60000']);
    expect(state.outputs.map((o) => o.amount)).toEqual(['50000', '10000']);
    // No payment bore the aggregation's fee (280), so the payments plan, which has change,
    // recoups it on top of its own fee (100 + 2*50 + 2*30 = 260).
    expect(payments?.outputs.map((o) => o.amount)).toEqual([(100_000n - 260n - 280n).toString()]);
    expect(state.operatingCosts).toBe('0');
  });

  test('a small payment from a full chunk spends only the outputs it needs', () => {
    // Spending all 520 (~30 000 vB) would cost the payment more than it is worth.
    const deposits = Array.from({ length: 520 }, (_, i) => 100_000n + BigInt(i));
    const p = pay('p', 150_000n);
    const { plans, dropped, state } = schedule(start(deposits, [p]), { feeModel: taprootFees(5n) });
    expect(dropped).toEqual([]);
    expect(plans[0]?.inputs.map((i) => i.amount)).toEqual(['100519', '100518']);
    expect(state.outputs).toHaveLength(518);
  });

  test('a chunk whose merged value would be dust after the fee is left alone', () => {
    const expensive = linear(20_000n, 5_000n, 1_000n);
    const state = start([30_000n, 29_000n, 12_000n, 11_000n], [], { maxInputs: 2 });
    const result = schedule(state, { feeModel: expensive });
    expect(result.plans).toEqual([]);
    expect(result.state.outputs).toEqual(state.outputs);
    expect(result.state.operatingCosts).toBe('0');
  });

  test('never aggregates single outputs (maxInputs 1 would otherwise churn forever)', () => {
    const state = start([30_000n, 29_000n, 12_000n], [], { maxInputs: 1 });
    expect(schedule(state, { feeModel: fees }).plans).toEqual([]);
  });
});

describe('change', () => {
  test('returns what the payments do not use, the fee coming out of the payments', () => {
    const p = pay('p', 400_000n);
    const { plans, state } = schedule(start([1_000_000n], [p]), { feeModel: fees });
    const fee = 100n + 50n + 2n * 30n;
    expect(plans[0]?.fee).toBe(fee.toString());
    expect(paymentAmounts(plans[0])).toEqual([[p.id, (400_000n - fee).toString()]]);
    expect(plans[0]?.change).toBe('600000');
    expect(state.outputs).toEqual([]);
    expect(state.operatingCosts).toBe('0');
  });

  test('no change output when the payments take exactly the inputs', () => {
    const { plans } = schedule(start([500_000n], [pay('p', 500_000n)]), { feeModel: fees });
    expect(plans[0]?.change).toBeNull();
    expect(plans[0]?.fee).toBe('180');
    expect(plans[0]?.outputs[0]?.amount).toBe('499820');
    expect(plans[0]?.operatingCost).toBe('0');
  });
});

describe('dust', () => {
  test('change below dust is not created: it goes to miners and becomes an operating cost', () => {
    const { plans, state } = schedule(start([405_000n], [pay('p', 400_000n)]), { feeModel: fees });
    const plan = plans[0];
    // Planned with change (fee 210), settled without it (fee 180): 5 000 + 30 left to miners.
    expect(plan?.outputs[0]?.amount).toBe('399790');
    expect(plan?.change).toBeNull();
    expect(plan?.fee).toBe('180');
    expect(plan?.operatingCost).toBe('5030');
    expect(state.operatingCosts).toBe('5000');
  });

  test('a payment whose fee share leaves less than dust is dropped and its value kept in change', () => {
    const small = pay('small', 10_050n);
    const large = pay('large', 400_000n);
    const { plans, dropped, state } = schedule(start([1_000_000n], [small, large]), { feeModel: fees });
    // Fee 240 for 1 input, 2 payments and change: 120 each leaves the small one 9 930.
    expect(dropped).toEqual([{ payment: small, reason: 'dust-after-fee' }]);
    expect(paymentAmounts(plans[0])).toEqual([[large.id, '399880']]);
    // Settled with one payment and change: fee 210, change takes the rest.
    expect(plans[0]?.fee).toBe('210');
    expect(plans[0]?.change).toBe((1_000_000n - 399_880n - 210n).toString());
    // deposits - consumed = holdings + operating costs.
    expect(BigInt(state.operatingCosts)).toBe(1_000_000n - 410_050n - BigInt(plans[0]?.change ?? 0));
  });

  test('outputs below dust are refused at the boundary', () => {
    expect(() => receiveOutputs(createState(config()), [deposit('tiny', 9_999n)])).toThrow(
      expect.objectContaining({ code: 'invalid-input', field: 'outputs.0.amount' }),
    );
  });
});

describe('fee amortization', () => {
  test('splits the fee evenly; the remainder goes to the first payment', () => {
    const odd = linear(101n, 50n, 30n); // 1 input, 3 payments, change: 271 = 3 * 90 + 1
    const ps = [pay('a', 100_000n), pay('b', 100_000n), pay('c', 100_000n)];
    const { plans } = schedule(start([1_000_000n], ps), { feeModel: odd });
    expect(paymentAmounts(plans[0]).map(([, amount]) => amount)).toEqual(['99909', '99910', '99910']);
    expect(plans[0]?.change).toBe('700000');
  });

  test('a payment too small for its share gives what it has; the rest is shared by the others', () => {
    const steep = linear(30_000n, 0n, 0n);
    const ps = [pay('a', 2_000n), pay('b', 100_000n), pay('c', 100_000n)];
    const { plans, dropped } = schedule(start([202_000n], ps), { feeModel: steep });
    // 30 000 / 3 = 10 000 each; a gives only 2 000, so b and c bear 14 000 each.
    expect(dropped.map((d) => d.payment.id)).toEqual([ps[0]?.id]);
    expect(paymentAmounts(plans[0]).map(([, amount]) => amount)).toEqual(['86000', '86000']);
    expect(plans[0]?.change).toBeNull();
  });

  test('operating costs are recouped by the next plan with change and payments', () => {
    const deposits = [70_000n, 60_000n, 50_000n, 40_000n];
    const first = schedule(start(deposits, [], { maxInputs: 2 }), { feeModel: fees });
    expect(first.plans.map((p) => p.kind)).toEqual(['aggregation']);
    expect(first.state.operatingCosts).toBe('230');

    const second = schedule(addPayments(first.state, [pay('p', 100_000n)]), { feeModel: fees });
    // Fee 2*50 + 100 + 2*30 = 260, plus the 230 owed.
    expect(paymentAmounts(second.plans[0])).toEqual([[hash('payment p'), (100_000n - 260n - 230n).toString()]]);
    expect(second.state.operatingCosts).toBe('0');
  });
});

describe('dropped plans keep their inputs (reference 6.19)', () => {
  test('payments that cannot cover their fee are dropped, the outputs stay spendable', () => {
    const steep = linear(50_000n, 0n, 0n);
    const ps = [pay('a', 20_000n), pay('b', 20_000n)];
    const state = start([100_000n], ps);
    const { plans, dropped, state: after } = schedule(state, { feeModel: steep });
    expect(plans).toEqual([]);
    expect(dropped).toEqual(ps.map((payment) => ({ payment, reason: 'fee-exceeds-payments' })));
    expect(after.outputs).toEqual(state.outputs);
    expect(after.payments).toEqual([]);
    // Nothing left the multisig, 40 000 of requests were consumed: a surplus.
    expect(after.operatingCosts).toBe('-40000');
  });

  test('later payments are tried in the same round after earlier ones are dropped', () => {
    const steep = linear(50_000n, 0n, 0n);
    // 100 000 covers a and b (dropped: 40 000 < 50 000), then c alone.
    const ps = [pay('a', 20_000n), pay('b', 20_000n), pay('c', 90_000n)];
    const { plans, dropped } = schedule(start([100_000n], ps), { feeModel: steep });
    expect(dropped.map((d) => d.payment.id)).toEqual([ps[0]?.id, ps[1]?.id]);
    expect(paymentAmounts(plans[0])).toEqual([[ps[2]?.id, '40000']]);
  });
});

describe('branches', () => {
  const many = (n: number, amount: bigint) => Array.from({ length: n }, (_, i) => pay(`p${i}`, amount));

  test('payments beyond maxOutputs go into a balanced branch tree', () => {
    const ps = many(10, 50_000n);
    const { plans, state } = schedule(start([10_000_000n], ps, { maxOutputs: 4 }), { feeModel: fees });
    expect(plans).toHaveLength(1);
    const root = plans[0];
    // Capacity 3 (one slot is change): three branches of 4, 3 and 3 payments.
    expect(root?.outputs.map((o) => o.kind)).toEqual(['branch', 'branch', 'branch']);
    expect(state.branches.map((b) => b.payments.length).sort()).toEqual([3, 3, 4]);
    expect(state.payments).toEqual([]);
    // Each branch carries its payments' sum less its even share of the root's fee (100+50+4*30 = 270).
    const branchAmounts = root?.outputs.map((o) => BigInt(o.amount));
    expect(branchAmounts).toEqual([200_000n - 90n, 150_000n - 90n, 150_000n - 90n]);
  });

  test("a branch's payments are released only when its output arrives, and bear the root's fee share", () => {
    const ps = many(10, 50_000n);
    const root = schedule(start([10_000_000n], ps, { maxOutputs: 4 }), { feeModel: fees });
    expect(schedule(root.state, { feeModel: fees }).plans).toEqual([]);

    const output = root.plans[0]?.outputs[1];
    if (output?.kind !== 'branch') throw new Error('expected a branch output');
    const arrived = receiveOutputs(root.state, [
      { id: outpoint(root.plans[0]?.id ?? '', 1), kind: 'branch', amount: output.amount, branch: output.branch },
    ]);
    const { plans, state } = schedule(arrived, { feeModel: fees });
    expect(plans).toHaveLength(1);
    const branchPlan = plans[0];
    expect(branchPlan?.kind).toBe('branch');
    expect(branchPlan?.inputs).toEqual([{ id: outpoint(root.plans[0]?.id ?? '', 1), kind: 'branch', amount: '149910' }]);
    // 3 payments of 50 000 bear the 90 shortfall plus this fee (100+50+3*30 = 240): 110 each.
    expect(paymentAmounts(branchPlan)).toEqual(ps.slice(4, 7).map((p) => [p.id, '49890']));
    expect(branchPlan?.change).toBeNull();
    expect(branchPlan?.operatingCost).toBe('0');
    expect(state.branches).toHaveLength(2);
    expect(state.operatingCosts).toBe('0');
  });

  test('a branch that cannot pay at its fee drops its payments and its output joins the pool (reference 6.4)', () => {
    const ps = many(3, 15_000n);
    const chain = new SimulatedChain({ maxInputs: 520, maxOutputs: 2, dust: 10_000n });
    const funded = receiveOutputs(createState(config({ maxOutputs: 2 })), [chain.deposit(deposit('d', 45_000n))]);
    const root = schedule(addPayments(funded, ps), { feeModel: fees });
    // Exact funding: capacity 2, one payment and a branch of two.
    expect(root.plans[0]?.outputs.map((o) => o.kind)).toEqual(['payment', 'branch']);
    const received = chain.confirm(root.plans[0] as Plan, fees);

    // The branch holds 29 895 (its payments' 30 000 less a 105 fee share): too little for 40 000.
    const steep = linear(40_000n, 0n, 0n);
    const { plans, dropped, state } = schedule(receiveOutputs(root.state, received), { feeModel: steep });
    expect(plans).toEqual([]);
    expect(dropped).toEqual(ps.slice(1).map((payment) => ({ payment, reason: 'fee-exceeds-payments' })));
    expect(state.branches).toEqual([]);
    expect(state.outputs).toEqual([{ id: received[0]?.id, kind: 'branch', amount: received[0]?.amount }]);
    // Books: deposits - consumed (all three requests) = holdings + operating costs.
    expect(BigInt(state.operatingCosts)).toBe(45_000n - 45_000n - chain.holdings());
  });

  test('a branch whose share leaves it below dust is dropped with all its payments', () => {
    const ps = [pay('big', 500_000n), pay('x', 6_000n), pay('y', 6_000n)];
    const { plans, dropped, state } = schedule(start([512_000n], ps, { maxOutputs: 2 }), {
      feeModel: linear(6_000n, 0n, 0n),
    });
    // 3 000 each: the branch of 12 000 keeps 9 000 < dust; the big payment 497 000; the 9 000
    // left over is too small for change and goes to miners.
    expect(dropped).toEqual(ps.slice(1).map((payment) => ({ payment, reason: 'dust-after-fee' })));
    expect(plans[0]?.outputs.map((o) => o.amount)).toEqual(['497000']);
    expect(plans[0]?.change).toBeNull();
    expect(plans[0]?.operatingCost).toBe('9000');
    expect(state.branches).toEqual([]);
    // deposits - consumed = 512 000 - 512 000 = holdings (0) + operating costs.
    expect(state.operatingCosts).toBe('0');
  });
});
