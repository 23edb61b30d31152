// Signals and payload types of the Batch signing workflow: workflow-safe, shared with client.ts.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Batch, CoordinatorMessageOf, ExternalNetwork } from '../messages';

export type BatchDelivery =
  | CoordinatorMessageOf<'coordinator.SubstratePreprocesses'>
  | CoordinatorMessageOf<'coordinator.SubstrateShares'>
  | CoordinatorMessageOf<'coordinator.BatchReattempt'>;

export interface BatchSigningInput {
  network: ExternalNetwork;
  batch: Batch;
  settings: { idleTimeout: string | number };
  /** The session whose Serai key signs it (during a rotation, the block's); absent in inputs from before: the latest confirmed. */
  session?: number;
}

export interface BatchSigningOutcome {
  /** `included`: Serai included this Batch (signed by others) while this processor was still waiting. */
  end: 'signed' | 'idle-timeout' | 'included';
  attempt: number;
  signature?: string;
  /** Participants this processor found submitting invalid data, per attempt. */
  invalid: { attempt: number; participant: number }[];
  rejected: string[];
}

/** A Batch's signing as an operator sees it; `idlePeriods` > 0 means it is stuck (and keeps trying). */
export interface BatchSigningStatus {
  attempt: number;
  stage: string;
  idlePeriods: number;
  rejected: string[];
}

export const batchMessageSignal = defineSignal<[BatchDelivery]>('batchMessage');
/** The scanner saw a Serai block include this Batch: stop waiting for signing rounds. */
export const batchIncludedSignal = defineSignal('batchIncluded');
export const batchStatusQuery = defineQuery<BatchSigningStatus>('batchStatus');

export function batchWorkflowId(network: ExternalNetwork, batchId: number): string {
  return `batch-${network}-${batchId}`;
}

export function batchSignId(network: ExternalNetwork, batchId: number): string {
  return `batch-${network}-${batchId}`;
}
