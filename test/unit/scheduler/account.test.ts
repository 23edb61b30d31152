import fc from 'fast-check';

import {
  admitAccountPayments,
  createAccountState,
  receiveCredits,
  rotateAccount,
  scheduleAccount,
  takeOverAccount,
  type AccountSchedulerConfig,
  type AccountSchedulerState,
  type BatchCostModel,
} from '../../../scheduler/account';
import { SchedulerError, type Payment } from '../../../scheduler';

const ETH = 'ether';
const DAI = 'dai';
const ROUTER = 'aa'.repeat(20);

const config: AccountSchedulerConfig = {
  network: 'ethereum',
  key: '02'.repeat(32),
  coins: [
    { coin: ETH, dust: '150000', maxAmount: '18446744073709551615' },
    { coin: DAI, dust: '500000000', maxAmount: '18446744073709551615' },
  ],
  maxBatchGas: 1_000_000,
  firstNonce: 1,
  internalAddresses: [ROUTER],
};

/** Base 50,000 gas and 40,000 per payment; a fee of 1 unit per 1,000 gas. */
const cost: BatchCostModel = { gas: (_coin, outs) => 50_000 + 40_000 * outs, fee: (_coin, gas) => BigInt(Math.ceil(gas / 1000)) };

const payee = (i: number) => (i + 1).toString(16).padStart(40, '0');
const pay = (i: number, amount: bigint): Payment => ({ id: i.toString(16).padStart(64, '0'), address: payee(i), amount: amount.toString() });

function funded(eth: bigint, dai = 0n): AccountSchedulerState {
  return receiveCredits(createAccountState(config), [
    { coin: ETH, amount: eth.toString() },
    { coin: DAI, amount: dai.toString() },
  ]);
}

describe('account scheduler (Router batches)', () => {
  it('confirms the key at the first nonce before any batch, then numbers batches one after another', () => {
    let state = funded(10_000_000n, 10_000_000_000n);
    state = admitAccountPayments(state, [
      { coin: DAI, payment: pay(1, 1_000_000_000n) },
      { coin: ETH, payment: pay(2, 1_000_000n) },
    ]).state;
    const first = scheduleAccount(state, cost);
    expect(first.plans.map((p) => [p.nonce, p.action.kind])).toEqual([
      [1, 'confirm-key'],
      [2, 'execute'],
      [3, 'execute'],
    ]);
    // Coins in the configured order: ETH's batch before DAI's.
    expect(first.plans.map((p) => (p.action.kind === 'execute' ? p.action.coin : null))).toEqual([null, ETH, DAI]);
    const again = admitAccountPayments(first.state, [{ coin: ETH, payment: pay(3, 1_000_000n) }]).state;
    const second = scheduleAccount(again, cost);
    expect(second.plans.map((p) => [p.nonce, p.action.kind])).toEqual([[4, 'execute']]);
    expect(second.state.nextNonce).toBe(5);
  });

  it('charges each payment an even share of the fee and pays the rest; the balance falls by what was requested', () => {
    let state = funded(10_000_000n);
    state = admitAccountPayments(state, [0, 1, 2].map((i) => ({ coin: ETH, payment: pay(i, 1_000_000n) }))).state;
    const { plans, state: after } = scheduleAccount(state, cost);
    const batch = plans[1]!.action;
    if (batch.kind !== 'execute') throw new Error('expected a batch');
    // 50,000 + 3 * 40,000 = 170,000 gas -> a fee of 170, split 57 + 57 + 56.
    expect(batch.gas).toBe(170_000);
    expect(batch.fee).toBe('170');
    expect(batch.outs.map((o) => o.amount)).toEqual(['999943', '999943', '999944']);
    expect(BigInt(batch.fee) + batch.outs.reduce((t, o) => t + BigInt(o.amount), 0n)).toBe(3_000_000n);
    expect(after.balances[0]!.balance).toBe('7000000');
  });

  it('splits a queue at the gas cap into several batches at consecutive nonces', () => {
    // (1,000,000 - 50,000) / 40,000 -> 23 payments per batch.
    let state = funded(1_000_000_000n);
    state = admitAccountPayments(state, Array.from({ length: 50 }, (_, i) => ({ coin: ETH, payment: pay(i, 1_000_000n) }))).state;
    const { plans } = scheduleAccount(state, cost);
    const batches = plans.flatMap((p) => (p.action.kind === 'execute' ? [[p.nonce, p.action.outs.length, p.action.gas]] : []));
    expect(batches).toEqual([
      [2, 23, 970_000],
      [3, 23, 970_000],
      [4, 4, 210_000],
    ]);
  });

  it('waits, first in first out, for a balance that covers the head of the queue', () => {
    let state = funded(1_500_000n);
    state = admitAccountPayments(state, [
      { coin: ETH, payment: pay(1, 1_000_000n) },
      { coin: ETH, payment: pay(2, 2_000_000n) },
      { coin: ETH, payment: pay(3, 200_000n) },
    ]).state;
    const first = scheduleAccount(state, cost);
    expect(first.plans.filter((p) => p.action.kind === 'execute').map((p) => p.action.kind === 'execute' && p.action.outs.map((o) => o.payment))).toEqual([[pay(1, 0n).id]]);
    expect(first.state.balances[0]!.queue.map((p) => p.id)).toEqual([pay(2, 0n).id, pay(3, 0n).id]);
    const second = scheduleAccount(receiveCredits(first.state, [{ coin: ETH, amount: '3000000' }]), cost);
    expect(second.plans.map((p) => p.action.kind === 'execute' && p.action.outs.map((o) => o.payment))).toEqual([[pay(2, 0n).id, pay(3, 0n).id]]);
  });

  it('drops a payment its fee share would leave with nothing or below dust, reports it, and makes the batch without it', () => {
    let state = funded(10_000_000n);
    state = admitAccountPayments(state, [
      { coin: ETH, payment: pay(1, 200n) }, // a share of 65 (of 130 for two) leaves 135: below the dust of 150,000
      { coin: ETH, payment: pay(2, 1_000_000n) },
    ]).state;
    const lone = scheduleAccount(
      admitAccountPayments(funded(10_000_000n), [{ coin: ETH, payment: pay(9, 50n) }]).state,
      cost,
    );
    expect(lone.dropped).toEqual([{ payment: pay(9, 50n), coin: ETH, reason: 'fee-exceeds-payment' }]);
    expect(lone.plans.map((p) => p.action.kind)).toEqual(['confirm-key']);
    expect(lone.state.balances[0]).toEqual({ coin: ETH, balance: '10000000', queue: [] });

    const { plans, dropped, state: after } = scheduleAccount(state, cost);
    expect(dropped).toEqual([{ payment: pay(1, 200n), coin: ETH, reason: 'dust-after-fee' }]);
    const batch = plans[1]!.action;
    if (batch.kind !== 'execute') throw new Error('expected a batch');
    expect(batch.outs).toEqual([{ payment: pay(2, 0n).id, address: payee(2), amount: String(1_000_000 - 90) }]);
    expect(after.balances[0]!.balance).toBe(String(10_000_000 - 1_000_000));
  });

  it('refuses, one by one, a payment to the Router, of 0, above the maximum, in an unknown coin, or already queued', () => {
    const state = funded(10_000_000n);
    const { state: after, refused } = admitAccountPayments(state, [
      { coin: ETH, payment: { ...pay(1, 5n), address: ROUTER } },
      { coin: ETH, payment: pay(2, 0n) },
      { coin: ETH, payment: pay(3, 18446744073709551616n) },
      { coin: 'bitcoin', payment: pay(4, 5n) },
      { coin: ETH, payment: pay(5, 1_000_000n) },
      { coin: DAI, payment: pay(5, 1_000_000n) },
      { coin: ETH, payment: { id: 'zz', address: payee(6), amount: '1' } },
    ]);
    expect(refused.map((r) => r.reason)).toEqual([
      'payment.address: pays one of our own addresses',
      'payment.amount: expected at least 1',
      'payment.amount: expected at most maxAmount',
      'coin: a coin this scheduler does not hold',
      'payment.id: payment already held',
      expect.stringMatching(/^payment\.id: expected 1\.\.64 hex bytes/),
    ]);
    expect(after.balances[0]!.queue.map((p) => p.id)).toEqual([pay(5, 0n).id]);
  });

  it('refuses a stored state that does not hold together, and a cost model that cannot be used', () => {
    const state = funded(1n);
    expect(() => receiveCredits({ ...state, nextNonce: 0 }, [])).toThrow(/nextNonce: expected at least firstNonce/);
    expect(() => receiveCredits({ ...state, nextNonce: 2 }, [])).toThrow(/expected firstNonce until the key is confirmed/);
    expect(() => receiveCredits({ ...state, balances: [state.balances[1]!, state.balances[0]!] }, [])).toThrow(/expected the configured coins in order/);
    expect(() => receiveCredits(state, [{ coin: DAI, amount: '-1' }])).toThrow(SchedulerError);
    expect(() => createAccountState({ ...config, coins: [config.coins[0]!, config.coins[0]!] })).toThrow(/coin listed twice/);
    const queued = admitAccountPayments(funded(10_000_000n), [{ coin: ETH, payment: pay(1, 1_000_000n) }]).state;
    expect(() => scheduleAccount(queued, { ...cost, gas: () => 2_000_000 })).toThrow(/one payment needs more than/);
    expect(() => scheduleAccount(queued, { ...cost, gas: (_c, n) => 900_000 - n })).not.toThrow();
    const two = admitAccountPayments(queued, [{ coin: ETH, payment: pay(2, 1_000_000n) }]).state;
    expect(() => scheduleAccount(two, { ...cost, gas: (_c, n) => 900_000 - n })).toThrow(/never falls/);
    expect(() => scheduleAccount(queued, { ...cost, fee: () => -1n })).toThrow(/non-negative bigint fee/);
  });

  it('conserves every coin and pays every payment at most once, over random credits, payments, schedules and rotations to a next key', () => {
    type Step = { kind: 'credit'; coin: 0 | 1; amount: bigint } | { kind: 'pay'; coin: 0 | 1; amount: bigint } | { kind: 'schedule'; rate: number } | { kind: 'rotate' };
    const coinIndex = fc.constantFrom(0 as const, 1 as const);
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('credit' as const), coin: coinIndex, amount: fc.bigInt(1n, 50_000_000n) }),
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('pay' as const), coin: coinIndex, amount: fc.oneof(fc.bigInt(1n, 1_000n), fc.bigInt(1n, 5_000_000_000n)) }) },
      fc.record({ kind: fc.constant('schedule' as const), rate: fc.integer({ min: 0, max: 5_000 }) }),
      { weight: 1, arbitrary: fc.constant({ kind: 'rotate' as const }) },
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
        let state = createAccountState(config);
        const coins = [ETH, DAI];
        const credited = [0n, 0n];
        const requested = new Map<string, { coin: number; amount: bigint }>();
        const settled = new Set<string>();
        const spent = [0n, 0n];
        let nonce = config.firstNonce;
        let n = 0;
        let keys = 0;
        for (const s of [...steps, { kind: 'schedule' as const, rate: 1 }]) {
          if (s.kind === 'rotate') {
            // Only a confirmed key hands over; the successor's plans continue the same nonces.
            if (!state.keyConfirmed) continue;
            const nextKey = (++keys + 16).toString(16).padStart(64, '0');
            const rotated = rotateAccount(state, nextKey);
            if (rotated.plan.nonce !== nonce++ || rotated.handover.firstNonce !== nonce) return false;
            state = takeOverAccount({ ...config, key: nextKey, firstNonce: rotated.handover.firstNonce }, rotated.handover);
          } else if (s.kind === 'credit') {
            state = receiveCredits(state, [{ coin: coins[s.coin]!, amount: s.amount.toString() }]);
            credited[s.coin]! += s.amount;
          } else if (s.kind === 'pay') {
            const payment = pay(n++, s.amount);
            state = admitAccountPayments(state, [{ coin: coins[s.coin]!, payment }]).state;
            requested.set(payment.id, { coin: s.coin, amount: s.amount });
          } else {
            const model: BatchCostModel = { gas: cost.gas, fee: (_c, gas) => (BigInt(gas) * BigInt(s.rate)) / 1000n };
            const result = scheduleAccount(state, model);
            for (const plan of result.plans) {
              if (plan.nonce !== nonce++) return false;
              if (plan.action.kind !== 'execute') continue;
              const c = coins.indexOf(plan.action.coin);
              if (plan.action.gas > config.maxBatchGas) return false;
              let total = BigInt(plan.action.fee);
              for (const out of plan.action.outs) {
                const asked = requested.get(out.payment);
                if (asked === undefined || asked.coin !== c || settled.has(out.payment)) return false;
                settled.add(out.payment);
                if (BigInt(out.amount) < BigInt(config.coins[c]!.dust) || BigInt(out.amount) > asked.amount) return false;
                total += BigInt(out.amount);
                spent[c]! += asked.amount;
              }
              // What a batch takes from the contract is exactly what its payments asked for.
              if (total !== plan.action.outs.reduce((t, o) => t + requested.get(o.payment)!.amount, 0n)) return false;
            }
            for (const d of result.dropped) {
              if (settled.has(d.payment.id)) return false;
              settled.add(d.payment.id);
            }
            state = result.state;
          }
          // The books: what came in, less what left in batches, is what the contract holds for Serai.
          for (const c of [0, 1]) if (BigInt(state.balances[c]!.balance) !== credited[c]! - spent[c]!) return false;
          for (const b of state.balances) for (const p of b.queue) if (settled.has(p.id)) return false;
        }
        return state.nextNonce === nonce;
      }),
      { numRuns: Number(process.env.CRYPTO_RANDOM_RUNS ?? 200) },
    );
  });
});

describe('account scheduler rotation (the retiring key names its successor on the same contract)', () => {
  const NEXT = '03'.repeat(32);
  /** A confirmed key holding ETH and DAI, with one ETH payment paid and one DAI payment it cannot yet afford. */
  function busy(): AccountSchedulerState {
    let state = funded(10_000_000n, 600_000_000n);
    state = admitAccountPayments(state, [
      { coin: ETH, payment: pay(1, 1_000_000n) },
      { coin: DAI, payment: pay(2, 900_000_000n) },
    ]).state;
    return scheduleAccount(state, cost).state;
  }

  it("takes the next nonce for the successor's name and hands over every balance and queued payment, with the nonce the successor's confirmation takes", () => {
    const before = busy();
    expect(before.nextNonce).toBe(3);
    const { state, plan, handover } = rotateAccount(before, NEXT);
    expect([plan.nonce, plan.action]).toEqual([3, { kind: 'set-next-key', nextKey: NEXT }]);
    expect(handover).toEqual({ firstNonce: 4, balances: before.balances });
    expect(state.retiredTo).toBe(NEXT);
    expect(state.nextNonce).toBe(4);
    expect(state.balances.map((b) => [b.balance, b.queue.length])).toEqual([['0', 0], ['0', 0]]);
  });

  it('a retired key makes no plan, takes no payment and no credit, and names no second successor', () => {
    const { state } = rotateAccount(busy(), NEXT);
    expect(scheduleAccount(state, cost).plans).toEqual([]);
    const admitted = admitAccountPayments(state, [{ coin: ETH, payment: pay(9, 1_000_000n) }]);
    expect(admitted.refused.map((r) => r.reason)).toEqual(['this key is retired: its successor pays']);
    expect(() => receiveCredits(state, [{ coin: ETH, amount: '1' }])).toThrow(/retired key holds nothing/);
    expect(() => rotateAccount(state, '04'.repeat(32))).toThrow(/already named its successor/);
  });

  it("the successor confirms itself at the handover's nonce, then pays the queued payments from the same balances: no nonce skipped, none used twice", () => {
    const { plan, handover } = rotateAccount(busy(), NEXT);
    let next = takeOverAccount({ ...config, key: NEXT, firstNonce: handover.firstNonce }, handover);
    expect(next.balances).toEqual(handover.balances);
    next = receiveCredits(next, [{ coin: DAI, amount: '400000000' }]);
    const scheduled = scheduleAccount(next, cost);
    expect([plan.nonce, ...scheduled.plans.map((p) => p.nonce)]).toEqual([3, 4, 5]);
    expect(scheduled.plans.map((p) => [p.key, p.action.kind])).toEqual([[NEXT, 'confirm-key'], [NEXT, 'execute']]);
    const batch = scheduled.plans[1]!.action;
    expect(batch.kind === 'execute' && batch.outs.map((o) => o.payment)).toEqual([pay(2, 0n).id]);
  });

  it('refuses a rotation before the key confirmed itself, to itself or to a malformed key, and a takeover at another nonce or of other coins', () => {
    expect(() => rotateAccount(createAccountState(config), NEXT)).toThrow(/only after its own confirmation/);
    const ready = busy();
    expect(() => rotateAccount(ready, config.key)).toThrow(/other than the retiring one/);
    for (const bad of ['00'.repeat(32), '03'.repeat(31), 'XY'.repeat(32)]) expect(() => rotateAccount(ready, bad)).toThrow(SchedulerError);
    const { handover } = rotateAccount(ready, NEXT);
    expect(() => takeOverAccount({ ...config, key: NEXT, firstNonce: 5 }, handover)).toThrow(/handover's first nonce 4/);
    expect(() => takeOverAccount({ ...config, key: NEXT, firstNonce: 4, coins: [config.coins[1]!, config.coins[0]!] }, handover)).toThrow(SchedulerError);
  });

  it('a state from before rotation existed (no retiredTo) reads and writes as it did', () => {
    const state = busy();
    expect('retiredTo' in state).toBe(false);
    expect(Object.keys(scheduleAccount(state, cost).state)).toEqual(['version', 'config', 'nextNonce', 'keyConfirmed', 'balances']);
  });
});
