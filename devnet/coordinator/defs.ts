// Workflow-safe definitions shared by the devnet coordinator's workflows, its link and its tests.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { OutboundMessage } from '../../activities/coordinator-link';
import type { ExternalNetwork, ProcessorMessage, SignedBatch } from '../../messages';

export const COORDINATOR_NAMESPACE = 'coordinator';
export const COORDINATOR_TASK_QUEUE = 'devnet-coordinator';

/** Every processor -> coordinator message arrives as this signal on the workflow it concerns. */
export const processorMessageSignal = defineSignal<[OutboundMessage]>('processorMessage');

export interface ValidatorEntry {
  name: string;
  /** Key shares this validator holds (consecutive participant indices). */
  weight: number;
}

export interface KeygenRoundSettings {
  /** How long each round waits for every processor before the attempt is abandoned. */
  roundTimeout: string | number;
  /** How long the coordinator collects processors' Blame verdicts after relaying an accusation. */
  blameTimeout: string | number;
  maxAttempts: number;
}

export interface CoordinateKeygenInput {
  network: ExternalNetwork;
  session: number;
  t: number;
  validators: ValidatorEntry[];
  settings: KeygenRoundSettings;
}

export type AttemptResult = 'generated' | 'timeout' | 'invalid-commitments' | 'invalid-share' | 'mismatch';

export interface AttemptRecord {
  attempt: number;
  t: number;
  members: { name: string; first: number; weight: number }[];
  result: AttemptResult;
  /** Validators removed for the next attempt, with why. */
  excluded: { name: string; reason: string }[];
  /** Each processor's Blame verdict (participant it named), when an accusation was relayed. */
  verdicts?: Record<string, number[]>;
}

export interface CoordinateKeygenResult {
  attempt: number;
  keyPair: { substrateKey: string; networkKey: string };
  members: string[];
  attempts: AttemptRecord[];
}

export interface CoordinatorStatus {
  attempt: number;
  stage: string;
  /** Which message kinds each validator has sent in the current attempt. */
  replies: Record<string, string[]>;
  attempts: AttemptRecord[];
  rejected: string[];
}

export const coordinatorStatusQuery = defineQuery<CoordinatorStatus>('coordinatorStatus');

export function coordinatorKeygenWorkflowId(network: ExternalNetwork, session: number): string {
  return `coordinator-keygen-${network}-${session}`;
}

export interface CoordinateBatchInput {
  network: ExternalNetwork;
  batchId: number;
  settings: { roundTimeout: string | number; maxAttempts: number };
}

export interface CoordinateBatchResult {
  signedBatch: SignedBatch;
  attempt: number;
  signers: string[];
  /** Members left out of later attempts, with why. */
  excluded: Record<string, string>;
}

export const coordinatorBatchStatusQuery = defineQuery<{ attempt: number; stage: string; rejected: string[] }>('coordinatorBatchStatus');

export function coordinatorBatchWorkflowId(network: ExternalNetwork, batchId: number): string {
  return `coordinator-batch-${network}-${batchId}`;
}

/** The set whose key Serai confirmed, as the coordinator's key generation left it. */
export interface ConfirmedSet {
  session: number;
  t: number;
  substrateKey: string;
  members: { name: string; first: number; weight: number }[];
}

export const DEFAULT_BATCH_SETTINGS = { roundTimeout: '2 minutes', maxAttempts: 10 };

/** The Batch a processor message is about, if it is about one. */
export function batchIdOf(message: ProcessorMessage): number | undefined {
  switch (message.kind) {
    case 'substrate.Batch':
      return message.batch.id;
    case 'substrate.SignedBatch':
      return message.batch.batch.id;
    case 'coordinator.BatchPreprocess':
    case 'coordinator.SubstrateShare':
    case 'coordinator.InvalidParticipant':
      return message.id.id.kind === 'Batch' ? message.id.id.id : undefined;
    default:
      return undefined;
  }
}

export interface CoordinatePlanInput {
  network: ExternalNetwork;
  planId: string;
  settings: { roundTimeout: string | number; maxAttempts: number };
}

export interface CoordinatePlanResult {
  txid: string;
  completedBy: string;
  attempt: number;
  excluded: Record<string, string>;
}

export const coordinatorPlanStatusQuery = defineQuery<{ attempt: number; stage: string; rejected: string[] }>('coordinatorPlanStatus');

export function coordinatorPlanWorkflowId(network: ExternalNetwork, planId: string): string {
  return `coordinator-plan-${network}-${planId}`;
}

/** The plan a processor message is about, if it is about one. */
export function planIdOf(message: ProcessorMessage): string | undefined {
  switch (message.kind) {
    case 'sign.Preprocess':
    case 'sign.Share':
    case 'sign.InvalidParticipant':
      return message.id.id;
    case 'sign.Completed':
      return message.id;
    default:
      return undefined;
  }
}

export const DEFAULT_PLAN_SETTINGS = { roundTimeout: '2 minutes', maxAttempts: 10 };
