import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkerInterceptors } from '@temporalio/worker';
import { DEFAULT_PROCESSOR_SETTINGS, ProcessorClient } from '../client';
import { chainView } from '../ops/chain-view';
import { statusRow } from '../ops/status';
import { sampleStatusMetrics } from '../ops/status-metrics';
import { logger } from './logging';
import { createActivities } from '../activities';
import type { KeygenFaults } from '../activities/keygen';
import type { WorkerConfig } from '../config/worker-config';
import { createChain } from '../networks/registry';
import { Keystore } from '../store';
import { TemporalCoordinatorLink } from './coordinator-link';
import type { CoordinatorLink } from './coordinator-contract';
import { createDataConverter } from './data-converter';
import type { Keyring } from './keyring';

export interface ProcessorWorker {
  worker: Worker;
  keystore: Keystore;
  /** Runs until `shutdown()` (or a fatal worker error); closes the keystore and connections after. */
  run(): Promise<void>;
  shutdown(): void;
}

export interface ProcessorWorkerOptions {
  config: WorkerConfig;
  keyring: Keyring;
  keystoreKey: Uint8Array;
  /** The coordinator link; by default the Temporal link to `config.coordinatorNamespace`. */
  link?: CoordinatorLink;
  /** Fault injection for tests and the devnet only. */
  keygenFaults?: KeygenFaults;
  /** Worker interceptors (the devnet's crash hook); none in production. */
  interceptors?: WorkerInterceptors;
}

export const workflowsPath = require.resolve('../workflows');

/** One validator's processor worker for one network: its keystore, chain adapter, coordinator link and task queue. */
export async function createProcessorWorker(options: ProcessorWorkerOptions): Promise<ProcessorWorker> {
  const { config } = options;
  const keystore = Keystore.open({ path: config.keystorePath, key: options.keystoreKey });
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    keystore.close();
    for (const close of closers.reverse()) await close();
  };
  try {
    const dataConverter = createDataConverter(options.keyring, config.payloadStore);
    const connection = await NativeConnection.connect({ address: config.temporalAddress });
    closers.push(() => connection.close());
    let link = options.link;
    if (!link) {
      const coordinator = await TemporalCoordinatorLink.connect({ address: config.temporalAddress, namespace: config.coordinatorNamespace, dataConverter });
      closers.push(coordinator.close);
      link = coordinator.link;
    }
    const worker = await Worker.create({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      ...(config.workflowBundlePath ? { workflowBundle: { codePath: config.workflowBundlePath } } : { workflowsPath }),
      activities: createActivities({
        validator: config.validator,
        network: config.network,
        keystore,
        chain: createChain(config.network, { bitcoinRpc: config.bitcoinRpc, ethereumRpcUrl: config.ethereumRpcUrl, ethereumRelayerKey: config.ethereumRelayerKey, ethereumDaiAddress: config.ethereumDaiAddress }),
        link,
        keygenFaults: options.keygenFaults,
      }),
      dataConverter,
      interceptors: options.interceptors,
    });
    if (config.metrics) {
      // The gauges come from this processor's own status, read through Temporal as an operator would.
      const clientConnection = await Connection.connect({ address: config.temporalAddress });
      closers.push(() => clientConnection.close());
      const processor = new ProcessorClient(
        new Client({ connection: clientConnection, namespace: config.namespace, dataConverter }),
        { validator: config.validator, network: config.network, namespace: config.namespace, taskQueue: config.taskQueue },
        DEFAULT_PROCESSOR_SETTINGS,
      );
      const chain = chainView(config.network, config);
      const { sampleMs } = config.metrics;
      const sampler = sampleStatusMetrics({
        meter: Runtime.instance().metricMeter,
        read: () => statusRow(config.validator, config.network, processor, chain, Math.min(5_000, sampleMs)),
        intervalMs: sampleMs,
        onError: (err) => logger.warn({ err }, 'status sample failed'),
      });
      closers.push(() => sampler.stop());
    }
    return {
      worker,
      keystore,
      shutdown: () => worker.shutdown(),
      run: async () => {
        try {
          await worker.run();
        } finally {
          await closeAll();
        }
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
