import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { preferredOrFreePort } from './preferred-port';
import { startProcess, startWithRetries, type ManagedProcess } from '../nodes/process';
import { toolPath } from '../nodes/tools';

export interface TemporalServerOptions {
  dataDir: string;
  /** Preferred ports; a taken one is replaced by a free one. */
  port?: number;
  uiPort?: number;
  /** The codec server the UI uses to decrypt payloads. */
  codecEndpoint?: string;
  namespaces?: string[];
  /** Dynamic config values, `key=value` (tests lower `limit.historyCount.suggestContinueAsNew`). */
  dynamicConfig?: string[];
}

export interface TemporalRestartOptions {
  /** How long the restarted server may take to answer (a database left by a SIGKILL may be slow to open). Default 120 s. */
  readyTimeoutMs?: number;
  /** Start attempts on the same port (another process may hold it for a moment). Default 5. */
  attempts?: number;
}

export interface RunningTemporalServer {
  kind: 'dev';
  address: string;
  uiUrl: string;
  /** The SQLite file holding the server's state; a restart opens it again. */
  dbPath: string;
  /** The server process now running; a restart replaces it. */
  readonly process: ManagedProcess;
  /**
   * Starts the server again on the same address, UI port and database file, so workers and clients
   * connected to `address` find it again. A process still running is stopped first (SIGTERM); a test
   * simulating a crash kills it itself (`process.killNow()`) before.
   */
  restart(options?: TemporalRestartOptions): Promise<void>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const RESTART_READY_TIMEOUT_MS = 120_000;

/** `temporal server start-dev` on loopback with SQLite persistence in `dataDir` and the UI. */
export async function startTemporalServer(options: TemporalServerOptions): Promise<RunningTemporalServer> {
  const dbPath = join(options.dataDir, 'temporal.sqlite');
  const spawnServer = (port: number, uiPort: number, readyTimeoutMs: number) => {
    const address = `127.0.0.1:${port}`;
    const args = [
      'server', 'start-dev',
      '--ip', '127.0.0.1',
      '--port', String(port),
      '--ui-port', String(uiPort),
      '--db-filename', dbPath,
      '--log-level', 'warn',
      ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
      ...(options.namespaces ?? []).flatMap((ns) => ['--namespace', ns]),
      ...(options.dynamicConfig ?? []).flatMap((value) => ['--dynamic-config-value', value]),
    ];
    return startProcess(
      { name: 'temporal', command: toolPath('temporal'), args, logPath: join(options.dataDir, 'temporal.log') },
      { timeoutMs: readyTimeoutMs, intervalMs: 250, probe: () => serves(address) },
    );
  };

  const { port, uiPort, proc } = await startWithRetries(3, async (attempt) => {
    const port = await preferredOrFreePort(attempt === 1 ? options.port : undefined);
    const uiPort = await preferredOrFreePort(attempt === 1 ? options.uiPort : undefined);
    return { port, uiPort, proc: await spawnServer(port, uiPort, READY_TIMEOUT_MS) };
  });

  let current = proc;
  let restarting: Promise<void> | undefined;
  let stopped = false;
  const address = `127.0.0.1:${port}`;
  return {
    kind: 'dev',
    address,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    dbPath,
    get process() {
      return current;
    },
    restart(restartOptions: TemporalRestartOptions = {}) {
      restarting ??= (async () => {
        if (stopped) throw new Error('the Temporal dev server was stopped; it cannot be restarted');
        await current.stop();
        // The same port on purpose: every worker and client holds this address. Whatever took it in
        // the moment since the old process died gets a few chances to let go.
        current = await startWithRetries(restartOptions.attempts ?? 5, async (attempt) => {
          if (attempt > 1) await sleep(1000 * attempt);
          return spawnServer(port, uiPort, restartOptions.readyTimeoutMs ?? RESTART_READY_TIMEOUT_MS);
        });
      })().finally(() => {
        restarting = undefined;
      });
      return restarting;
    },
    stop: async () => {
      stopped = true;
      await restarting?.catch(() => undefined);
      await current.stop();
    },
  };
}

async function serves(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.getSystemInfo({});
    return true;
  } finally {
    await connection.close();
  }
}
