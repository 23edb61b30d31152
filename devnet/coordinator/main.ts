/**
 * The devnet coordinator as a process of its own (the `coordinator` service of docker-compose.yml):
 * registers its namespace and every validator's, starts the Serai chain simulator, and runs the
 * coordinator's worker until SIGINT/SIGTERM. `npm start` runs the same worker inside the devnet.
 */
import { writeFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { CLAIM_CHECK_BYTES_SETTING, VALIDATOR_NAME } from '../../config/worker-config';
import { createDataConverter, type PayloadStoreSettings } from '../../temporal/data-converter';
import { startPayloadStoreServer } from '../../temporal/payload-store-server';
import { KeyringConfigError, loadCodecKeyring } from '../../temporal/keyring';
import { ensureNamespace, validatorNamespace } from '../namespaces';
import { COORDINATOR_TASK_QUEUE } from './defs';
import { SERAI_CHAIN_WORKFLOW_ID } from './serai-defs';
import { seraiChain } from './serai-chain';
import { createCoordinatorWorker } from './worker';

export const coordinatorEnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().regex(/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/, 'must be host:port').default('127.0.0.1:7233'),
  COORDINATOR_NAMESPACE: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a namespace name').default('coordinator'),
  VALIDATORS: z
    .string({ error: 'is required (the validators\' names, comma-separated, e.g. "alice,bob,carol,dave")' })
    .transform((names) => names.split(',').map((name) => name.trim()))
    .refine((names) => names.every((name) => VALIDATOR_NAME.test(name)) && new Set(names).size === names.length, 'must be distinct names of 1-32 lowercase letters, digits or dashes'),
  SERAI_BLOCK_TIME: z.string().regex(/^\d+ ?(ms|seconds?|s)$/, 'must be a duration such as "6 seconds"').default('6 seconds'),
  READY_FILE: z.string().min(1).optional(),
  /** The coordinator's prebuilt workflow bundle (scripts/bundle-workflows.ts); else bundled at start. */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  /** Serve the payload store from this directory (every processor's PAYLOAD_STORE_URL names it). */
  PAYLOAD_STORE_DIR: z.string().min(1).optional(),
  PAYLOAD_STORE_HOST: z.string().min(1).default('0.0.0.0'),
  PAYLOAD_STORE_PORT: z.coerce.number({ error: 'must be a port number' }).int().min(1).max(65535).default(8900),
  /** The payload store this coordinator uses, when another process serves it. */
  PAYLOAD_STORE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  PAYLOAD_CLAIM_CHECK_BYTES: CLAIM_CHECK_BYTES_SETTING,
});

export class CoordinatorConfigError extends Error {
  override readonly name = 'CoordinatorConfigError';
}

export function loadCoordinatorConfig(env: NodeJS.ProcessEnv = process.env): z.output<typeof coordinatorEnvSchema> {
  const parsed = coordinatorEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CoordinatorConfigError(`config: ${issue.path.join('.') || 'environment'} ${issue.message}`);
  }
  return parsed.data;
}

async function main(): Promise<void> {
  const config = loadCoordinatorConfig();
  const keyring = loadCodecKeyring();
  const served = config.PAYLOAD_STORE_DIR
    ? await startPayloadStoreServer({ dir: config.PAYLOAD_STORE_DIR, host: config.PAYLOAD_STORE_HOST, port: config.PAYLOAD_STORE_PORT })
    : undefined;
  const storeUrl = config.PAYLOAD_STORE_URL ?? (served ? `http://127.0.0.1:${config.PAYLOAD_STORE_PORT}` : undefined);
  const payloadStore: PayloadStoreSettings | undefined = storeUrl ? { url: storeUrl, claimCheckBytes: config.PAYLOAD_CLAIM_CHECK_BYTES } : undefined;
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  for (const namespace of [config.COORDINATOR_NAMESPACE, ...config.VALIDATORS.map(validatorNamespace)]) await ensureNamespace(connection, namespace);
  const coordinator = await createCoordinatorWorker({
    temporalAddress: config.TEMPORAL_ADDRESS,
    namespace: config.COORDINATOR_NAMESPACE,
    keyring,
    payloadStore,
    connection,
    ...(config.WORKFLOW_BUNDLE_PATH ? { workflowBundlePath: config.WORKFLOW_BUNDLE_PATH } : {}),
  });
  const client = new Client({ connection, namespace: config.COORDINATOR_NAMESPACE, dataConverter: createDataConverter(keyring, payloadStore) });
  await client.workflow.start(seraiChain, {
    taskQueue: COORDINATOR_TASK_QUEUE,
    workflowId: SERAI_CHAIN_WORKFLOW_ID,
    args: [{ settings: { blockTime: config.SERAI_BLOCK_TIME } }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => coordinator.worker.shutdown());
  if (config.READY_FILE) writeFileSync(config.READY_FILE, `${new Date().toISOString()}\n`);
  console.log(
    `coordinator serving ${config.COORDINATOR_NAMESPACE} for ${config.VALIDATORS.join(', ')} (Serai block every ${config.SERAI_BLOCK_TIME}); payload store ${payloadStore ? payloadStore.url : 'none (large payloads stay inline)'}`,
  );
  await coordinator.worker.run();
  await coordinator.close();
  await connection.close();
  await served?.close();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof CoordinatorConfigError || err instanceof KeyringConfigError ? err.message : `coordinator failed: ${String(err)}`);
    process.exit(1);
  });
}
