import { addPayments, createState, receiveOutputs, treeDepth, type Payment } from '../../../scheduler';
import { config, deposit, hash, segwitAddress, settle, SimulatedChain, taprootAddress, taprootFees } from './support';

const PAYMENTS = 600;
const MAX_OUTPUTS = 16;

test('600 payments with maxOutputs 16 go out through a branch tree, each exactly once', () => {
  const chain = new SimulatedChain({ maxInputs: 520, maxOutputs: MAX_OUTPUTS, dust: 10_000n });
  const payments: Payment[] = Array.from({ length: PAYMENTS }, (_, i) => ({
    id: hash(`burn ${i}`),
    address: i % 3 === 0 ? segwitAddress(`user ${i}`) : taprootAddress(`user ${i}`),
    // 50 000 .. 1 247 000 sat, varied so no two sibling sums coincide.
    amount: (50_000n + BigInt((i * 7919) % 600) * 2_000n).toString(),
  }));
  const requested = payments.reduce((total, p) => total + BigInt(p.amount), 0n);

  let state = createState(config({ maxOutputs: MAX_OUTPUTS }));
  const deposits = [4n, 2n, 1n].map((btc, i) => chain.deposit(deposit(`whale ${i}`, btc * 100_000_000n)));
  state = receiveOutputs(state, deposits);
  state = addPayments(state, payments);

  const feeRate = 7n;
  const run = settle(state, chain, () => taprootFees(feeRate));

  expect(run.dropped).toEqual([]);
  expect(run.state.payments).toEqual([]);
  expect(run.state.branches).toEqual([]);
  for (const payment of payments) {
    const paid = chain.paid.get(payment.id);
    expect(paid).toHaveLength(1);
    const [landed] = paid ?? [];
    // The amount on chain is the amount its plan promised, which is the request less a fee share.
    const promised = run.plans
      .find((plan) => plan.id === landed?.planId)
      ?.outputs.find((o) => o.kind === 'payment' && o.payment === payment.id)?.amount;
    expect(landed?.amount.toString()).toBe(promised);
    expect(landed?.amount).toBeLessThan(BigInt(payment.amount));
    expect(landed?.amount).toBeGreaterThan(BigInt(payment.amount) - 10_000n);
  }
  expect(chain.paid.size).toBe(PAYMENTS);

  // Root capacity 15 (one output is change), branches 16: 15 * 16 < 600 <= 15 * 256.
  expect(Math.ceil(Math.log(PAYMENTS) / Math.log(MAX_OUTPUTS))).toBe(3);
  expect(treeDepth(PAYMENTS, MAX_OUTPUTS - 1, MAX_OUTPUTS)).toBe(3);
  expect(chain.maxDepth()).toBe(3);
  // Balanced: 1 root, 3 inner branches, 36 leaf branches.
  expect(run.plans.map((p) => p.kind).filter((k) => k === 'branch')).toHaveLength(39);
  expect(run.plans).toHaveLength(40);

  // Value: what went in = paid out + fees + miners' extra + what is still held (the change).
  expect(chain.deposited).toBe(chain.paidOut + chain.fees + chain.operatingCost + chain.holdings());
  expect(run.state.outputs.map((o) => BigInt(o.amount)).reduce((a, b) => a + b, 0n)).toBe(chain.holdings());
  // The books: deposits - requests consumed = holdings + operating costs.
  expect(chain.deposited - requested).toBe(chain.holdings() + BigInt(run.state.operatingCosts));
});
