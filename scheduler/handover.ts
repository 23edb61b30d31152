/**
 * A UTXO key's rotation (reference 1.18), as its scheduler sees it: from NewAsChange on, the
 * change of every plan goes to the successor; at ForwardFromExisting the queue and the pool are
 * handed over (the pool swept to the successor); deposits that still reach the retiring key are
 * forwarded one by one. The key may retire once it holds nothing and waits for no branch.
 */
import { SchedulerError } from './errors';
import type { FeeModel } from './fee';
import { fromModel, fromPay, limitsOf, toModel, toPay, type Model } from './model';
import { address as addressSchema, handover as handoverSchema, invalid, parseWith, receivedOutput } from './schema';
import { sweepPool } from './scheduler';
import { buildAggregation, type BuildContext, type Outcome } from './transaction';
import type { Handover, Plan, ReceivedOutput, SchedulerState } from './types';

/** NewAsChange: every plan from now on sends its change to `script`, the successor's change address. */
export function sendChangeTo(state: SchedulerState, script: string): SchedulerState {
  const model = toModel(state);
  const to = parseWith(addressSchema, script, 'script');
  if (model.changeTo !== null && model.changeTo !== to) invalid('script', `change already goes to ${model.changeTo}`);
  if (model.config.internalAddresses.includes(to)) invalid('script', "expected the successor's script, not one of ours");
  return fromModel({ ...model, changeTo: to });
}

/**
 * ForwardFromExisting: the queued payments and the operating costs go to the successor, and the
 * pool is swept to it (`changeTo`) in plans of at most `maxInputs` outputs. A chunk whose fee
 * would leave dust stays in the pool and is swept by a later `schedule`. Branches in flight stay:
 * their outputs return here, pay their payments, and send the change on. Once only.
 */
export function handOver(state: SchedulerState, options: { feeModel: FeeModel }): { state: SchedulerState; plans: Plan[]; handover: Handover } {
  if (typeof options?.feeModel !== 'function') invalid('options.feeModel', 'expected a fee function');
  const model = toModel(state);
  if (model.changeTo === null) invalid('state.changeTo', 'a key hands over only once its successor is known (sendChangeTo)');
  if (model.retiring) invalid('state.retiring', 'this key already handed over');
  const plans: Plan[] = [];
  sweepPool(model, contextOf(model, options.feeModel), collect(model, plans));
  // The sweep's fees go with the rest of the costs: the successor's payments recoup them.
  const handover: Handover = { payments: model.payments.map(fromPay), operatingCosts: model.operatingCosts.toString() };
  model.payments = [];
  model.operatingCosts = 0n;
  model.retiring = true;
  return { state: fromModel(model), plans, handover };
}

/** The successor takes what its predecessor handed over: those payments first (they are older), then its own queue. */
export function takeOver(state: SchedulerState, handover: Handover): SchedulerState {
  const model = toModel(state);
  if (model.retiring) invalid('state.retiring', 'a retiring key takes nothing over');
  const given = parseWith(handoverSchema, handover, 'handover');
  // toModel checks the joined queue: ids unique, amounts in range, none paying our own addresses.
  return fromModel(
    toModel(
      fromModel({ ...model, payments: [...given.payments.map(toPay), ...model.payments], operatingCosts: model.operatingCosts + BigInt(given.operatingCosts) }),
      'handover',
    ),
  );
}

/**
 * A deposit (or a change output) that reached the retiring key after it handed over, moved whole
 * to `to` (the successor's forward address) less its own fee, with no change. Null when the fee
 * would leave dust: the output is then the retiring key's to sweep. The state is not changed (the
 * output was never in the pool); the plan id binds the output, so it is made once.
 */
export function forwardPlan(state: SchedulerState, output: ReceivedOutput, to: string, options: { feeModel: FeeModel }): Plan | null {
  if (typeof options?.feeModel !== 'function') invalid('options.feeModel', 'expected a fee function');
  const model = toModel(state);
  const received = parseWith(receivedOutput, output, 'output');
  if (received.kind === 'branch') invalid('output.kind', 'a branch output pays its branch, it is not forwarded');
  const forwardTo = parseWith(addressSchema, to, 'to');
  if (model.config.internalAddresses.includes(forwardTo)) invalid('to', "expected the successor's script, not one of ours");
  const limits = limitsOf(model.config, 'state.config');
  const amount = BigInt(received.amount);
  if (amount < limits.minOutput || amount > limits.maxAmount) invalid('output.amount', 'expected an amount from dust to maxAmount');
  const context: BuildContext = { config: model.config, limits, feeModel: options.feeModel, changeTo: forwardTo };
  return buildAggregation(context, [{ id: received.id, kind: received.kind, amount }], 'forward')?.plan ?? null;
}

/**
 * Whether a retiring key may retire: it waits for no branch output, and its pool is empty or holds
 * only outputs worth less than the fee to move them at `feeModel` (dust, left on chain, as Serai
 * drops what reaches a closing key).
 */
export function isDrained(state: SchedulerState, options: { feeModel: FeeModel }): boolean {
  const model = toModel(state);
  if (!model.retiring || model.branches.length > 0) return false;
  const plans: Plan[] = [];
  sweepPool(model, contextOf(model, options.feeModel), collect(model, plans));
  return plans.length === 0;
}

function contextOf(model: Model, feeModel: FeeModel): BuildContext {
  return { config: model.config, limits: model.limits, feeModel, changeTo: model.changeTo };
}

function collect(model: Model, plans: Plan[]): (outcome: Outcome) => void {
  return (outcome) => {
    if (outcome.branches.length > 0 || outcome.dropped.length > 0) throw new SchedulerError('invalid-input', 'sweep', 'a sweep pays no payment');
    model.operatingCosts += outcome.operatingCostsDelta;
    if (outcome.plan !== null) plans.push(outcome.plan);
  };
}
