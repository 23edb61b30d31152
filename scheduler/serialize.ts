import { SchedulerError } from './errors';
import { fromModel, toModel } from './model';
import { computeBranchId, computePlanId } from './plan-id';
import { invalid, parseWith, plan as planSchema } from './schema';
import type { Plan, SchedulerState } from './types';

/** The state as JSON text, canonical: equal states give identical text. */
export function encodeState(state: SchedulerState): string {
  return JSON.stringify(fromModel(toModel(state)));
}

/** A state from JSON text or an already-parsed value, validated for shape and consistency. */
export function decodeState(value: unknown): SchedulerState {
  return fromModel(toModel(typeof value === 'string' ? parseJson(value, 'state') : value));
}

/**
 * A plan from JSON text or value (as an activity receives it), checked to be one the scheduler
 * could have made: its id and branch ids recompute, its inputs are distinct, and
 * sum(inputs) = sum(outputs) + change + fee + operatingCost.
 */
export function decodePlan(value: unknown): Plan {
  const plan: Plan = parseWith(planSchema, typeof value === 'string' ? parseJson(value, 'plan') : value, 'plan');
  const inputIds = new Set<string>();
  plan.inputs.forEach((input, index) => {
    if (inputIds.has(input.id)) throw new SchedulerError('duplicate', `plan.inputs.${index}.id`, 'input spent twice');
    inputIds.add(input.id);
  });
  const amounts = (items: readonly { amount: string }[]) => items.reduce((t, item) => t + BigInt(item.amount), 0n);
  const out =
    amounts(plan.outputs) + BigInt(plan.change ?? '0') + BigInt(plan.fee) + BigInt(plan.operatingCost);
  if (plan.changeTo !== undefined && plan.change === null) invalid('plan.changeTo', 'a plan without change sends none anywhere');
  if (amounts(plan.inputs) !== out) invalid('plan', 'expected inputs to equal outputs + change + fee + operatingCost');
  if (computePlanId(plan) !== plan.id) invalid('plan.id', 'does not match the plan');
  plan.outputs.forEach((output, index) => {
    if (output.kind === 'branch' && output.branch !== computeBranchId(plan.id, index)) {
      invalid(`plan.outputs.${index}.branch`, 'does not match the plan id and position');
    }
  });
  return plan;
}

function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return invalid(field, 'expected JSON text');
  }
}
