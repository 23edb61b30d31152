import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createDataConverter } from '../../temporal/data-converter';
import { parseKeyring, type Keyring } from '../../temporal/keyring';
import { toolPath } from '../../nodes/tools';

let runtimeInstalled = false;

export function installRuntimeOnce(): void {
  if (runtimeInstalled) return;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // jest may load this module once per test file in one process; the Runtime is process-wide.
  }
  runtimeInstalled = true;
}

export interface TemporalTestEnv {
  env: TestWorkflowEnvironment;
  keyring: Keyring;
  dataConverter: DataConverter;
  teardown(): Promise<void>;
}

/** A fresh random codec keyring for one test run (never a fixed key). */
export function testKeyring(): Keyring {
  return parseKeyring(`test-${bytesToHex(randomBytes(4))}=${bytesToHex(randomBytes(32))}`, 'test keyring');
}

/**
 * Starts a real Temporal dev server (the pinned `temporal` CLI) with the project's encrypted data
 * converter on the client. The SDK gives the server 5 s to come up; on a busy 2-core machine we
 * retry the startup (never a test).
 */
export async function startTemporalTestEnv(opts: { attempts?: number; keyring?: Keyring } = {}): Promise<TemporalTestEnv> {
  installRuntimeOnce();
  const keyring = opts.keyring ?? testKeyring();
  const dataConverter = createDataConverter(keyring);
  const attempts = opts.attempts ?? 3;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const env = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'existing-path', path: toolPath('temporal') },
          ip: '127.0.0.1',
          log: { format: 'pretty', level: 'error' },
        },
        client: { dataConverter },
      });
      return { env, keyring, dataConverter, teardown: () => env.teardown() };
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`Temporal dev server did not start after ${attempts} attempts: ${String(lastError)}`);
}
