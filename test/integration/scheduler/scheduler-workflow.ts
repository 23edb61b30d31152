import { continueAsNew } from '@temporalio/workflow';

import { receiveOutputs, schedule, type Plan, type ReceivedOutput, type SchedulerState } from '../../../scheduler';
import { outputsToUs, taprootFees } from '../../unit/scheduler/bitcoin-model';

export interface PayoutRun {
  readonly state: SchedulerState;
  readonly satPerVbyte: string;
  readonly arrived: readonly ReceivedOutput[];
  readonly plans: readonly Plan[];
  readonly runs: number;
}

export interface PayoutResult {
  readonly state: SchedulerState;
  readonly plans: readonly Plan[];
  readonly runs: number;
}

/**
 * Drives the scheduler inside the workflow sandbox, one round per run: the outputs the last
 * round's plans paid back to us arrive, the scheduler plans, and the state is carried to the
 * next run through continue-as-new (as the payout workflows will carry it).
 */
export async function schedulerPayouts(run: PayoutRun): Promise<PayoutResult> {
  const state = receiveOutputs(run.state, run.arrived);
  const result = schedule(state, { feeModel: taprootFees(BigInt(run.satPerVbyte)) });
  const plans = [...run.plans, ...result.plans];
  if (result.plans.length === 0) return { state: result.state, plans, runs: run.runs + 1 };
  return continueAsNew<typeof schedulerPayouts>({
    state: result.state,
    satPerVbyte: run.satPerVbyte,
    arrived: result.plans.flatMap(outputsToUs),
    plans,
    runs: run.runs + 1,
  });
}
