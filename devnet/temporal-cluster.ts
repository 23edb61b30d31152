/**
 * A Temporal cluster as an operator runs one, on this machine: the server built from
 * go.temporal.io/server (`npm run tools`), its persistence and visibility in PostgreSQL (a server of
 * the devnet's own, nodes/postgres.ts, its schema applied by the server's SQL tool), and the four
 * services (frontend, history, matching, worker) each in a process of its own, so one can be killed
 * and started again while the others run. No UI: the Temporal UI ships with the dev server only.
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { freePorts, freePortsIn } from '../nodes/ports';
import { startPostgres, type RunningPostgres } from '../nodes/postgres';
import { ManagedProcess } from '../nodes/process';
import { pollUntil } from '../nodes/poll';
import { toolPath } from '../nodes/tools';

const execFileAsync = promisify(execFile);
const GRPC_NOT_FOUND = 5;

export const CLUSTER_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ClusterService = (typeof CLUSTER_SERVICES)[number];

export const TEMPORAL_DATABASE = 'temporal';
export const VISIBILITY_DATABASE = 'temporal_visibility';

class ClusterStartError extends Error {
  override readonly name = 'ClusterStartError';
  constructor(
    message: string,
    /** The service could not bind a port (another process took it after it was found free). */
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

export interface TemporalClusterOptions {
  dataDir: string;
  log?: (line: string) => void;
}

export interface RunningTemporalCluster {
  kind: 'cluster';
  /** The frontend's gRPC address. */
  address: string;
  uiUrl: null;
  postgres: RunningPostgres;
  /** Each service's process now running; a restart replaces it. */
  service(name: ClusterService): ManagedProcess;
  /** SIGKILL of one service, as a crash would. */
  kill(name: ClusterService): void;
  /** Starts a service again (stopping it first if it still runs) and waits until the frontend serves. */
  restart(name: ClusterService): Promise<void>;
  stop(): Promise<void>;
}

interface ClusterPorts {
  grpc: Record<ClusterService, number>;
  membership: Record<ClusterService, number>;
  frontendHttp: number;
}

function serverConfig(ports: ClusterPorts, postgres: RunningPostgres): string {
  const store = (database: string, maxConns: number) => `      sql:
        pluginName: "postgres12"
        databaseName: "${database}"
        connectAddr: "${postgres.host}:${postgres.port}"
        connectProtocol: "tcp"
        user: "${postgres.user}"
        password: "${postgres.password}"
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
  const service = (name: ClusterService) => `  ${name}:
    rpc:
      grpcPort: ${ports.grpc[name]}
      membershipPort: ${ports.membership[name]}
      bindOnIP: "127.0.0.1"${name === 'frontend' ? `\n      httpPort: ${ports.frontendHttp}` : ''}`;
  return `# Written by devnet/temporal-cluster.ts.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:
${store(TEMPORAL_DATABASE, 20)}
    postgres-visibility:
${store(VISIBILITY_DATABASE, 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
${CLUSTER_SERVICES.map(service).join('\n')}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${ports.grpc.frontend}"
dcRedirectionPolicy:
  policy: "noop"
`;
}

/** Creates the two databases and applies the server's own schema (idempotent: the SQL tool updates to the latest version). */
async function applySchema(postgres: RunningPostgres, log: (line: string) => void): Promise<void> {
  const sqlTool = toolPath('temporal-sql-tool');
  const env = { ...process.env, SQL_PASSWORD: postgres.password };
  const base = ['--endpoint', postgres.host, '--port', String(postgres.port), '--user', postgres.user, '--plugin', 'postgres12'];
  for (const [database, schema] of [[TEMPORAL_DATABASE, 'postgresql/v12/temporal'], [VISIBILITY_DATABASE, 'postgresql/v12/visibility']] as const) {
    const exists = postgres.query('postgres', `SELECT 1 FROM pg_database WHERE datname = '${database}'`).trim() === '1';
    if (!exists) {
      await execFileAsync(sqlTool, [...base, '--database', database, 'create-database'], { env });
      await execFileAsync(sqlTool, [...base, '--database', database, 'setup-schema', '--version', '0.0'], { env });
    }
    await execFileAsync(sqlTool, [...base, '--database', database, 'update-schema', '--schema-name', schema], { env });
    log(`Temporal schema ${schema} applied to ${database}`);
  }
}

async function serves(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.getSystemInfo({});
    await connection.workflowService.describeNamespace({ namespace: 'temporal-system' });
    // A workflow lookup goes to the history service owning its shard: "not found" means it answered.
    try {
      await connection.workflowService.describeWorkflowExecution({ namespace: 'temporal-system', execution: { workflowId: 'custody-readiness-probe' } });
    } catch (err) {
      return isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND;
    }
    return true;
  } finally {
    await connection.close();
  }
}

export async function startTemporalCluster(options: TemporalClusterOptions): Promise<RunningTemporalCluster> {
  const log = options.log ?? (() => undefined);
  const dir = options.dataDir;
  const passwordFile = join(dir, 'postgres-password');
  const password = existsSync(passwordFile) ? readFileSync(passwordFile, 'utf8').trim() : randomBytes(18).toString('hex');
  const postgres = await startPostgres({ dataDir: join(dir, 'postgresql'), user: 'temporal', password, log });
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  const processes = new Map<ClusterService, ManagedProcess>();
  const stopAll = async () => {
    for (const name of [...CLUSTER_SERVICES].reverse()) await processes.get(name)?.stop();
    await postgres.stop();
  };
  try {
    await applySchema(postgres, log);
    const configPath = join(dir, 'temporal-server.yaml');
    const spawnService = (name: ClusterService) =>
      ManagedProcess.spawn({
        name: `temporal-${name}`,
        command: toolPath('temporal-server'),
        args: ['--config-file', configPath, '--allow-no-auth', 'start', '--service', name],
        logPath: join(dir, `temporal-${name}.log`),
      });
    const start = (name: ClusterService) => {
      processes.set(name, spawnService(name));
      log(`Temporal ${name} service started (pid ${processes.get(name)!.pid})`);
    };
    const exitedDuringStart = (names: readonly ClusterService[]) =>
      Promise.race(
        names.map((name) => {
          const p = processes.get(name)!;
          return p.exited.then((status) => {
            throw new ClusterStartError(`${p.name} exited (${JSON.stringify(status)}) while the cluster started:\n${p.logTail()}`, /address already in use/.test(p.logTail(200)));
          });
        }),
      );
    /** One start on fresh ports; a port taken in the meantime is a ClusterStartError with `portTaken`. */
    const launch = async (): Promise<string> => {
      const [frontendHttp, ...grpc] = await freePorts(1 + CLUSTER_SERVICES.length);
      // The server keeps membership ports in a smallint column: they must stay below 32768.
      const membership = await freePortsIn(CLUSTER_SERVICES.length, 20_000, 32_767);
      const ports: ClusterPorts = {
        grpc: Object.fromEntries(CLUSTER_SERVICES.map((s, i) => [s, grpc[i]!])) as Record<ClusterService, number>,
        membership: Object.fromEntries(CLUSTER_SERVICES.map((s, i) => [s, membership[i]!])) as Record<ClusterService, number>,
        frontendHttp: frontendHttp!,
      };
      writeFileSync(configPath, serverConfig(ports, postgres), { mode: 0o600 });
      const address = `127.0.0.1:${ports.grpc.frontend}`;
      // Each service writes the cluster's metadata on its first start and refuses to run if another
      // wrote it in between: the first one starts alone until the record exists.
      const [first, ...others] = CLUSTER_SERVICES;
      start(first);
      const firstExited = exitedDuringStart([first]);
      firstExited.catch(() => undefined);
      await Promise.race([
        pollUntil(async () => postgres.query(TEMPORAL_DATABASE, 'SELECT count(*) FROM cluster_metadata_info').trim() !== '0', { what: 'the cluster metadata record', timeoutMs: 60_000, intervalMs: 100 }),
        firstExited,
      ]);
      for (const name of others) start(name);
      const anyExited = exitedDuringStart(CLUSTER_SERVICES);
      anyExited.catch(() => undefined);
      await Promise.race([pollUntil(() => serves(address), { what: 'the Temporal cluster to serve', timeoutMs: 120_000, intervalMs: 250 }), anyExited]);
      return address;
    };
    let address: string | undefined;
    for (let attempt = 1; address === undefined; attempt++) {
      try {
        address = await launch();
      } catch (err) {
        if (!(err instanceof ClusterStartError && err.portTaken) || attempt === 3) throw err;
        log(`a port was taken while the cluster started; again on fresh ports (${err.message.split('\n')[0]})`);
        for (const name of [...CLUSTER_SERVICES].reverse()) await processes.get(name)?.stop();
        processes.clear();
      }
    }
    log(`Temporal cluster at ${address}: ${CLUSTER_SERVICES.join(', ')} in processes of their own, on PostgreSQL 127.0.0.1:${postgres.port}`);
    return {
      kind: 'cluster',
      address,
      uiUrl: null,
      postgres,
      service: (name) => processes.get(name)!,
      kill: (name) => processes.get(name)!.killNow(),
      restart: async (name) => {
        await processes.get(name)!.stop();
        processes.set(name, spawnService(name));
        log(`Temporal ${name} service restarted (pid ${processes.get(name)!.pid})`);
        await pollUntil(() => serves(address), { what: `the Temporal cluster to serve after ${name} restarted`, timeoutMs: 120_000, intervalMs: 250 });
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
