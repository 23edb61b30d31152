import { amortize } from './amortize';
import { feeOf, type FeeModel, type ShapeOutput, type TransactionShape } from './fee';
import { SchedulerError } from './errors';
import { fromOutput, sum, type Branch, type Limits, type Output, type Pay } from './model';
import { computeBranchId, computePlanId, type PlanOutputBody } from './plan-id';
import type { DropReason, Plan, PlanKind, PlanOutput, SchedulerConfig } from './types';
import type { Slot } from './tree';

export interface BuildContext {
  readonly config: SchedulerConfig;
  readonly limits: Limits;
  readonly feeModel: FeeModel;
  /** The successor's change script during rotation, else null (change to this key). */
  readonly changeTo: string | null;
}

export interface Dropped {
  readonly payment: Pay;
  readonly reason: DropReason;
}

/**
 * One transaction's outcome. `plan` is null when nothing could be paid: the inputs were not
 * spent and remain the caller's. `operatingCostsDelta` keeps the books exact:
 *   deposits - payments consumed (paid or dropped, at their requested amounts)
 *     = holdings (pool and in-flight outputs) + pending branch shortfalls + operating costs,
 * where a branch's shortfall is its payments' sum minus its output's amount.
 */
export interface Outcome {
  readonly plan: Plan | null;
  readonly branches: readonly Branch[];
  readonly dropped: readonly Dropped[];
  readonly operatingCostsDelta: bigint;
}

const requestedOf = (slot: Slot<Pay>): bigint => (slot.kind === 'leaf' ? slot.item.amount : sum(slot.items));
const paymentsOf = (slot: Slot<Pay>): readonly Pay[] => (slot.kind === 'leaf' ? [slot.item] : slot.items);
const shapeOf = (slot: Slot<Pay>): ShapeOutput =>
  slot.kind === 'leaf' ? { kind: 'payment', address: slot.item.address } : { kind: 'branch' };

function shape(inputs: readonly Output[], slots: readonly Slot<Pay>[], change: boolean): TransactionShape {
  return { inputs: inputs.map((input) => ({ kind: input.kind })), outputs: slots.map(shapeOf), change };
}

function dropAll(slots: readonly Slot<Pay>[], reason: DropReason): Dropped[] {
  return slots.flatMap((slot) => paymentsOf(slot).map((payment) => ({ payment, reason })));
}

/**
 * Pays `slots` from `inputs` (a `payments` plan from pool outputs, or a `branch` plan from one
 * branch output worth less than its payments by the parent's fee share).
 *
 * The fee for the planned shape, plus the branch shortfall, plus (when change is planned) as
 * much of the positive operating costs as leaves the payments dust on average, is deducted
 * from the slots by `amortize`. Slots left below dust are dropped, their value going to change.
 * If the slots cannot carry the fee, or none survives, every payment is dropped and no plan is
 * made: the inputs are not spent (reference 6.19 lost them).
 */
export function buildPayments(
  context: BuildContext,
  kind: Exclude<PlanKind, 'aggregation'>,
  inputs: readonly Output[],
  slots: readonly Slot<Pay>[],
  operatingCosts: bigint,
): Outcome {
  const { limits } = context;
  const available = sum(inputs);
  const requested = slots.map(requestedOf);
  const totalRequested = requested.reduce((a, b) => a + b, 0n);
  const plannedChange = available > totalRequested;
  const shortfall = totalRequested > available ? totalRequested - available : 0n;
  const plannedFee = feeOf(context.feeModel, shape(inputs, slots, plannedChange), limits.maxAmount);
  const cost = plannedFee + shortfall;

  const nothingPaid = (reason: DropReason): Outcome => ({
    plan: null,
    branches: [],
    dropped: dropAll(slots, reason),
    operatingCostsDelta: shortfall - totalRequested,
  });
  if (totalRequested < cost) return nothingPaid('fee-exceeds-payments');

  const headroom = totalRequested - cost - BigInt(slots.length) * limits.minOutput;
  const recoup = plannedChange && operatingCosts > 0n && headroom > 0n ? min(operatingCosts, headroom) : 0n;
  const amounts = amortize(requested, cost + recoup);

  const kept: { slot: Slot<Pay>; amount: bigint }[] = [];
  const dropped: Dropped[] = [];
  slots.forEach((slot, index) => {
    const amount = amounts[index] ?? 0n;
    if (amount >= limits.minOutput) kept.push({ slot, amount });
    else dropped.push(...dropAll([slot], 'dust-after-fee'));
  });
  if (kept.length === 0) return nothingPaid('dust-after-fee');

  const keptSlots = kept.map((entry) => entry.slot);
  const paid = kept.reduce((total, entry) => total + entry.amount, 0n);
  const { change, fee, operatingCost } = settle(context, inputs, keptSlots, available - paid);

  const body = kept.map(({ slot, amount }): PlanOutputBody =>
    slot.kind === 'leaf'
      ? { kind: 'payment', payment: slot.item.id, address: slot.item.address, amount: amount.toString() }
      : { kind: 'branch', amount: amount.toString() },
  );
  const plan = finishPlan(context, kind, inputs, body, change, fee, operatingCost);
  const branches = kept.flatMap(({ slot, amount }, index): Branch[] =>
    slot.kind === 'branch'
      ? [{ id: computeBranchId(plan.id, index), amount, payments: slot.items, output: null }]
      : [],
  );

  // Each slot was charged requested - amount (everything, when dropped). A kept branch's charge
  // is owed by its payments until its own plan deducts it: the books count it among the
  // pending branch shortfalls.
  const charged = totalRequested - paid;
  return { plan, branches, dropped, operatingCostsDelta: fee + operatingCost + shortfall - charged };
}

/**
 * Merges `inputs` into one change output (`aggregation`; a `sweep` or `forward` when the change
 * goes to the successor), or returns null if the fee would leave it dust.
 */
export function buildAggregation(context: BuildContext, inputs: readonly Output[], kind: 'aggregation' | 'sweep' | 'forward' = 'aggregation'): Outcome | null {
  const available = sum(inputs);
  const fee = feeOf(context.feeModel, shape(inputs, [], true), context.limits.maxAmount);
  if (available - fee < context.limits.minOutput) return null;
  const plan = finishPlan(context, kind, inputs, [], available - fee, fee, 0n);
  return { plan, branches: [], dropped: [], operatingCostsDelta: fee };
}

/**
 * Splits what the inputs hold beyond the outputs into change, fee and operating cost: a change
 * output when one fits and is worth at least dust after its own fee, else everything beyond the
 * fee goes to miners as an operating cost.
 */
function settle(
  context: BuildContext,
  inputs: readonly Output[],
  slots: readonly Slot<Pay>[],
  surplus: bigint,
): { change: bigint | null; fee: bigint; operatingCost: bigint } {
  const { limits, feeModel } = context;
  if (slots.length < limits.maxOutputs) {
    const feeWithChange = feeOf(feeModel, shape(inputs, slots, true), limits.maxAmount);
    const change = surplus - feeWithChange;
    if (change >= limits.minOutput) return { change, fee: feeWithChange, operatingCost: 0n };
  }
  const fee = feeOf(feeModel, shape(inputs, slots, false), limits.maxAmount);
  if (fee > surplus) {
    // The planned (larger) shape's fee was covered, so only a model whose fee grew as the
    // transaction shrank can get here.
    throw new SchedulerError('fee-model', 'feeModel', 'expected a fee that never grows when outputs are removed');
  }
  return { change: null, fee, operatingCost: surplus - fee };
}

function finishPlan(
  context: BuildContext,
  kind: PlanKind,
  inputs: readonly Output[],
  outputs: readonly PlanOutputBody[],
  change: bigint | null,
  fee: bigint,
  operatingCost: bigint,
): Plan {
  const body = {
    network: context.config.network,
    key: context.config.key,
    kind,
    inputs: inputs.map(fromOutput),
    outputs,
    change: change === null ? null : change.toString(),
    fee: fee.toString(),
    operatingCost: operatingCost.toString(),
    ...(change !== null && context.changeTo !== null ? { changeTo: context.changeTo } : {}),
  };
  const id = computePlanId(body);
  const withIds = outputs.map(
    (output, index): PlanOutput =>
      output.kind === 'branch' ? { kind: 'branch', branch: computeBranchId(id, index), amount: output.amount } : output,
  );
  return { id, ...body, outputs: withIds };
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
