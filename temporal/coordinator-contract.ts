/**
 * The contract between a processor and its coordinator on Temporal, kept by both sides: every
 * processor -> coordinator message is a `processorMessage` signal on the coordinator workflow it
 * concerns, in the coordinator's namespace and task queue. A message about a Batch or a plan starts
 * that signing's workflow if it is not running yet (never reviving one that ended); key generation
 * and the Serai chain's acknowledgements go to workflows the coordinator runs already.
 *
 * Workflow-safe: the coordinator's workflows bundle it.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ExternalNetwork, ProcessorMessage } from '../messages';

/** A processor -> coordinator message with its sender and stable intent (the receiver's dedupe key). */
export interface OutboundMessage {
  from: string;
  network: ExternalNetwork;
  intent: string;
  message: ProcessorMessage;
}

/**
 * How messages reach this validator's coordinator. Delivery is at least once: a retried activity
 * sends the same message with the same intent again, and the coordinator drops the duplicate.
 */
export interface CoordinatorLink {
  send(outbound: OutboundMessage): Promise<void>;
  /** What Serai says is minted and not yet burned, per coin of `network`; null when Serai cannot be asked. */
  seraiSupply(network: ExternalNetwork): Promise<Record<string, string> | null>;
}

export const COORDINATOR_TASK_QUEUE = 'coordinator';

/** No coordinator workflow takes the message: it is not running, or the coordinator takes no such message. */
export class NoCoordinatorWorkflowError extends Error {
  static readonly type = 'NoCoordinatorWorkflowError';
  override readonly name = NoCoordinatorWorkflowError.type;
}

export const processorMessageSignal = defineSignal<[OutboundMessage]>('processorMessage');

export function coordinatorKeygenWorkflowId(network: ExternalNetwork, session: number): string {
  return `coordinator-keygen-${network}-${session}`;
}

export function coordinatorBatchWorkflowId(network: ExternalNetwork, batchId: number): string {
  return `coordinator-batch-${network}-${batchId}`;
}

export function coordinatorPlanWorkflowId(network: ExternalNetwork, planId: string): string {
  return `coordinator-plan-${network}-${planId}`;
}

/** The coordinator's workflow following the Serai chain: it takes every network's `SubstrateBlockAck`. */
export const SERAI_CHAIN_WORKFLOW_ID = 'serai-chain';

/** Serai's supply per coin (minted less burned, decimal), answered by the Serai chain workflow. */
export const seraiSupplyQuery = defineQuery<Record<string, string>>('seraiSupply');

/** How the coordinator's signing workflows are started by a processor's first message about them. */
export interface CoordinateBatchStart {
  network: ExternalNetwork;
  batchId: number;
}

export interface CoordinatePlanStart {
  network: ExternalNetwork;
  planId: string;
}

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

/** Where a processor message goes: a running workflow, or one its first message starts. */
export type CoordinatorRoute =
  | { workflowId: string; start: { workflowType: 'coordinateBatch'; args: [CoordinateBatchStart] } }
  | { workflowId: string; start: { workflowType: 'coordinatePlan'; args: [CoordinatePlanStart] } }
  | { workflowId: string; start?: undefined };

/** The route of a message, or undefined when the coordinator takes no such message. */
export function routeOf({ network, message }: OutboundMessage): CoordinatorRoute | undefined {
  const batchId = batchIdOf(message);
  if (batchId !== undefined) {
    return { workflowId: coordinatorBatchWorkflowId(network, batchId), start: { workflowType: 'coordinateBatch', args: [{ network, batchId }] } };
  }
  const planId = planIdOf(message);
  if (planId !== undefined) {
    return { workflowId: coordinatorPlanWorkflowId(network, planId), start: { workflowType: 'coordinatePlan', args: [{ network, planId }] } };
  }
  if (message.kind === 'coordinator.SubstrateBlockAck') return { workflowId: SERAI_CHAIN_WORKFLOW_ID };
  if (message.kind.startsWith('key_gen.') && 'id' in message && typeof message.id === 'object' && 'session' in message.id) {
    return { workflowId: coordinatorKeygenWorkflowId(network, message.id.session) };
  }
  return undefined;
}
