import { join } from 'node:path';
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

export interface RunningTemporalServer {
  address: string;
  uiUrl: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** `temporal server start-dev` on loopback with SQLite persistence in `dataDir` and the UI. */
export async function startTemporalServer(options: TemporalServerOptions): Promise<RunningTemporalServer> {
  return startWithRetries(3, async (attempt) => {
    const port = await preferredOrFreePort(attempt === 1 ? options.port : undefined);
    const uiPort = await preferredOrFreePort(attempt === 1 ? options.uiPort : undefined);
    const address = `127.0.0.1:${port}`;
    const args = [
      'server', 'start-dev',
      '--ip', '127.0.0.1',
      '--port', String(port),
      '--ui-port', String(uiPort),
      '--db-filename', join(options.dataDir, 'temporal.sqlite'),
      '--log-level', 'warn',
      ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
      ...(options.namespaces ?? []).flatMap((ns) => ['--namespace', ns]),
      ...(options.dynamicConfig ?? []).flatMap((value) => ['--dynamic-config-value', value]),
    ];
    const proc = await startProcess(
      { name: 'temporal', command: toolPath('temporal'), args, logPath: join(options.dataDir, 'temporal.log') },
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        probe: async () => {
          const connection = await Connection.connect({ address, connectTimeout: 1000 });
          try {
            await connection.workflowService.getSystemInfo({});
            return true;
          } finally {
            await connection.close();
          }
        },
      },
    );
    return { address, uiUrl: `http://127.0.0.1:${uiPort}`, process: proc, stop: async () => void (await proc.stop()) };
  });
}
