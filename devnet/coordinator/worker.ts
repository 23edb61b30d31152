import { Client, type Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { ProcessorClient, type ProcessorSettings, DEFAULT_PROCESSOR_SETTINGS } from '../../client';
import type { ExternalNetwork } from '../../messages';
import { dkgJudge } from '../../crypto/dkg/key-pair';
import { createDataConverter, type PayloadStoreSettings } from '../../temporal/data-converter';
import type { Keyring } from '../../temporal/keyring';
import { validatorNamespace } from '../namespaces';
import { createCoordinatorActivities } from './activities';
import { COORDINATOR_TASK_QUEUE } from './defs';

export interface CoordinatorWorkerOptions {
  temporalAddress: string;
  namespace: string;
  keyring: Keyring;
  /** Where large payloads go by claim check (the processors must use the same store). */
  payloadStore?: PayloadStoreSettings;
  /** For delivering to processors (one client per validator namespace). */
  connection: Connection;
  workflowBundlePath?: string;
  processorSettings?: ProcessorSettings;
  /** A network's processor settings where they differ from `processorSettings` (the scanners it starts get them). */
  networkSettings?: Partial<Record<ExternalNetwork, ProcessorSettings>>;
}

export const coordinatorWorkflowsPath = require.resolve('./workflows');

/** The devnet coordinator's worker: relays rounds among processors (each validator's, for each network) and judges blame. */
export async function createCoordinatorWorker(options: CoordinatorWorkerOptions): Promise<{ worker: Worker; close(): Promise<void> }> {
  const dataConverter = createDataConverter(options.keyring, options.payloadStore);
  const processors = new Map<string, ProcessorClient>();
  const processor = (validator: string, network: ExternalNetwork) => {
    let client = processors.get(`${validator}/${network}`);
    if (!client) {
      const namespace = validatorNamespace(validator);
      client = new ProcessorClient(
        new Client({ connection: options.connection, namespace, dataConverter }),
        { validator, network, namespace },
        options.networkSettings?.[network] ?? options.processorSettings ?? DEFAULT_PROCESSOR_SETTINGS,
      );
      processors.set(`${validator}/${network}`, client);
    }
    return client;
  };
  const nativeConnection = await NativeConnection.connect({ address: options.temporalAddress });
  try {
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: options.namespace,
      taskQueue: COORDINATOR_TASK_QUEUE,
      ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: coordinatorWorkflowsPath }),
      activities: createCoordinatorActivities({
        processor,
        judge: dkgJudge,
        coordinator: new Client({ connection: options.connection, namespace: options.namespace, dataConverter }),
      }),
      dataConverter,
    });
    return { worker, close: () => nativeConnection.close() };
  } catch (err) {
    await nativeConnection.close();
    throw err;
  }
}
