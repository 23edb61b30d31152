import { join } from 'node:path';
import type { NetworkName } from '../config/worker-config';
import type { ChainEndpoints } from '../networks/registry';
import { ensureKeystoreKeyFile } from './secrets';
import { repoRoot } from '../nodes/tools';
import { ManagedProcess } from '../nodes/process';
import { ACTIVITY_JOURNAL_ENV } from './crash/settings';

export interface ValidatorSpec {
  name: string;
  network: NetworkName;
  namespace: string;
}

export type { ChainEndpoints };

export interface ValidatorLaunch {
  spec: ValidatorSpec;
  /** Which of the validator's workers this is (0 unless it runs several). */
  index?: number;
  temporalAddress: string;
  codecKeysFile: string;
  dataDir: string;
  chains: ChainEndpoints;
  extraEnv?: NodeJS.ProcessEnv;
}

/** The environment `worker.ts` reads, for one validator. */
export function workerEnv(launch: ValidatorLaunch): NodeJS.ProcessEnv {
  const dir = join(launch.dataDir, launch.spec.name);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    VALIDATOR_NAME: launch.spec.name,
    NETWORK: launch.spec.network,
    TEMPORAL_ADDRESS: launch.temporalAddress,
    TEMPORAL_NAMESPACE: launch.spec.namespace,
    KEYSTORE_PATH: join(dir, `keystore-${launch.spec.network}.sqlite`),
    KEYSTORE_KEY_FILE: ensureKeystoreKeyFile(dir),
    CODEC_KEYS_FILE: launch.codecKeysFile,
  };
  if (launch.chains.bitcoinRpc) {
    env.BITCOIN_RPC_URL = launch.chains.bitcoinRpc.url;
    env.BITCOIN_RPC_USER = launch.chains.bitcoinRpc.username;
    env.BITCOIN_RPC_PASSWORD = launch.chains.bitcoinRpc.password;
  }
  if (launch.chains.ethereumRpcUrl) env.ETHEREUM_RPC_URL = launch.chains.ethereumRpcUrl;
  if (launch.chains.ethereumRelayerKey) env.ETHEREUM_RELAYER_KEY = launch.chains.ethereumRelayerKey;
  if (launch.chains.ethereumDaiAddress) env.ETHEREUM_DAI_ADDRESS = launch.chains.ethereumDaiAddress;
  return { ...env, ...launch.extraEnv };
}

/**
 * Starts `worker.ts` as its own OS process (so it can be killed and restarted like a real one), or
 * devnet/validator-worker.ts for a validator told to misbehave (DEVNET_BYZANTINE) or to journal
 * its activities and crash (DEVNET_ACTIVITY_JOURNAL, devnet/crash/). Ready once it
 * logs that it is running.
 */
export function spawnValidatorWorker(launch: ValidatorLaunch): ManagedProcess {
  const suffix = launch.index ? `-${launch.index + 1}` : '';
  return ManagedProcess.spawn({
    name: `worker-${launch.spec.name}-${launch.spec.network}${suffix}`,
    command: process.execPath,
    args: ['--import', 'tsx', join(repoRoot, launch.extraEnv?.DEVNET_BYZANTINE || launch.extraEnv?.[ACTIVITY_JOURNAL_ENV] ? 'devnet/validator-worker.ts' : 'worker.ts')],
    cwd: repoRoot,
    env: workerEnv(launch),
    logPath: join(launch.dataDir, launch.spec.name, `worker-${launch.spec.network}${suffix}.log`),
  });
}
