import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Key } from '@noble/curves/abstract/frost.js';
import { startBtcd, type BtcdNode } from '../../nodes/btcd';
import { KeygenNetwork } from '../../devnet/keygen-network';
import { ensureCodecKeysFile } from '../../devnet/secrets';
import { startTemporalServer, type RunningTemporalServer } from '../../devnet/temporal-server';
import type { ValidatorSpec } from '../../devnet/validator-set';
import { decodeFrostPublic, decodeFrostSecret } from '../../crypto/key-package';
import { Keystore, type KeyCurve } from '../../store';
import { readKeystoreKeyFile } from '../../store/keystore-key';

export interface KeygenHarness {
  dataDir: string;
  temporal: RunningTemporalServer;
  btcd: BtcdNode;
  net: KeygenNetwork;
  stop(): Promise<void>;
}

export const TEST_PROCESSOR_SETTINGS: {
  keygen: { idleTimeout: string };
  scanner: { confirmations: number; pollInterval: string; rotation?: { graceSeconds?: number; forwardingSeconds?: number; activationDelaySeconds?: number } };
  batch: { idleTimeout: string };
  plan: { idleTimeout: string; confirmations: number; pollInterval: string };
} = {
  keygen: { idleTimeout: '5 minutes' },
  scanner: { confirmations: 2, pollInterval: '1 second' },
  batch: { idleTimeout: '5 minutes' },
  plan: { idleTimeout: '5 minutes', confirmations: 1, pollInterval: '1 second' },
};

/** A real Temporal dev server, btcd regtest, and a validator set with the devnet coordinator. */
export async function startKeygenHarness(
  validators: ValidatorSpec[],
  options: { codecKeys?: string; dynamicConfig?: string[]; claimCheckBytes?: number; processorSettings?: typeof TEST_PROCESSOR_SETTINGS; log?: (line: string) => void } = {},
): Promise<KeygenHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygen-'));
  const cleanups: Array<() => Promise<void>> = [async () => (process.env.KEEP_TEST_DATA ? console.log(`kept ${dataDir}`) : rmSync(dataDir, { recursive: true, force: true }))];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.error('cleanup failed:', err));
  };
  try {
    const temporal = await startTemporalServer({ dataDir: join(dataDir, 'temporal'), dynamicConfig: options.dynamicConfig });
    cleanups.push(() => temporal.stop());
    const btcd = await startBtcd();
    cleanups.push(() => btcd.stop());
    await btcd.activateSoftForks();
    if (options.codecKeys) writeFileSync(join(dataDir, 'codec-keys'), options.codecKeys, { mode: 0o600 });
    const { path: codecKeysFile, keyring } = ensureCodecKeysFile(dataDir);
    const net = await KeygenNetwork.start({
      temporalAddress: temporal.address,
      dataDir,
      keyring,
      codecKeysFile,
      networks: ['bitcoin'],
      validators,
      chains: { bitcoinRpc: btcd.rpcCredentials },
      processorSettings: options.processorSettings ?? TEST_PROCESSOR_SETTINGS,
      ...(options.log ? { log: options.log } : {}),
      ...(options.claimCheckBytes ? { claimCheckBytes: options.claimCheckBytes } : {}),
    });
    cleanups.push(() => net.stop());
    // The coordinator publishes every SignedBatch to a Serai chain until one takes it; the tests play
    // Serai themselves, so this chain only takes them (no keys are set on it: it includes nothing).
    await net.startSeraiChain('1 hour');
    return { dataDir, temporal, btcd, net, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Opens a validator's keystore (read side, next to its running worker). */
export function openValidatorKeystore(dataDir: string, validator: string): Keystore {
  const dir = join(dataDir, validator);
  return Keystore.open({ path: join(dir, 'keystore-bitcoin.sqlite'), key: readKeystoreKeyFile(join(dir, 'keystore.key')) });
}

/** The FROST key packages a validator's keystore holds for one attempt and curve. */
export function keysOf(keystore: Keystore, ref: { session: number; attempt: number; curve: KeyCurve }, participants: number[]): Key[] {
  const groupKey = keystore.getGroupKey({ network: 'bitcoin', ...ref });
  if (!groupKey) throw new Error(`no group key for ${JSON.stringify(ref)}`);
  return participants.map((participant) => {
    const secret = keystore.getKeyShare({ network: 'bitcoin', ...ref, participant });
    if (!secret) throw new Error(`no key share for participant ${participant}`);
    return { public: decodeFrostPublic(groupKey), secret: decodeFrostSecret(secret) };
  });
}
