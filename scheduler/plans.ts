/** A plan of either scheduler, as workflows carry it to a chain's adapter. */
import type { AccountPlan, AccountSchedulerState } from './account/types';
import type { Plan, SchedulerState } from './types';

export type AnyPlan = Plan | AccountPlan;
export type AnySchedulerState = SchedulerState | AccountSchedulerState;

/** A UTXO scheduler's plan (inputs and outputs), not an account scheduler's (a nonce and an action). */
export function isUtxoPlan(plan: AnyPlan): plan is Plan {
  return 'inputs' in plan;
}
