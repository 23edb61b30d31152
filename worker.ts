import { ConfigError, loadWorkerConfig } from './config/worker-config';
import { KeystoreKeyError, loadKeystoreKey } from './store';
import { KeyringConfigError, loadCodecKeyring } from './temporal/keyring';
import { installRuntime, logger } from './temporal/logging';
import { createProcessorWorker, type ProcessorWorkerOptions } from './temporal/processor-worker';

/** Runs one processor worker from the environment until SIGINT/SIGTERM; exits 1 with one line on a bad setting. */
export async function runWorker(injected: Pick<ProcessorWorkerOptions, 'keygenFaults' | 'interceptors'> = {}): Promise<void> {
  try {
    const config = loadWorkerConfig();
    const keyring = loadCodecKeyring();
    const keystoreKey = loadKeystoreKey();
    installRuntime(config.metrics ? { metrics: { address: config.metrics.address, tags: { validator: config.validator, network: config.network } } } : {});
    const processor = await createProcessorWorker({ config, keyring, keystoreKey, ...injected });
    keystoreKey.fill(0);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => processor.shutdown());
    logger.info({ validator: config.validator, network: config.network, namespace: config.namespace, taskQueue: config.taskQueue, metrics: config.metrics?.address ?? null, pid: process.pid }, 'processor worker running');
    await processor.run();
    logger.info('processor worker stopped');
  } catch (err) {
    if (err instanceof ConfigError || err instanceof KeyringConfigError || err instanceof KeystoreKeyError) {
      console.error(err.message);
    } else {
      console.error('worker failed:', err);
    }
    process.exit(1);
  }
}

if (require.main === module) void runWorker();
