/**
 * A PostgreSQL server of the project's own: Debian's binaries (PostgreSQL 15), a data directory
 * initialised on first use, listening on a free loopback port with its socket in the data dir.
 * PostgreSQL refuses to run as root; when this process is root the server and its tools run as
 * the `postgres` system user (the data directory is then theirs).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort } from './ports';
import { startProcess, type ManagedProcess } from './process';

const CANDIDATE_BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];

export class PostgresMissingError extends Error {
  override readonly name = 'PostgresMissingError';
}

/** The directory holding initdb and postgres (POSTGRES_BIN_DIR overrides). */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const dirs = env.POSTGRES_BIN_DIR ? [env.POSTGRES_BIN_DIR] : CANDIDATE_BIN_DIRS;
  const found = dirs.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
  if (!found) throw new PostgresMissingError(`PostgreSQL: no initdb and postgres in ${dirs.join(' or ')} (apt-get install postgresql, or set POSTGRES_BIN_DIR)`);
  return found;
}

export interface PostgresOptions {
  /** The data directory (created and initialised if empty). */
  dataDir: string;
  /** The superuser role the server is initialised with and clients log in as. */
  user: string;
  password: string;
  port?: number;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  dataDir: string;
  readonly process: ManagedProcess;
  /** Runs SQL through psql against `database`; rows as tab-separated lines. */
  query(database: string, sql: string): string;
  stop(): Promise<void>;
}

/** Runs `command` as the postgres system user when this process is root (setpriv execs it: signals reach it directly), else as itself. */
function asServerUser(command: string, args: string[]): { command: string; args: string[] } {
  return process.getuid?.() === 0 ? { command: 'setpriv', args: ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args] } : { command, args };
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
}

/**
 * Every directory above `path` must let the postgres user pass: one of ours that does not (a 0700
 * temp dir) gets search permission for others (o+x: entering, not listing); any other is an error.
 */
function makeTraversable(path: string, log?: (line: string) => void): void {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    const { mode, uid } = statSync(dir);
    if ((mode & 0o001) !== 0) continue;
    if (uid !== process.getuid?.()) throw new Error(`PostgreSQL runs as the postgres user, which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}); choose a data dir it can reach`);
    chmodSync(dir, (mode & 0o7777) | 0o001);
    log?.(`gave ${dir} o+x so the postgres user can reach its data dir`);
  }
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  const root = process.getuid?.() === 0;
  const { dataDir } = options;
  mkdirSync(dataDir, { recursive: true });
  if (root) {
    makeTraversable(dataDir, options.log);
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownTree(dataDir, uid, gid);
  }
  const pgData = join(dataDir, 'data');
  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    options.log?.(`initialising PostgreSQL in ${pgData}`);
    const pwFile = join(dataDir, 'initdb-password');
    execFileSync('sh', ['-c', `umask 077 && printf '%s' "$PW" > "${pwFile}"`], { env: { ...process.env, PW: options.password } });
    if (root) execFileSync('chown', ['postgres', pwFile]);
    const init = asServerUser(join(bin, 'initdb'), ['-D', pgData, '-U', options.user, '--pwfile', pwFile, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-locale']);
    try {
      execFileSync(init.command, init.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } finally {
      execFileSync('rm', ['-f', pwFile]);
    }
  }
  const port = options.port ?? (await freePort());
  const server = asServerUser(join(bin, 'postgres'), ['-D', pgData, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', dataDir, '-c', 'max_connections=300', '-c', 'fsync=on']);
  const psql = (database: string, sql: string) =>
    execFileSync(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', options.user, '-d', database, '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
      encoding: 'utf8',
      env: { ...process.env, PGPASSWORD: options.password, PGCONNECT_TIMEOUT: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const proc = await startProcess(
    { name: 'postgresql', command: server.command, args: server.args, logPath: join(dataDir, 'postgresql.log') },
    { timeoutMs: 60_000, intervalMs: 250, probe: async () => psql('postgres', 'SELECT 1').trim() === '1' },
  );
  options.log?.(`PostgreSQL ${psql('postgres', 'SHOW server_version').trim()} on 127.0.0.1:${port} (data ${pgData})`);
  return {
    host: '127.0.0.1',
    port,
    user: options.user,
    password: options.password,
    dataDir,
    process: proc,
    query: psql,
    stop: async () => {
      // SIGTERM is PostgreSQL's "smart" shutdown: it waits for clients; SIGINT is "fast".
      proc.signal('SIGINT');
      await proc.stop();
    },
  };
}
