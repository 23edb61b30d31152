// Workflow-safe definitions shared by the devnet coordinator's workflows and its tests. How
// processors reach it is the production contract (temporal/coordinator-contract.ts).
import { defineQuery } from '@temporalio/workflow';
import type { ExternalNetwork, SignedBatch } from '../../messages';
import type { CoordinateBatchStart, CoordinatePlanStart } from '../../temporal/coordinator-contract';

export {
  batchIdOf,
  COORDINATOR_TASK_QUEUE,
  coordinatorBatchWorkflowId,
  coordinatorKeygenWorkflowId,
  coordinatorPlanWorkflowId,
  planIdOf,
  processorMessageSignal,
} from '../../temporal/coordinator-contract';

export const COORDINATOR_NAMESPACE = 'coordinator';

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

export interface SigningRelaySettings {
  roundTimeout: string | number;
  maxAttempts: number;
}

/** A processor's first message starts it without settings: the defaults below apply. */
export interface CoordinateBatchInput extends CoordinateBatchStart {
  settings?: SigningRelaySettings;
}

export interface CoordinateBatchResult {
  signedBatch: SignedBatch;
  attempt: number;
  signers: string[];
  /** Members left out of later attempts, with why. */
  excluded: Record<string, string>;
}

export const coordinatorBatchStatusQuery = defineQuery<{ attempt: number; stage: string; rejected: string[] }>('coordinatorBatchStatus');

/** No key generation of the network completed: there is no set to sign with. */
export class NoConfirmedSetError extends Error {
  static readonly type = 'NoConfirmedSet';
  override readonly name = NoConfirmedSetError.type;
}

/** The set whose key Serai confirmed, as the coordinator's key generation left it. */
export interface ConfirmedSet {
  session: number;
  t: number;
  substrateKey: string;
  members: { name: string; first: number; weight: number }[];
}

export const DEFAULT_BATCH_SETTINGS: SigningRelaySettings = { roundTimeout: '2 minutes', maxAttempts: 10 };

export interface CoordinatePlanInput extends CoordinatePlanStart {
  settings?: SigningRelaySettings;
}

export interface CoordinatePlanResult {
  txid: string;
  completedBy: string;
  attempt: number;
  excluded: Record<string, string>;
}

export const coordinatorPlanStatusQuery = defineQuery<{ attempt: number; stage: string; rejected: string[] }>('coordinatorPlanStatus');

export const DEFAULT_PLAN_SETTINGS: SigningRelaySettings = { roundTimeout: '2 minutes', maxAttempts: 10 };
