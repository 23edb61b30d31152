/**
 * A UTXO key's rotation in its scheduler: change to the successor, the handover (queue, costs,
 * the pool swept), forwards of what still reaches the retiring key, and a property over random
 * rotations: value is conserved across both keys, every payment is paid at most once, and the
 * retiring key drains.
 */
import assert from 'node:assert/strict';

import fc from 'fast-check';

import {
  admitPayments,
  createState,
  computePlanId,
  decodePlan,
  decodeState,
  forwardPlan,
  handOver,
  isDrained,
  receiveOutputs,
  schedule,
  sendChangeTo,
  takeOver,
  type DroppedPayment,
  type Payment,
  type Plan,
  type ReceivedOutput,
  type SchedulerState,
} from '../../../scheduler';
import { config, deposit, hash, outpoint, SimulatedChain, taprootAddress, taprootFees } from './support';

const OLD_KEY = '02'.repeat(33);
const NEW_KEY = '03'.repeat(33);
const oldScripts = [taprootAddress('old change'), taprootAddress('old branch')];
const NEW_CHANGE = taprootAddress('new change');
const NEW_FORWARD = taprootAddress('new forward');
const fees = taprootFees(2n);

const oldState = (overrides = {}) => createState(config({ key: OLD_KEY, internalAddresses: oldScripts, ...overrides }));
const newState = (overrides = {}) => createState(config({ key: NEW_KEY, internalAddresses: [NEW_CHANGE, NEW_FORWARD], ...overrides }));
const pay = (label: string, amount: bigint): Payment => ({ id: hash(`payment ${label}`), address: taprootAddress(`payee ${label}`), amount: amount.toString() });
const sumOf = (items: readonly { amount: string }[]) => items.reduce((t, i) => t + BigInt(i.amount), 0n);

describe('change to the successor (NewAsChange)', () => {
  test('every plan made after sendChangeTo sends its change to the successor, bound into its id', () => {
    let state = receiveOutputs(oldState(), [deposit('a', 1_000_000n)]);
    state = admitPayments(state, [pay('1', 100_000n)]).state;
    const before = schedule(state, { feeModel: fees }).plans[0]!;
    expect(before.changeTo).toBeUndefined();

    const rotating = sendChangeTo(state, NEW_CHANGE);
    const [plan] = schedule(rotating, { feeModel: fees }).plans;
    expect(plan!.changeTo).toBe(NEW_CHANGE);
    expect(plan!.change).toBe(before.change);
    // The same inputs, outputs and amounts with another destination for the change: another plan.
    expect(plan!.id).not.toBe(before.id);
    expect(computePlanId({ ...plan!, changeTo: undefined })).toBe(before.id);
    expect(decodePlan(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
    expect(() => decodePlan({ ...plan!, changeTo: taprootAddress('elsewhere') })).toThrow(/plan\.id/);
  });

  test('a state without rotation reads and writes as before; the successor must not be one of our scripts', () => {
    const state = oldState();
    expect(Object.keys(decodeState(state))).toEqual(['version', 'config', 'outputs', 'payments', 'branches', 'operatingCosts']);
    expect(() => sendChangeTo(state, oldScripts[0]!)).toThrow(/not one of ours/);
    const rotating = sendChangeTo(state, NEW_CHANGE);
    expect(sendChangeTo(rotating, NEW_CHANGE)).toEqual(rotating);
    expect(() => sendChangeTo(rotating, taprootAddress('another'))).toThrow(/already goes to/);
    expect(() => decodeState({ ...state, retiring: true })).toThrow(/successor is known/);
  });
});

describe('the handover (ForwardFromExisting)', () => {
  test('the queue and the costs go to the successor, the pool is swept to its change script in plans of maxInputs', () => {
    let state = oldState({ maxInputs: 2 });
    state = receiveOutputs(state, [deposit('a', 500_000n), deposit('b', 400_000n), deposit('c', 300_000n)]);
    state = admitPayments(state, [pay('1', 5_000_000n), pay('2', 20_000n)]).state;
    state = { ...state, operatingCosts: '700' };
    expect(() => handOver(state, { feeModel: fees })).toThrow(/successor is known/);

    const { state: retiring, plans, handover } = handOver(sendChangeTo(state, NEW_CHANGE), { feeModel: fees });
    expect(plans.map((p) => [p.kind, p.inputs.length, p.outputs.length, p.changeTo])).toEqual([
      ['sweep', 2, 0, NEW_CHANGE],
      ['sweep', 1, 0, NEW_CHANGE],
    ]);
    const sweepFees = plans.reduce((t, p) => t + BigInt(p.fee), 0n);
    expect(plans.reduce((t, p) => t + BigInt(p.change!), 0n) + sweepFees).toBe(1_200_000n);
    expect(handover).toEqual({ payments: [pay('1', 5_000_000n), pay('2', 20_000n)], operatingCosts: (700n + sweepFees).toString() });
    expect(retiring).toMatchObject({ outputs: [], payments: [], operatingCosts: '0', retiring: true });
    expect(() => handOver(retiring, { feeModel: fees })).toThrow(/already handed over/);

    // The retiring key takes no payment and no coin but its branch outputs.
    expect(admitPayments(retiring, [pay('3', 50_000n)]).refused).toEqual([{ payment: pay('3', 50_000n), reason: 'this key is retiring: its successor pays' }]);
    expect(() => receiveOutputs(retiring, [deposit('late', 50_000n)])).toThrow(/forward deposits/);
    expect(isDrained(retiring, { feeModel: fees })).toBe(true);

    // The successor pays the handed-over payments first, and recoups the costs.
    let successor = admitPayments(newState(), [pay('4', 30_000n)]).state;
    successor = takeOver(successor, handover);
    expect(successor.payments.map((p) => p.id)).toEqual([pay('1', 0n).id, pay('2', 0n).id, pay('4', 0n).id]);
    expect(successor.operatingCosts).toBe(handover.operatingCosts);
    expect(() => takeOver(successor, handover)).toThrow(/already held/);
    expect(() => takeOver(retiring, handover)).toThrow(/takes nothing over/);
  });

  test('a branch in flight returns to the retiring key, pays its payments, and its change goes on', () => {
    let state = oldState({ maxOutputs: 2 });
    state = receiveOutputs(state, [deposit('a', 2_000_000n)]);
    state = admitPayments(state, [pay('1', 100_000n), pay('2', 100_000n), pay('3', 100_000n)]).state;
    const first = schedule(state, { feeModel: fees });
    const branchPlan = first.plans[0]!;
    expect(branchPlan.outputs.some((o) => o.kind === 'branch')).toBe(true);
    const { state: retiring, handover } = handOver(sendChangeTo(first.state, NEW_CHANGE), { feeModel: fees });
    expect(handover.payments).toEqual([]);
    expect(isDrained(retiring, { feeModel: fees })).toBe(false);

    // Each branch output arrives back at the retiring key and pays its payments (nesting branches as needed).
    let current = retiring;
    let plans: readonly Plan[] = [branchPlan];
    const paidTo: string[] = branchPlan.outputs.flatMap((o) => (o.kind === 'payment' ? [o.payment] : []));
    for (let round = 0; round < 10 && plans.length > 0; round++) {
      const arrivals = plans.flatMap((plan) =>
        plan.outputs.flatMap((o, index): ReceivedOutput[] => (o.kind === 'branch' ? [{ id: outpoint(plan.id, index), kind: 'branch', amount: o.amount, branch: o.branch }] : [])),
      );
      const result = schedule(receiveOutputs(current, arrivals), { feeModel: fees });
      current = result.state;
      plans = result.plans;
      for (const plan of plans) {
        expect(plan.kind).toBe('branch');
        expect(plan.change === null || plan.changeTo === NEW_CHANGE).toBe(true);
        paidTo.push(...plan.outputs.flatMap((o) => (o.kind === 'payment' ? [o.payment] : [])));
      }
    }
    expect(paidTo.sort()).toEqual([pay('1', 0n).id, pay('2', 0n).id, pay('3', 0n).id].sort());
    expect(isDrained(current, { feeModel: fees })).toBe(true);
  });

  test('a pool output not worth its fee is left, and does not keep the key from retiring', () => {
    let state = oldState({ dust: '546' });
    state = receiveOutputs(state, [deposit('tiny', 600n)]);
    const { state: retiring, plans } = handOver(sendChangeTo(state, NEW_CHANGE), { feeModel: taprootFees(50n) });
    expect(plans).toEqual([]);
    expect(retiring.outputs).toHaveLength(1);
    expect(isDrained(retiring, { feeModel: taprootFees(50n) })).toBe(true);
    // At a fee it can pay, the next schedule sweeps it.
    expect(schedule(retiring, { feeModel: taprootFees(0n) }).plans.map((p) => p.kind)).toEqual(['sweep']);
  });
});

describe('forwards', () => {
  test('an output reaching the retiring key is forwarded whole less its fee to the given script, once', () => {
    const { state: retiring } = handOver(sendChangeTo(oldState(), NEW_CHANGE), { feeModel: fees });
    const late = deposit('late', 80_000n);
    const plan = forwardPlan(retiring, late, NEW_FORWARD, { feeModel: fees })!;
    expect(plan).toMatchObject({ kind: 'forward', inputs: [{ id: late.id, kind: 'external', amount: '80000' }], outputs: [], changeTo: NEW_FORWARD });
    expect(BigInt(plan.change!) + BigInt(plan.fee)).toBe(80_000n);
    expect(forwardPlan(retiring, late, NEW_FORWARD, { feeModel: fees })).toEqual(plan);
    expect(forwardPlan(retiring, deposit('late 2', 80_000n), NEW_FORWARD, { feeModel: fees })!.id).not.toBe(plan.id);
    expect(forwardPlan(retiring, deposit('dust', 10_000n), NEW_FORWARD, { feeModel: fees })).toBeNull();
    expect(() => forwardPlan(retiring, late, oldScripts[0]!, { feeModel: fees })).toThrow(/not one of ours/);
    expect(() => forwardPlan(retiring, { ...late, kind: 'branch', branch: hash('b') } as ReceivedOutput, NEW_FORWARD, { feeModel: fees })).toThrow(/not forwarded/);
  });
});

type Step =
  | { readonly kind: 'deposit'; readonly amount: bigint }
  | { readonly kind: 'pay'; readonly amount: bigint }
  | { readonly kind: 'schedule'; readonly feeRate: bigint }
  | { readonly kind: 'deliver'; readonly count: number }
  | { readonly kind: 'new-as-change' }
  | { readonly kind: 'hand-over'; readonly feeRate: bigint };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('deposit' as const), amount: fc.bigInt(10_000n, 3_000_000n) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('pay' as const), amount: fc.oneof(fc.bigInt(1n, 30_000n), fc.bigInt(30_000n, 2_000_000n)) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('schedule' as const), feeRate: fc.bigInt(1n, 60n) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deliver' as const), count: fc.nat(12) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('new-as-change' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hand-over' as const), feeRate: fc.bigInt(1n, 60n) }) },
);

test('random rotations conserve value across both keys, pay every payment at most once, and drain the retiring key', () => {
  fc.assert(
    fc.property(
      fc.record({ maxInputs: fc.integer({ min: 1, max: 5 }), maxOutputs: fc.integer({ min: 2, max: 5 }), steps: fc.array(step, { minLength: 10, maxLength: 70 }) }),
      ({ maxInputs, maxOutputs, steps }) => {
        const limits = { maxInputs, maxOutputs, dust: '10000' };
        const chain = new SimulatedChain({ maxInputs, maxOutputs, dust: 10_000n });
        let old: SchedulerState = oldState(limits);
        let next: SchedulerState = newState(limits);
        let stage = 'existing' as 'existing' | 'new-as-change' | 'handed-over';
        /** What Serai minted: deposits to the key in charge, forwarded deposits at what reached the successor. */
        let minted = 0n;
        const payments: Payment[] = [];
        const dropped = new Map<string, DroppedPayment[]>();
        let inFlight: { to: 'old' | 'new'; output: ReceivedOutput }[] = [];

        const confirm = (plan: Plan, feeRate: bigint) => {
          const received = chain.confirm(plan, taprootFees(feeRate));
          const from = plan.key === OLD_KEY ? 'old' : 'new';
          for (const output of received) {
            const toSuccessor = plan.changeTo !== undefined && output.kind === 'change';
            inFlight.push({ to: toSuccessor ? 'new' : from, output });
          }
        };
        const record = (list: readonly DroppedPayment[]) => list.forEach((d) => dropped.set(d.payment.id, [...(dropped.get(d.payment.id) ?? []), d]));
        const deliver = (count: number) => {
          const now = inFlight.slice(0, count);
          inFlight = inFlight.slice(count);
          old = receiveOutputs(old, now.filter((o) => o.to === 'old').map((o) => o.output));
          next = receiveOutputs(next, now.filter((o) => o.to === 'new').map((o) => o.output));
        };
        const check = () => {
          const shortfalls = [old, next].flatMap((s) => s.branches).reduce((t, b) => t + sumOf(b.payments) - BigInt(b.amount), 0n);
          const consumed = payments.filter((p) => chain.paid.has(p.id) || dropped.has(p.id)).reduce((t, p) => t + BigInt(p.amount), 0n);
          assert.equal(minted - consumed, chain.holdings() + shortfalls + BigInt(old.operatingCosts) + BigInt(next.operatingCosts), 'books across both keys');
          const places = (id: string) =>
            (chain.paid.get(id)?.length ?? 0) + (dropped.get(id)?.length ?? 0) + [old, next].filter((s) => s.payments.some((p) => p.id === id) || s.branches.some((b) => b.payments.some((p) => p.id === id))).length;
          for (const p of payments) assert.equal(places(p.id), 1, `payment ${p.id} in ${places(p.id)} places`);
          const known = [...[old, next].flatMap((s) => [...s.outputs, ...s.branches.flatMap((b) => (b.output ? [b.output] : []))]), ...inFlight.map((o) => o.output)].map((o) => o.id).sort();
          assert.deepEqual(known, [...chain.unspent.keys()].sort(), 'every output on chain is held by one key or in flight');
        };

        steps.forEach((s, index) => {
          switch (s.kind) {
            case 'deposit': {
              const output = chain.deposit(deposit(`${index}`, s.amount));
              if (stage !== 'handed-over') {
                old = receiveOutputs(old, [output]);
                minted += s.amount;
                break;
              }
              // After the handover a deposit to the old key is forwarded; Serai credits what arrives.
              const plan = forwardPlan(old, output, NEW_FORWARD, { feeModel: taprootFees(5n) });
              if (plan === null) {
                chain.unspent.delete(output.id);
                chain.deposited -= s.amount;
                break;
              }
              minted += BigInt(plan.change!);
              confirm(plan, 5n);
              break;
            }
            case 'pay': {
              const payment = { ...pay(`${index}`, s.amount) };
              payments.push(payment);
              const admitted = admitPayments(stage === 'handed-over' ? next : old, [payment]);
              assert.deepEqual(admitted.refused, []);
              if (stage === 'handed-over') next = admitted.state;
              else old = admitted.state;
              break;
            }
            case 'schedule': {
              for (const which of ['old', 'new'] as const) {
                const result = schedule(which === 'old' ? old : next, { feeModel: taprootFees(s.feeRate) });
                record(result.dropped);
                if (which === 'old') old = result.state;
                else next = result.state;
                result.plans.forEach((plan) => confirm(plan, s.feeRate));
                if (which === 'old' && stage !== 'existing') assert.ok(result.plans.every((p) => p.change === null || p.changeTo === NEW_CHANGE), 'change stays with the old key');
              }
              break;
            }
            case 'deliver':
              deliver(s.count);
              break;
            case 'new-as-change':
              if (stage === 'existing') {
                old = sendChangeTo(old, NEW_CHANGE);
                stage = 'new-as-change';
              }
              break;
            case 'hand-over':
              if (stage === 'new-as-change') {
                const handed = handOver(old, { feeModel: taprootFees(s.feeRate) });
                old = handed.state;
                next = takeOver(next, handed.handover);
                handed.plans.forEach((plan) => confirm(plan, s.feeRate));
                stage = 'handed-over';
              }
              break;
          }
          check();
        });

        if (stage === 'existing') old = sendChangeTo(old, NEW_CHANGE);
        if (stage !== 'handed-over') {
          const handed = handOver(old, { feeModel: taprootFees(1n) });
          old = handed.state;
          next = takeOver(next, handed.handover);
          handed.plans.forEach((plan) => confirm(plan, 1n));
        }
        // Settle: deliver and schedule until nothing moves; then the old key holds nothing worth moving.
        for (let round = 0; round < 200 && (inFlight.length > 0 || round === 0); round++) {
          deliver(inFlight.length);
          for (const which of ['old', 'new'] as const) {
            const result = schedule(which === 'old' ? old : next, { feeModel: taprootFees(1n) });
            record(result.dropped);
            if (which === 'old') old = result.state;
            else next = result.state;
            result.plans.forEach((plan) => confirm(plan, 1n));
          }
          check();
        }
        assert.equal(inFlight.length, 0);
        assert.ok(isDrained(old, { feeModel: taprootFees(1n) }), 'the retiring key drained');
        // What it still holds is dust its fee would eat (the deposits were drawn from dust up).
        for (const output of old.outputs) assert.ok(BigInt(output.amount) < 10_000n + taprootFees(1n)({ inputs: [{ kind: 'external' }], outputs: [], change: true }));
        assert.deepEqual(old.payments, []);
      },
    ),
    { numRuns: 200 },
  );
});
