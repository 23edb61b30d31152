import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CoordinatorLink, OutboundMessage } from '../../activities/coordinator-link';
import { SERAI_CHAIN_WORKFLOW_ID } from './serai-defs';
import { batchIdOf, planIdOf, coordinatorPlanWorkflowId, DEFAULT_PLAN_SETTINGS, type CoordinatePlanInput, COORDINATOR_TASK_QUEUE, DEFAULT_BATCH_SETTINGS, coordinatorBatchWorkflowId, coordinatorKeygenWorkflowId, processorMessageSignal, type CoordinateBatchInput } from './defs';

export class NoCoordinatorWorkflowError extends Error {
  override readonly name = 'NoCoordinatorWorkflowError';
}

/**
 * The devnet's coordinator link: a processor message becomes a signal on the coordinator
 * workflow it concerns (in the coordinator's namespace). Retried by the activity on failure; the
 * coordinator drops duplicates by (sender, intent).
 */
export class TemporalCoordinatorLink implements CoordinatorLink {
  constructor(private readonly coordinator: Client) {}

  async send(outbound: OutboundMessage): Promise<void> {
    const batchId = batchIdOf(outbound.message);
    if (batchId !== undefined) {
      // The coordinator learns of a Batch from the processors: the first message starts its workflow.
      const args: CoordinateBatchInput = { network: outbound.network, batchId, settings: DEFAULT_BATCH_SETTINGS };
      await this.signalOrStart('coordinateBatch', {
        workflowId: coordinatorBatchWorkflowId(outbound.network, batchId),
        taskQueue: COORDINATOR_TASK_QUEUE,
        args: [args],
        signal: processorMessageSignal,
        signalArgs: [outbound],
      });
      return;
    }
    const planId = planIdOf(outbound.message);
    if (planId !== undefined) {
      const args: CoordinatePlanInput = { network: outbound.network, planId, settings: DEFAULT_PLAN_SETTINGS };
      await this.signalOrStart('coordinatePlan', {
        workflowId: coordinatorPlanWorkflowId(outbound.network, planId),
        taskQueue: COORDINATOR_TASK_QUEUE,
        args: [args],
        signal: processorMessageSignal,
        signalArgs: [outbound],
      });
      return;
    }
    const workflowId = this.route(outbound);
    try {
      await this.coordinator.workflow.getHandle(workflowId).signal(processorMessageSignal, outbound);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NoCoordinatorWorkflowError(`coordinator workflow ${workflowId} is not running`);
      throw err;
    }
  }

  /**
   * Signal-with-start that never revives a finished coordinator workflow: a late message (a second
   * validator's Completed, say) for a Batch or plan the coordinator already settled is dropped.
   */
  private async signalOrStart(
    workflowType: 'coordinateBatch' | 'coordinatePlan',
    options: { workflowId: string; taskQueue: string; args: [CoordinateBatchInput] | [CoordinatePlanInput]; signal: typeof processorMessageSignal; signalArgs: [OutboundMessage] },
  ): Promise<void> {
    try {
      await this.coordinator.workflow.signalWithStart(workflowType, { ...options, workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  private route({ network, message }: OutboundMessage): string {
    if (message.kind === 'coordinator.SubstrateBlockAck') return SERAI_CHAIN_WORKFLOW_ID;
    if (message.kind.startsWith('key_gen.') && 'id' in message && typeof message.id === 'object' && 'session' in message.id) {
      return coordinatorKeygenWorkflowId(network, message.id.session);
    }
    throw new NoCoordinatorWorkflowError(`the devnet coordinator does not route ${message.kind} yet`);
  }
}
