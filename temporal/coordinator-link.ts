/**
 * The processor's link to its coordinator over Temporal (temporal/coordinator-contract.ts): a
 * message becomes a signal on the coordinator workflow it concerns, in the coordinator's
 * namespace. Retried by the sending activity on failure; the coordinator drops duplicates by
 * (sender, intent).
 */
import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type DataConverter } from '@temporalio/client';
import { COIN_NETWORK, type ExternalNetwork } from '../messages/networks';
import { COORDINATOR_TASK_QUEUE, NoCoordinatorWorkflowError, processorMessageSignal, routeOf, SERAI_CHAIN_WORKFLOW_ID, seraiSupplyQuery, type CoordinatorLink, type OutboundMessage } from './coordinator-contract';

export { NoCoordinatorWorkflowError };

export class TemporalCoordinatorLink implements CoordinatorLink {
  constructor(private readonly coordinator: Client) {}

  /** A link over its own connection to the coordinator's namespace; `close` ends the connection. */
  static async connect(options: { address: string; namespace: string; dataConverter: DataConverter }): Promise<{ link: TemporalCoordinatorLink; close(): Promise<void> }> {
    const connection = await Connection.connect({ address: options.address });
    const link = new TemporalCoordinatorLink(new Client({ connection, namespace: options.namespace, dataConverter: options.dataConverter }));
    return { link, close: () => connection.close() };
  }

  async seraiSupply(network: ExternalNetwork): Promise<Record<string, string> | null> {
    let supply: Record<string, string>;
    try {
      supply = await this.coordinator.workflow.getHandle(SERAI_CHAIN_WORKFLOW_ID).query(seraiSupplyQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
    return Object.fromEntries(Object.entries(supply).filter(([coin]) => COIN_NETWORK[coin as keyof typeof COIN_NETWORK] === network));
  }

  async send(outbound: OutboundMessage): Promise<void> {
    const route = routeOf(outbound);
    if (route === undefined) throw new NoCoordinatorWorkflowError(`the coordinator takes no ${outbound.message.kind}`);
    if (route.start) {
      // Signal-with-start that never revives a finished workflow: a late message (a second
      // validator's Completed, say) for a signing the coordinator already settled is dropped.
      try {
        await this.coordinator.workflow.signalWithStart(route.start.workflowType, {
          workflowId: route.workflowId,
          taskQueue: COORDINATOR_TASK_QUEUE,
          args: route.start.args,
          signal: processorMessageSignal,
          signalArgs: [outbound],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return;
    }
    try {
      await this.coordinator.workflow.getHandle(route.workflowId).signal(processorMessageSignal, outbound);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NoCoordinatorWorkflowError(`coordinator workflow ${route.workflowId} is not running`);
      throw err;
    }
  }
}
