import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ExternalNetwork } from '../messages/networks';
import { DEFAULT_CLAIM_CHECK_BYTES } from '../temporal/claim-check';
import type { PayloadStoreSettings } from '../temporal/data-converter';

export const NETWORKS = ['bitcoin', 'ethereum'] as const;
export type NetworkName = (typeof NETWORKS)[number];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A validator's name: in its namespace, task queues and keystore paths. */
export const VALIDATOR_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Bytes from which a payload goes to the payload store (a test lowers it to exercise the path at small scale). */
export const CLAIM_CHECK_BYTES_SETTING = z.coerce
  .number({ error: 'must be a number of bytes' })
  .int('must be whole bytes')
  .min(1024, 'must be at least 1024')
  .max(2 * 1024 * 1024, 'must be at most 2097152 (Temporal refuses larger payloads anyway)')
  .default(DEFAULT_CLAIM_CHECK_BYTES);

const schema = z
  .object({
    VALIDATOR_NAME: z.string({ error: 'is required (this validator\'s name, e.g. "alice")' }).regex(VALIDATOR_NAME, 'must be 1-32 lowercase letters, digits or dashes'),
    NETWORK: z.enum(NETWORKS, { error: `must be one of ${NETWORKS.join(', ')}` }),
    TEMPORAL_ADDRESS: z.string().regex(/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/, 'must be host:port').default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a namespace name').default('default'),
    TASK_QUEUE: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be a task queue name').optional(),
    KEYSTORE_PATH: z.string({ error: 'is required (path of this validator\'s SQLite keystore)' }).min(1, 'must not be empty'),
    KEYSTORE_KEY: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters').optional(),
    KEYSTORE_KEY_FILE: z.string().min(1).optional(),
    CODEC_KEYS: z.string().min(1).optional(),
    CODEC_KEYS_FILE: z.string().min(1).optional(),
    BITCOIN_RPC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    BITCOIN_RPC_USER: z.string().min(1).optional(),
    BITCOIN_RPC_PASSWORD: z.string().min(1).optional(),
    ETHEREUM_RPC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    ETHEREUM_RELAYER_KEY: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x and 64 hex characters (the relayer account\'s private key)').optional(),
    ETHEREUM_DAI_ADDRESS: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be 0x and 40 hex characters').optional(),
    COORDINATOR_NAMESPACE: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a namespace name').default('coordinator'),
    WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
    METRICS_ADDRESS: z.string().regex(/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/, 'must be host:port (where Prometheus scrapes /metrics)').optional(),
    METRICS_SAMPLE_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).int('must be whole seconds').min(1, 'must be at least 1').max(3600, 'must be at most 3600').default(10),
    PAYLOAD_STORE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL (the payload store large payloads go to)' }).optional(),
    PAYLOAD_CLAIM_CHECK_BYTES: CLAIM_CHECK_BYTES_SETTING,
  })
  .refine((c) => c.KEYSTORE_KEY !== undefined || c.KEYSTORE_KEY_FILE !== undefined, {
    path: ['KEYSTORE_KEY'],
    message: 'or KEYSTORE_KEY_FILE must be set (the keystore encryption key)',
  })
  .refine((c) => c.CODEC_KEYS !== undefined || c.CODEC_KEYS_FILE !== undefined, {
    path: ['CODEC_KEYS'],
    message: 'or CODEC_KEYS_FILE must be set (the payload encryption keys)',
  })
  .refine((c) => c.NETWORK !== 'bitcoin' || (c.BITCOIN_RPC_URL && c.BITCOIN_RPC_USER && c.BITCOIN_RPC_PASSWORD), {
    path: ['BITCOIN_RPC_URL'],
    message: 'BITCOIN_RPC_USER and BITCOIN_RPC_PASSWORD must be set when NETWORK=bitcoin',
  })
  .refine((c) => c.NETWORK !== 'ethereum' || c.ETHEREUM_RPC_URL, {
    path: ['ETHEREUM_RPC_URL'],
    message: 'must be set when NETWORK=ethereum',
  });

export interface WorkerConfig {
  validator: string;
  network: NetworkName;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  keystorePath: string;
  bitcoinRpc?: { url: string; username: string; password: string };
  ethereumRpcUrl?: string;
  /** The relayer account that deploys Routers and publishes signed calls (its key is a hot key, never in a workflow). */
  ethereumRelayerKey?: string;
  /** The ERC20 that is Serai's DAI on this chain. */
  ethereumDaiAddress?: string;
  /** Where processor -> coordinator messages go (the devnet coordinator's namespace). */
  coordinatorNamespace: string;
  /** A prebuilt workflow bundle (production, and many workers on one machine); else bundled at start. */
  workflowBundlePath?: string;
  /** Where the Prometheus endpoint listens (host:port), and how often the status gauges are sampled; none without METRICS_ADDRESS. */
  metrics?: { address: string; sampleMs: number };
  /** The payload store large payloads go to by claim check; without one they stay in the history. */
  payloadStore?: PayloadStoreSettings;
}

/** Secrets that may come from a file instead (`<NAME>_FILE`, e.g. a Docker secret): the file's content, less a final newline. */
const FROM_FILE = ['BITCOIN_RPC_PASSWORD', 'ETHEREUM_RELAYER_KEY'] as const;

function withSecretFiles(env: NodeJS.ProcessEnv, readFile: (path: string) => string): NodeJS.ProcessEnv {
  const resolved = { ...env };
  for (const name of FROM_FILE) {
    const file = env[`${name}_FILE`];
    if (file === undefined) continue;
    if (env[name] !== undefined) throw new ConfigError(`config: set only one of ${name} and ${name}_FILE, not both`);
    try {
      resolved[name] = readFile(file).replace(/\r?\n$/, '');
    } catch (err) {
      throw new ConfigError(`config: ${name}_FILE ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return resolved;
}

/**
 * Reads and validates the worker's settings; a bad or missing one is a one-line `ConfigError`.
 * BITCOIN_RPC_PASSWORD and ETHEREUM_RELAYER_KEY may instead be read from the file `<NAME>_FILE` names.
 */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): WorkerConfig {
  env = withSecretFiles(env, readFile);
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'environment';
    const got = typeof env[field] === 'string' && !/KEY|PASSWORD|URL/.test(field) ? ` (got "${env[field]}")` : '';
    throw new ConfigError(`config: ${field} ${issue.message}${got}`);
  }
  const c = parsed.data;
  return {
    validator: c.VALIDATOR_NAME,
    network: c.NETWORK,
    temporalAddress: c.TEMPORAL_ADDRESS,
    namespace: c.TEMPORAL_NAMESPACE,
    taskQueue: c.TASK_QUEUE ?? processorTaskQueue(c.VALIDATOR_NAME, c.NETWORK),
    keystorePath: c.KEYSTORE_PATH,
    bitcoinRpc:
      c.NETWORK === 'bitcoin' ? { url: c.BITCOIN_RPC_URL!, username: c.BITCOIN_RPC_USER!, password: c.BITCOIN_RPC_PASSWORD! } : undefined,
    ethereumRpcUrl: c.NETWORK === 'ethereum' ? c.ETHEREUM_RPC_URL : undefined,
    ...(c.NETWORK === 'ethereum' && c.ETHEREUM_RELAYER_KEY ? { ethereumRelayerKey: c.ETHEREUM_RELAYER_KEY } : {}),
    ...(c.NETWORK === 'ethereum' && c.ETHEREUM_DAI_ADDRESS ? { ethereumDaiAddress: c.ETHEREUM_DAI_ADDRESS } : {}),
    coordinatorNamespace: c.COORDINATOR_NAMESPACE,
    workflowBundlePath: c.WORKFLOW_BUNDLE_PATH,
    ...(c.METRICS_ADDRESS ? { metrics: { address: c.METRICS_ADDRESS, sampleMs: c.METRICS_SAMPLE_SECONDS * 1000 } } : {}),
    ...(c.PAYLOAD_STORE_URL ? { payloadStore: { url: c.PAYLOAD_STORE_URL, claimCheckBytes: c.PAYLOAD_CLAIM_CHECK_BYTES } } : {}),
  };
}

export function processorTaskQueue(validator: string, network: ExternalNetwork): string {
  return `processor-${validator}-${network}`;
}
