import { SchedulerError } from './errors';
import { invalid, parseWith, state as stateSchema } from './schema';
import type { OutputKind, PendingBranch, Payment, SchedulerConfig, SchedulerState, SpendableOutput } from './types';

/** The scheduler's working form: the JSON state with amounts as bigint. */
export interface Output {
  readonly id: string;
  readonly kind: OutputKind;
  readonly amount: bigint;
}

export interface Pay {
  readonly id: string;
  readonly address: string;
  readonly amount: bigint;
}

export interface Branch {
  readonly id: string;
  readonly amount: bigint;
  readonly payments: readonly Pay[];
  readonly output: Output | null;
}

export interface Limits {
  readonly maxInputs: number;
  readonly maxOutputs: number;
  /** The smallest output the scheduler creates or accepts (at least 1). */
  readonly minOutput: bigint;
  readonly maxAmount: bigint;
}

export interface Model {
  readonly config: SchedulerConfig;
  readonly limits: Limits;
  outputs: Output[];
  payments: Pay[];
  branches: Branch[];
  operatingCosts: bigint;
  /** The successor's change script once rotation began, else null: every plan's change goes there. */
  changeTo: string | null;
  /** Handed over: takes no payment and no coin but its branch outputs. */
  retiring: boolean;
}

export function limitsOf(config: SchedulerConfig, root: string): Limits {
  const dust = BigInt(config.dust);
  const maxAmount = BigInt(config.maxAmount);
  if (maxAmount === 0n) invalid(`${root}.maxAmount`, 'expected a positive amount');
  if (dust > maxAmount) invalid(`${root}.dust`, 'expected at most maxAmount');
  return {
    maxInputs: config.maxInputs,
    maxOutputs: config.maxOutputs,
    minOutput: dust > 0n ? dust : 1n,
    maxAmount,
  };
}

/** Checks `value` lies in min..max; the reason names the bound, never the value. */
export function checkAmount(field: string, value: bigint, min: bigint, max: bigint, minName: string): bigint {
  if (value < min) invalid(field, `expected at least ${minName}`);
  if (value > max) invalid(field, 'expected at most maxAmount');
  return value;
}

export const toOutput = (output: SpendableOutput): Output => ({
  id: output.id,
  kind: output.kind,
  amount: BigInt(output.amount),
});
export const toPay = (payment: Payment): Pay => ({ ...payment, amount: BigInt(payment.amount) });

export const fromOutput = (output: Output): SpendableOutput => ({
  id: output.id,
  kind: output.kind,
  amount: output.amount.toString(),
});
export const fromPay = (payment: Pay): Payment => ({
  id: payment.id,
  address: payment.address,
  amount: payment.amount.toString(),
});

/** Largest first, ties by id: the order outputs are spent in and stored in. */
export function compareOutputs(a: Output, b: Output): number {
  if (a.amount !== b.amount) return a.amount > b.amount ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Validates a stored state (shape and consistency) and converts it to the working form. */
export function toModel(value: unknown, root = 'state'): Model {
  const parsed = parseWith(stateSchema, value, root);
  const limits = limitsOf(parsed.config, `${root}.config`);
  const outputIds = new Set<string>();
  const paymentIds = new Set<string>();
  const internal = new Set(parsed.config.internalAddresses);

  const output = (field: string, raw: SpendableOutput): Output => {
    if (outputIds.has(raw.id)) throw new SchedulerError('duplicate', `${field}.id`, 'output already held');
    outputIds.add(raw.id);
    checkAmount(`${field}.amount`, BigInt(raw.amount), limits.minOutput, limits.maxAmount, 'dust');
    return toOutput(raw);
  };
  const pay = (field: string, raw: Payment): Pay => {
    if (paymentIds.has(raw.id)) throw new SchedulerError('duplicate', `${field}.id`, 'payment already held');
    paymentIds.add(raw.id);
    if (internal.has(raw.address)) invalid(`${field}.address`, 'pays one of our own addresses');
    checkAmount(`${field}.amount`, BigInt(raw.amount), 1n, limits.maxAmount, '1');
    return toPay(raw);
  };
  const branch = (field: string, raw: PendingBranch): Branch => {
    const payments = raw.payments.map((p, i) => pay(`${field}.payments.${i}`, p));
    const amount = BigInt(raw.amount);
    if (amount < limits.minOutput) invalid(`${field}.amount`, 'expected at least dust');
    if (amount > sum(payments)) invalid(`${field}.amount`, 'expected at most the sum of its payments');
    const arrived = raw.output === null ? null : output(`${field}.output`, raw.output);
    if (arrived !== null && (arrived.kind !== 'branch' || arrived.amount !== amount)) {
      invalid(`${field}.output`, 'expected a branch output of the branch amount');
    }
    return { id: raw.id, amount, payments, output: arrived };
  };

  const branchIds = new Set<string>();
  parsed.branches.forEach((b, i) => {
    if (branchIds.has(b.id)) throw new SchedulerError('duplicate', `${root}.branches.${i}.id`, 'branch already held');
    branchIds.add(b.id);
  });

  const changeTo = parsed.changeTo ?? null;
  if (changeTo !== null && internal.has(changeTo)) invalid(`${root}.changeTo`, "expected the successor's script, not one of ours");
  const retiring = parsed.retiring === true;
  if (retiring && changeTo === null) invalid(`${root}.retiring`, 'a key hands over only once its successor is known (changeTo)');
  if (retiring && parsed.payments.length > 0) invalid(`${root}.payments`, 'a retiring key queues no payment');

  return {
    config: parsed.config,
    limits,
    outputs: parsed.outputs.map((o, i) => output(`${root}.outputs.${i}`, o)).sort(compareOutputs),
    payments: parsed.payments.map((p, i) => pay(`${root}.payments.${i}`, p)),
    branches: parsed.branches.map((b, i) => branch(`${root}.branches.${i}`, b)).sort(byId),
    operatingCosts: BigInt(parsed.operatingCosts),
    changeTo,
    retiring,
  };
}

export function fromModel(model: Model): SchedulerState {
  return {
    version: 1,
    config: canonicalConfig(model.config),
    outputs: [...model.outputs].sort(compareOutputs).map(fromOutput),
    payments: model.payments.map(fromPay),
    branches: [...model.branches].sort(byId).map((b) => ({
      id: b.id,
      amount: b.amount.toString(),
      payments: b.payments.map(fromPay),
      output: b.output === null ? null : fromOutput(b.output),
    })),
    operatingCosts: model.operatingCosts.toString(),
    // Absent until rotation, so a state from before rotation existed reads and writes as it did.
    ...(model.changeTo === null ? {} : { changeTo: model.changeTo }),
    ...(model.retiring ? { retiring: true as const } : {}),
  };
}

/** The config with its keys in one order and its address list sorted, so equal configs serialize alike. */
export function canonicalConfig(config: SchedulerConfig): SchedulerConfig {
  return {
    network: config.network,
    key: config.key,
    maxInputs: config.maxInputs,
    maxOutputs: config.maxOutputs,
    dust: config.dust,
    maxAmount: config.maxAmount,
    internalAddresses: [...new Set(config.internalAddresses)].sort(),
  };
}

export function sum(items: readonly { readonly amount: bigint }[]): bigint {
  return items.reduce((total, item) => total + item.amount, 0n);
}
