import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { log, metricMeter, ParentClosePolicy, startChild } from '@temporalio/workflow';
import { NoCoordinatorWorkflowError } from '../temporal/coordinator-contract';
import { COUNTERS } from '../temporal/metrics-catalog';
import { optionalCoordinatorLink as link } from './activity-options';
import { applicationFailureOf } from './failures';
import { signPlan } from './plan';
import { planWorkflowId } from './plan-defs';
import type { SeraiBlockInput, SeraiBlockOutcome } from './scanner-defs';

/**
 * The effects of one Serai block (`substrate-<network>-<block>`), once the scanner applied it:
 * a plan workflow per scheduled plan, burns whose address does not parse reported loudly, and
 * `SubstrateBlockAck` to the coordinator. Its id makes it run once per block; each plan's workflow
 * id makes a plan start once even if this workflow were run again.
 */
export async function substrateBlock(input: SeraiBlockInput): Promise<SeraiBlockOutcome> {
  const { network, block, session, plans, settings } = input;
  const alreadyStarted: string[] = [];
  const sessionOf = (index: number) => input.planSessions?.[index] ?? session;
  for (const [index, plan] of plans.entries()) {
    try {
      await startChild(signPlan, {
        workflowId: planWorkflowId(network, plan.id),
        args: [{ network, plan, settings, session: sessionOf(index) }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      alreadyStarted.push(plan.id);
    }
  }
  // Nothing owed is dropped silently: each is in the outcome, logged at error level and counted.
  const unpaid = metricMeter.createCounter(COUNTERS.unpaid, 'payments', 'burns, refunds and payments that will not be paid out, by kind and reason');
  for (const burn of input.unpayable) {
    log.error('burn not payable: the coins were burned on Serai but cannot be paid out', { block, ...burn });
    unpaid.add(1, { kind: 'burn', reason: reasonTag(burn.reason) });
  }
  const unpaidRefunds = input.unpaidRefunds ?? [];
  for (const refund of unpaidRefunds) {
    log.error('refund not payable: the coins stay with the key', { block, ...refund });
    unpaid.add(1, { kind: 'refund', reason: reasonTag(refund.reason) });
  }
  const unusableDeposits = input.unusableDeposits ?? [];
  for (const deposit of unusableDeposits) log.warn('deposit with invalid data and no refund address: the coins stay with the key', { block, ...deposit });
  for (const dropped of input.dropped) {
    log.error('payment dropped by the scheduler: its amount could not pay its share of the fee', { block, payment: dropped.payment.id, amount: dropped.payment.amount, reason: dropped.reason });
    unpaid.add(1, { kind: 'payment', reason: dropped.reason });
  }

  let ack: SeraiBlockOutcome['ack'] = 'sent';
  try {
    await link.sendToCoordinator({ kind: 'coordinator.SubstrateBlockAck', block, plans: plans.map((plan, index) => ({ session: sessionOf(index), id: plan.id })) });
  } catch (err) {
    if (applicationFailureOf(err)?.type !== NoCoordinatorWorkflowError.type) throw err;
    log.warn('no coordinator workflow took the SubstrateBlockAck', { block });
    ack = 'no-coordinator';
  }
  return {
    block,
    plans: plans.map((plan) => plan.id),
    alreadyStarted,
    dropped: input.dropped,
    unpayable: input.unpayable,
    acknowledged: input.acknowledged,
    unusableDeposits,
    unpaidRefunds,
    ack,
  };
}

/** A low-cardinality metric tag for a reason ("address: pays one of our own addresses" -> "address"). */
function reasonTag(reason: string): string {
  return reason.split(':')[0]!.trim().slice(0, 40) || 'other';
}
