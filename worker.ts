import { ConfigError, loadWorkerConfig } from './config/worker-config';
import { KeystoreKeyError, loadKeystoreKey } from './store';
import { KeyringConfigError, loadCodecKeyring } from './temporal/keyring';
import { installRuntimeLogging, logger } from './temporal/logging';
import { createProcessorWorker } from './temporal/processor-worker';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const keyring = loadCodecKeyring();
  const keystoreKey = loadKeystoreKey();
  installRuntimeLogging();
  const processor = await createProcessorWorker(config, keyring, keystoreKey);
  keystoreKey.fill(0);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => processor.shutdown());
  logger.info({ validator: config.validator, network: config.network, namespace: config.namespace, taskQueue: config.taskQueue }, 'processor worker running');
  await processor.run();
  logger.info('processor worker stopped');
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof KeyringConfigError || err instanceof KeystoreKeyError) {
    console.error(err.message);
  } else {
    console.error('worker failed:', err);
  }
  process.exit(1);
});
