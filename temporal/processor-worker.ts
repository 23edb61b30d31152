import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { WorkerConfig } from '../config/worker-config';
import { TemporalCoordinatorLink } from '../devnet/coordinator/link';
import { BitcoinRpc } from '../networks/bitcoin/rpc';
import { createChain } from '../networks/registry';
import { Keystore } from '../store';
import { createDataConverter } from './data-converter';
import type { Keyring } from './keyring';

export interface ProcessorWorker {
  worker: Worker;
  keystore: Keystore;
  /** Runs until `shutdown()` (or a fatal worker error); closes the keystore and connections after. */
  run(): Promise<void>;
  shutdown(): void;
}

export const workflowsPath = require.resolve('../workflows');

/** One validator's processor worker for one network: its keystore, chain client, coordinator link and task queue. */
export async function createProcessorWorker(config: WorkerConfig, keyring: Keyring, keystoreKey: Uint8Array): Promise<ProcessorWorker> {
  const keystore = Keystore.open({ path: config.keystorePath, key: keystoreKey });
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    keystore.close();
    for (const close of closers.reverse()) await close();
  };
  try {
    const dataConverter = createDataConverter(keyring);
    const connection = await NativeConnection.connect({ address: config.temporalAddress });
    closers.push(() => connection.close());
    const coordinatorConnection = await Connection.connect({ address: config.temporalAddress });
    closers.push(() => coordinatorConnection.close());
    const link = new TemporalCoordinatorLink(new Client({ connection: coordinatorConnection, namespace: config.coordinatorNamespace, dataConverter }));
    const bitcoinRpc = config.bitcoinRpc ? new BitcoinRpc(config.bitcoinRpc) : undefined;
    const worker = await Worker.create({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      ...(config.workflowBundlePath ? { workflowBundle: { codePath: config.workflowBundlePath } } : { workflowsPath }),
      activities: createActivities({
        validator: config.validator,
        network: config.network,
        keystore,
        bitcoinRpc,
        chain: createChain(config.network, { bitcoinRpc }),
        link,
        byzantine: config.byzantine,
      }),
      dataConverter,
    });
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
