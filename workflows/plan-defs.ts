// Signals and payload types of the plan workflow: workflow-safe, shared with client.ts.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CoordinatorMessageOf, ExternalNetwork } from '../messages';
import type { AnyPlan } from '../scheduler/plans';

export type PlanDelivery =
  | CoordinatorMessageOf<'sign.Preprocesses'>
  | CoordinatorMessageOf<'sign.Shares'>
  | CoordinatorMessageOf<'sign.Reattempt'>
  | CoordinatorMessageOf<'sign.Completed'>;

export interface PlanSettings {
  idleTimeout: string | number;
  /** Confirmations after which the plan's eventuality counts as completed. */
  confirmations: number;
  /** How often a published transaction is checked (and rebroadcast while unconfirmed). */
  pollInterval: string | number;
}

export interface PlanInput {
  network: ExternalNetwork;
  plan: AnyPlan;
  settings: PlanSettings;
  /** The session whose key signs it (during a rotation, the retiring key's plans are its own); absent in inputs from before: the latest confirmed. */
  session?: number;
}

export interface PlanOutcome {
  end: 'completed' | 'idle-timeout';
  txid: string;
  attempt: number;
  /** Who completed it: this processor's own transaction, or another validator's verified claim. */
  /** `chain`: this plan's transaction found final on chain while waiting to sign (others signed it). */
  completedBy: 'self' | 'claim' | 'chain';
  height?: number;
  invalid: { attempt: number; participant: number }[];
  rejected: string[];
}

export const planMessageSignal = defineSignal<[PlanDelivery]>('planMessage');
/** A plan's signing as an operator sees it; `idlePeriods` > 0 means it is stuck (and keeps trying). */
export interface PlanStatus {
  attempt: number;
  stage: string;
  idlePeriods: number;
  rejected: string[];
}

export const planStatusQuery = defineQuery<PlanStatus>('planStatus');

export function planWorkflowId(network: ExternalNetwork, planId: string): string {
  return `plan-${network}-${planId}`;
}

export function planSignId(network: ExternalNetwork, planId: string): string {
  return `plan-${network}-${planId}`;
}
