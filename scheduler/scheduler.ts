import { SchedulerError } from './errors';
import type { FeeModel } from './fee';
import {
  canonicalConfig,
  checkAmount,
  compareOutputs,
  fromModel,
  fromPay,
  limitsOf,
  sum,
  toModel,
  toPay,
  type Branch,
  type Model,
  type Output,
  type Pay,
} from './model';
import { config as configSchema, parseWith, payment as paymentSchema, receivedOutput, invalid } from './schema';
import { buildAggregation, buildPayments, type BuildContext, type Dropped, type Outcome } from './transaction';
import { layoutOutputs } from './tree';
import type {
  DroppedPayment,
  Payment,
  Plan,
  ReceivedOutput,
  ScheduleResult,
  SchedulerConfig,
  SchedulerState,
} from './types';

/** Bitcoin's limits (reference section 5): 520 inputs/outputs, 10 000 sat dust, 21e6 BTC. */
export const BITCOIN_LIMITS = {
  maxInputs: 520,
  maxOutputs: 520,
  dust: '10000',
  maxAmount: '2100000000000000',
} as const;

/** An empty scheduler for one key. */
export function createState(config: SchedulerConfig): SchedulerState {
  const parsed = parseWith(configSchema, config, 'config');
  return fromModel({
    config: canonicalConfig(parsed),
    limits: limitsOf(parsed, 'config'),
    outputs: [],
    payments: [],
    branches: [],
    operatingCosts: 0n,
    changeTo: null,
    retiring: false,
  });
}

/** Queues payments after those already queued, in the order given. All are added or none. */
export function addPayments(state: SchedulerState, payments: readonly Payment[]): SchedulerState {
  const model = toModel(state);
  if (model.retiring && payments.length > 0) invalid('state.retiring', RETIRED_PAYS_NOTHING);
  const check = paymentCheck(model);
  const added = payments.map((raw, index) => check(raw, `payments.${index}`));
  return fromModel({ ...model, payments: [...model.payments, ...added] });
}

const RETIRED_PAYS_NOTHING = 'this key is retiring: its successor pays';

/** A payment the scheduler would not queue, and why (the SchedulerError's field and reason). */
export interface RefusedPayment {
  readonly payment: Payment;
  readonly reason: string;
}

/**
 * Queues every payment the scheduler can take, in the order given, and hands back the others with
 * why: malformed, an amount of 0 or above `maxAmount`, one of our own addresses, or an id already
 * held. Never throws for a payment, so one hostile burn or refund cannot stop the rest.
 */
export function admitPayments(state: SchedulerState, payments: readonly Payment[]): { state: SchedulerState; refused: RefusedPayment[] } {
  const model = toModel(state);
  const check = paymentCheck(model);
  const added: Pay[] = [];
  const refused: RefusedPayment[] = [];
  payments.forEach((raw, index) => {
    if (model.retiring) {
      refused.push({ payment: raw, reason: RETIRED_PAYS_NOTHING });
      return;
    }
    try {
      added.push(check(raw, `payments.${index}`));
    } catch (err) {
      if (!(err instanceof SchedulerError)) throw err;
      refused.push({ payment: raw, reason: `${err.field.replace(/^payments\.\d+\.?/, '') || 'payment'}: ${err.reason}` });
    }
  });
  return { state: fromModel({ ...model, payments: [...model.payments, ...added] }), refused };
}

/** Validates one payment against the scheduler (and the payments accepted before it). */
function paymentCheck(model: Model): (raw: Payment, field: string) => Pay {
  const internal = new Set(model.config.internalAddresses);
  const held = new Set([...model.payments, ...model.branches.flatMap((b) => b.payments)].map((p) => p.id));
  return (raw, field) => {
    const payment = toPay(parseWith(paymentSchema, raw, field));
    checkAmount(`${field}.amount`, payment.amount, 1n, model.limits.maxAmount, '1');
    if (internal.has(payment.address)) invalid(`${field}.address`, 'pays one of our own addresses');
    if (held.has(payment.id)) throw new SchedulerError('duplicate', `${field}.id`, 'payment already held');
    held.add(payment.id);
    return payment;
  };
}

/**
 * Adds outputs the scanner found for this key. External, change and forward outputs join the
 * pool. A branch output must name a branch waiting for exactly its amount; it releases that
 * branch's payments to the next `schedule`. All are added or none.
 */
export function receiveOutputs(state: SchedulerState, outputs: readonly ReceivedOutput[]): SchedulerState {
  const model = toModel(state);
  const held = new Set([...model.outputs, ...model.branches.flatMap((b) => (b.output ? [b.output] : []))].map((o) => o.id));
  const branches = new Map(model.branches.map((b) => [b.id, b]));
  const pool = [...model.outputs];

  outputs.forEach((raw, index) => {
    const field = `outputs.${index}`;
    const received = parseWith(receivedOutput, raw, field);
    const output: Output = { id: received.id, kind: received.kind, amount: BigInt(received.amount) };
    checkAmount(`${field}.amount`, output.amount, model.limits.minOutput, model.limits.maxAmount, 'dust');
    if (held.has(output.id)) throw new SchedulerError('duplicate', `${field}.id`, 'output already held');
    held.add(output.id);
    if (received.kind !== 'branch') {
      // A deposit is its successor's to credit: the scanner forwards it with its InInstruction. The
      // change of a plan made before the handover joins the pool, and the next schedule sweeps it.
      if (model.retiring && received.kind !== 'change') invalid(`${field}.kind`, 'a retiring key takes only the change and branch outputs of its own plans: forward deposits');
      pool.push(output);
      return;
    }
    const branch = branches.get(received.branch);
    if (branch === undefined) {
      throw new SchedulerError('unknown-branch', `${field}.branch`, 'no branch with this id is pending');
    }
    if (branch.output !== null) {
      throw new SchedulerError('duplicate', `${field}.branch`, 'this branch output already arrived');
    }
    if (branch.amount !== output.amount) {
      throw new SchedulerError('branch-mismatch', `${field}.amount`, 'differs from the amount the branch was planned with');
    }
    branches.set(branch.id, { ...branch, output });
  });
  return fromModel({ ...model, outputs: pool.sort(compareOutputs), branches: [...branches.values()] });
}

export interface ScheduleOptions {
  readonly feeModel: FeeModel;
}

/**
 * Plans everything that can go out now, in this order:
 * 1. each branch whose output arrived (by branch id) pays its payments, nesting further branches;
 * 2. pool outputs, largest first, are cut into chunks of `maxInputs`; every chunk after the
 *    first with two or more outputs is merged by an aggregation plan (if that leaves more than dust);
 * 3. the first chunk pays queued payments first-in first-out, stopping at the first payment it
 *    cannot cover, in one transaction spending the fewest of its outputs that cover them, whose
 *    payments beyond `maxOutputs` go to a branch tree.
 * A plan that cannot be made leaves its inputs in the pool; payments it could not pay are
 * reported in `dropped` and credited to the books.
 */
export function schedule(state: SchedulerState, options: ScheduleOptions): ScheduleResult {
  if (typeof options?.feeModel !== 'function') invalid('options.feeModel', 'expected a fee function');
  const model = toModel(state);
  const context: BuildContext = { config: model.config, limits: model.limits, feeModel: options.feeModel, changeTo: model.changeTo };
  const plans: Plan[] = [];
  const dropped: Dropped[] = [];
  const apply = (outcome: Outcome): void => {
    model.operatingCosts += outcome.operatingCostsDelta;
    model.branches.push(...outcome.branches);
    dropped.push(...outcome.dropped);
    if (outcome.plan !== null) plans.push(outcome.plan);
  };

  runBranches(model, context, apply);
  // A retiring key pays nothing from its pool: what is left there (a branch output its plan could
  // not spend, an output a sweep could not afford before) goes to the successor.
  if (model.retiring) sweepPool(model, context, apply);
  else runPool(model, context, apply);

  return {
    state: fromModel(model),
    plans,
    dropped: dropped.map(({ payment, reason }): DroppedPayment => ({ payment: fromPay(payment), reason })),
  };
}

/**
 * The fewest of `outputs` (largest first) worth at least `amount`. The reference spent the whole
 * chunk, making the payments bear the fee of up to maxInputs inputs: one small payment from a
 * pool of 520 outputs paid ~30 000 vB of fees and was dropped. Consolidation is left to
 * aggregation plans.
 */
function coveringPrefix(outputs: readonly Output[], amount: bigint): Output[] {
  let held = 0n;
  let count = 0;
  while (held < amount && count < outputs.length) held += outputs[count++]?.amount ?? 0n;
  return outputs.slice(0, count);
}

function runBranches(model: Model, context: BuildContext, apply: (outcome: Outcome) => void): void {
  const arrived = model.branches.filter((b): b is Branch & { output: Output } => b.output !== null);
  model.branches = model.branches.filter((b) => b.output === null);
  for (const branch of arrived) {
    const slots = layoutOutputs(branch.payments, model.limits.maxOutputs, model.limits.maxOutputs);
    const outcome = buildPayments(context, 'branch', [branch.output], slots, model.operatingCosts);
    // Unspent, the branch output is an ordinary output of ours.
    if (outcome.plan === null) model.outputs.push(branch.output);
    apply(outcome);
  }
  model.outputs.sort(compareOutputs);
}

/** Moves the pool to the successor (`changeTo`), `maxInputs` outputs a plan; a chunk its fee would leave dust stays. */
export function sweepPool(model: Model, context: BuildContext, apply: (outcome: Outcome) => void): void {
  const kept: Output[] = [];
  for (let start = 0; start < model.outputs.length; start += model.limits.maxInputs) {
    const chunk = model.outputs.slice(start, start + model.limits.maxInputs);
    const outcome = buildAggregation(context, chunk, 'sweep');
    if (outcome === null) kept.push(...chunk);
    else apply(outcome);
  }
  model.outputs = kept;
}

function runPool(model: Model, context: BuildContext, apply: (outcome: Outcome) => void): void {
  const { maxInputs, maxOutputs } = model.limits;
  const chunks: Output[][] = [];
  for (let start = 0; start < model.outputs.length; start += maxInputs) {
    chunks.push(model.outputs.slice(start, start + maxInputs));
  }
  const spent = new Set<string>();
  const spend = (inputs: readonly Output[]): void => inputs.forEach((input) => spent.add(input.id));

  for (const chunk of chunks.slice(1)) {
    // A single output gains nothing from being moved; it waits for the next round.
    if (chunk.length < 2) continue;
    const outcome = buildAggregation(context, chunk);
    if (outcome === null) continue;
    spend(chunk);
    apply(outcome);
  }

  const funding = chunks[0] ?? [];
  const balance = sum(funding);
  while (model.payments.length > 0) {
    let covered = 0n;
    let taken = 0;
    for (const payment of model.payments) {
      if (covered + payment.amount > balance) break;
      covered += payment.amount;
      taken += 1;
    }
    if (taken === 0) break;
    const batch = model.payments.slice(0, taken);
    model.payments = model.payments.slice(taken);
    const inputs = coveringPrefix(funding, covered);
    const capacity = maxOutputs - (sum(inputs) > covered ? 1 : 0);
    const slots = layoutOutputs(batch, capacity, maxOutputs);
    const outcome = buildPayments(context, 'payments', inputs, slots, model.operatingCosts);
    apply(outcome);
    if (outcome.plan !== null) {
      spend(inputs);
      break;
    }
  }
  model.outputs = model.outputs.filter((output) => !spent.has(output.id));
}
