import {
  addPayments,
  createState,
  decodePlan,
  decodeState,
  encodeState,
  receiveOutputs,
  schedule,
  SchedulerError,
  type FeeModel,
  type Payment,
  type SchedulerState,
} from '../../../scheduler';
import { config, deposit, hash, KEY, taprootAddress, taprootFees } from './support';

const refusal = (code: SchedulerError['code'], field: string) =>
  expect.objectContaining({ name: 'SchedulerError', code, field });

const pay = (overrides: Partial<Payment> = {}): Payment => ({
  id: hash('p'),
  address: taprootAddress('p'),
  amount: '50000',
  ...overrides,
});

const funded = (): SchedulerState => receiveOutputs(createState(config()), [deposit('d', 1_000_000n)]);

describe('payments', () => {
  test.each([
    ['a negative amount', { amount: '-5' }, 'payments.0.amount'],
    ['a zero amount', { amount: '0' }, 'payments.0.amount'],
    ['an amount above 21e6 BTC', { amount: '2100000000000001' }, 'payments.0.amount'],
    ['a number instead of a string', { amount: 5 as unknown as string }, 'payments.0.amount'],
    ['a leading zero', { amount: '0100' }, 'payments.0.amount'],
    ['a fractional amount', { amount: '1.5' }, 'payments.0.amount'],
    ['an uppercase id', { id: hash('p').toUpperCase() }, 'payments.0.id'],
    ['an odd-length id', { id: 'abc' }, 'payments.0.id'],
    ['a 0x id', { id: `0x${hash('p')}` }, 'payments.0.id'],
    ['an empty address', { address: '' }, 'payments.0.address'],
    ['an address over 196 bytes', { address: 'ab'.repeat(197) }, 'payments.0.address'],
  ])('%s is refused naming the field', (_name, overrides, field) => {
    expect(() => addPayments(funded(), [pay(overrides)])).toThrow(refusal('invalid-input', field));
  });

  test('an unknown field is refused', () => {
    const extra = { ...pay(), memo: 'x' } as Payment;
    expect(() => addPayments(funded(), [extra])).toThrow(refusal('invalid-input', 'payments.0'));
  });

  test('the maximum amount is accepted', () => {
    expect(addPayments(funded(), [pay({ amount: '2100000000000000' })]).payments).toHaveLength(1);
  });

  test('a payment id already queued, or twice in one call, is a duplicate; nothing is added', () => {
    const state = addPayments(funded(), [pay()]);
    expect(() => addPayments(state, [pay({ address: taprootAddress('other') })])).toThrow(
      refusal('duplicate', 'payments.0.id'),
    );
    expect(() => addPayments(funded(), [pay(), pay({ id: hash('q') }), pay()])).toThrow(
      refusal('duplicate', 'payments.2.id'),
    );
  });

  test('a payment to one of our own addresses is refused', () => {
    const ours = taprootAddress('our branch address');
    const state = createState(config({ internalAddresses: [ours] }));
    expect(() => addPayments(state, [pay({ address: ours })])).toThrow(refusal('invalid-input', 'payments.0.address'));
  });
});

describe('outputs', () => {
  test('the same output twice is a duplicate, in one call or across calls', () => {
    const d = deposit('d', 50_000n);
    expect(() => receiveOutputs(createState(config()), [d, d])).toThrow(refusal('duplicate', 'outputs.1.id'));
    expect(() => receiveOutputs(receiveOutputs(createState(config()), [d]), [d])).toThrow(
      refusal('duplicate', 'outputs.0.id'),
    );
  });

  test.each([
    ['an unknown kind', { kind: 'gift' }, 'outputs.0.kind'],
    ['a branch output without its branch', { kind: 'branch' }, 'outputs.0.branch'],
    ['an amount above 21e6 BTC', { amount: '2100000000000001' }, 'outputs.0.amount'],
    ['a malformed id', { id: 'zz' }, 'outputs.0.id'],
  ])('%s is refused naming the field', (_name, overrides, field) => {
    const output = { ...deposit('d', 50_000n), ...overrides } as never;
    expect(() => receiveOutputs(createState(config()), [output])).toThrow(refusal('invalid-input', field));
  });

  test('a branch output for no pending branch, or of another amount, is refused', () => {
    const payments = Array.from({ length: 3 }, (_, i) => pay({ id: hash(`p${i}`) }));
    const state = createState(config({ maxOutputs: 2 }));
    const stray = { ...deposit('x', 50_000n), kind: 'branch' as const, branch: hash('nothing') };
    expect(() => receiveOutputs(state, [stray])).toThrow(refusal('unknown-branch', 'outputs.0.branch'));

    const root = schedule(addPayments(receiveOutputs(state, [deposit('d', 150_000n)]), payments), {
      feeModel: taprootFees(1n),
    });
    const branch = root.plans[0]?.outputs.find((o) => o.kind === 'branch');
    if (branch?.kind !== 'branch') throw new Error('expected a branch');
    const short = { id: hash('b'), kind: 'branch' as const, amount: (BigInt(branch.amount) - 1n).toString(), branch: branch.branch };
    expect(() => receiveOutputs(root.state, [short])).toThrow(refusal('branch-mismatch', 'outputs.0.amount'));
    const exact = { ...short, amount: branch.amount };
    const arrived = receiveOutputs(root.state, [exact]);
    expect(() => receiveOutputs(arrived, [{ ...exact, id: hash('c') }])).toThrow(refusal('duplicate', 'outputs.0.branch'));
  });
});

describe('config and fee model', () => {
  test.each([
    ['maxOutputs below 2', { maxOutputs: 1 }, 'config.maxOutputs'],
    ['maxInputs of 0', { maxInputs: 0 }, 'config.maxInputs'],
    ['a fractional maxInputs', { maxInputs: 1.5 }, 'config.maxInputs'],
    ['dust above maxAmount', { dust: '10', maxAmount: '5' }, 'config.dust'],
    ['a zero maxAmount', { maxAmount: '0', dust: '0' }, 'config.maxAmount'],
    ['an uppercase network', { network: 'Bitcoin' }, 'config.network'],
    ['a malformed key', { key: 'xyz' }, 'config.key'],
  ])('%s is refused', (_name, overrides, field) => {
    expect(() => createState(config(overrides))).toThrow(refusal('invalid-input', field));
  });

  test.each([
    ['a number', (() => 5) as unknown as FeeModel],
    ['a negative fee', () => -1n],
    ['a fee above maxAmount', () => 2_100_000_000_000_001n],
  ])('a fee model returning %s is refused', (_name, feeModel) => {
    const state = addPayments(funded(), [pay()]);
    expect(() => schedule(state, { feeModel })).toThrow(refusal('fee-model', 'feeModel'));
  });

  test('a fee model whose fee grows when an output is removed is caught', () => {
    // Cheap with three outputs (two payments and change), dear with fewer.
    const perverse: FeeModel = (shape) => (shape.outputs.length + (shape.change ? 1 : 0) >= 3 ? 100n : 700_000n);
    const state = addPayments(funded(), [pay({ amount: '5000' }), pay({ id: hash('q'), amount: '600000' })]);
    expect(() => schedule(state, { feeModel: perverse })).toThrow(refusal('fee-model', 'feeModel'));
  });

  test('a missing fee model is refused', () => {
    expect(() => schedule(funded(), {} as never)).toThrow(refusal('invalid-input', 'options.feeModel'));
  });
});

describe('serialization', () => {
  function busyState(): SchedulerState {
    const state = addPayments(
      receiveOutputs(createState(config({ maxOutputs: 3 })), [deposit('a', 500_000n), deposit('b', 300_000n)]),
      Array.from({ length: 7 }, (_, i) => pay({ id: hash(`p${i}`), address: taprootAddress(`${i}`), amount: '60000' })),
    );
    return schedule(state, { feeModel: taprootFees(2n) }).state;
  }

  test('a state survives JSON, and key order does not change its encoding', () => {
    const state = busyState();
    expect(state.branches.length).toBeGreaterThan(0);
    const text = encodeState(state);
    expect(decodeState(text)).toEqual(state);
    expect(decodeState(JSON.parse(text))).toEqual(state);
    const reordered = JSON.parse(text, (_key, value: unknown) =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    ) as unknown;
    expect(JSON.stringify(reordered)).not.toBe(text);
    expect(encodeState(decodeState(reordered))).toBe(text);
  });

  test('a corrupted state is refused naming the field', () => {
    const state = JSON.parse(encodeState(busyState())) as { branches: { amount: string }[]; version: number };
    expect(() => decodeState('{not json')).toThrow(refusal('invalid-input', 'state'));
    expect(() => decodeState({ ...state, version: 2 })).toThrow(refusal('invalid-input', 'state.version'));
    const branches = state.branches.map((b, i) => (i === 0 ? { ...b, amount: '99999999999' } : b));
    expect(() => decodeState({ ...state, branches })).toThrow(refusal('invalid-input', 'state.branches.0.amount'));
    const twice = { ...state, outputs: [deposit('z', 50_000n), deposit('z', 50_000n)].map(({ id, kind, amount }) => ({ id, kind, amount })) };
    expect(() => decodeState(twice)).toThrow(refusal('duplicate', 'state.outputs.1.id'));
  });

  test('a plan survives JSON; a tampered plan is refused', () => {
    const state = addPayments(funded(), [pay()]);
    const [plan] = schedule(state, { feeModel: taprootFees(3n) }).plans;
    if (plan === undefined) throw new Error('expected a plan');
    expect(plan.key).toBe(KEY);
    expect(decodePlan(JSON.stringify(plan))).toEqual(plan);

    const richer = { ...plan, outputs: plan.outputs.map((o) => ({ ...o, amount: (BigInt(o.amount) + 1n).toString() })) };
    expect(() => decodePlan(richer)).toThrow(refusal('invalid-input', 'plan'));
    const rebalanced = { ...richer, fee: (BigInt(plan.fee) - 1n).toString() };
    expect(() => decodePlan(rebalanced)).toThrow(refusal('invalid-input', 'plan.id'));
    expect(() => decodePlan({ ...plan, inputs: [] })).toThrow(refusal('invalid-input', 'plan.inputs'));
  });
});
