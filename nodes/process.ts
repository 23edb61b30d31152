import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pollUntil, PollTimeoutError } from './poll';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all (e.g. ENOENT). */
  spawnError?: Error;
}

export interface SpawnSpec {
  /** Short name for errors and logs ("btcd"). */
  name: string;
  command: string;
  args: readonly string[];
  /** stdout and stderr are appended to this file. */
  logPath: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ReadinessSpec {
  /** Resolves true once the process serves requests; a throw counts as not ready yet. */
  probe: (signal: AbortSignal) => Promise<boolean>;
  timeoutMs: number;
  intervalMs?: number;
}

export class ProcessStartError extends Error {
  override readonly name = 'ProcessStartError';
  constructor(
    readonly processName: string,
    readonly pid: number | undefined,
    readonly reason: string,
    readonly logPath: string,
    readonly logTail: string,
  ) {
    super(`${processName} did not start: ${reason}\n--- last lines of ${logPath} ---\n${logTail}`);
  }
}

const DEFAULT_STOP_GRACE_MS = 10_000;
const running = new Set<ManagedProcess>();
let exitHookInstalled = false;

/**
 * A child process whose output goes to a log file and which is stopped exactly once. It does not
 * keep the Node process alive; whatever still runs when Node exits is killed.
 */
export class ManagedProcess {
  readonly exited: Promise<ExitStatus>;
  private exitStatus: ExitStatus | undefined;
  private stopping: Promise<ExitStatus> | undefined;

  private constructor(
    readonly name: string,
    readonly logPath: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolveExit) => {
      const settle = (status: ExitStatus) => {
        if (this.exitStatus) return;
        this.exitStatus = status;
        running.delete(this);
        resolveExit(status);
      };
      child.once('exit', (code, signal) => settle({ code, signal }));
      child.on('error', (spawnError) => {
        if (child.pid === undefined) settle({ code: null, signal: null, spawnError });
      });
    });
  }

  static spawn(spec: SpawnSpec): ManagedProcess {
    mkdirSync(dirname(spec.logPath), { recursive: true });
    const logFd = openSync(spec.logPath, 'a');
    try {
      const child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env ?? process.env,
        stdio: ['ignore', logFd, logFd],
      });
      // A forgotten node must not keep the test run or devnet alive; the exit hook kills it.
      child.unref();
      const managed = new ManagedProcess(spec.name, spec.logPath, child);
      running.add(managed);
      installExitHook();
      return managed;
    } finally {
      closeSync(logFd);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return this.exitStatus === undefined;
  }

  /** The last `maxLines` lines of the log file (empty if it cannot be read). */
  logTail(maxLines = 40): string {
    let text: string;
    try {
      text = readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
    return text.trimEnd().split('\n').slice(-maxLines).join('\n');
  }

  /** SIGTERM, then SIGKILL after `graceMs`; every call returns the same exit status. */
  stop(graceMs = DEFAULT_STOP_GRACE_MS): Promise<ExitStatus> {
    this.stopping ??= this.terminate(graceMs);
    return this.stopping;
  }

  private async terminate(graceMs: number): Promise<ExitStatus> {
    if (this.exitStatus) return this.exitStatus;
    this.child.kill('SIGTERM');
    // A process frozen with SIGSTOP would hold SIGTERM until the grace ran out (as systemd does, wake it).
    this.child.kill('SIGCONT');
    const killTimer = new AbortController();
    const exitedInTime = await Promise.race([
      this.exited.then(() => true),
      sleep(graceMs, false, { signal: killTimer.signal }).catch(() => false),
    ]);
    killTimer.abort();
    if (!exitedInTime) this.child.kill('SIGKILL');
    return this.exited;
  }

  /**
   * Sends `signal` (e.g. SIGSTOP/SIGCONT to freeze and thaw it, SIGKILL to crash it); false if the
   * process has exited already. Exiting on it still goes through `exited`.
   */
  signal(signal: NodeJS.Signals): boolean {
    return this.isRunning && this.child.kill(signal);
  }

  /**
   * The scheduler state Linux reports for the process (`/proc/<pid>/stat`): `R` running, `S`
   * sleeping, `T` stopped by a signal, `Z` zombie, ...; undefined once it exited or where there is
   * no /proc.
   */
  schedulerState(): string | undefined {
    if (!this.isRunning || this.pid === undefined) return undefined;
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // "pid (comm) state ...": comm may hold spaces and parentheses, the state follows the last ")".
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    } catch {
      return undefined;
    }
  }

  /** Kills the process immediately and synchronously (for process-exit cleanup). */
  killNow(): void {
    if (this.isRunning) this.child.kill('SIGKILL');
  }
}

/**
 * Spawns a process and waits for its readiness probe. If it exits early or is not ready in time,
 * it is stopped and a ProcessStartError carrying the tail of its log is thrown.
 */
export async function startProcess(spec: SpawnSpec, readiness: ReadinessSpec): Promise<ManagedProcess> {
  const managed = ManagedProcess.spawn(spec);
  const giveUp = new AbortController();
  const exitedEarly = managed.exited.then((status) => {
    if (giveUp.signal.aborted) return;
    throw new ProcessStartError(spec.name, managed.pid, describeExit(status), spec.logPath, managed.logTail());
  });
  try {
    await Promise.race([
      pollUntil(readiness.probe, {
        what: `${spec.name} to become ready`,
        timeoutMs: readiness.timeoutMs,
        intervalMs: readiness.intervalMs,
        signal: giveUp.signal,
      }),
      exitedEarly,
    ]);
    return managed;
  } catch (error) {
    giveUp.abort();
    await managed.stop();
    if (error instanceof PollTimeoutError) {
      throw new ProcessStartError(spec.name, managed.pid, error.message, spec.logPath, managed.logTail());
    }
    throw error;
  } finally {
    giveUp.abort();
    exitedEarly.catch(() => undefined);
  }
}

/**
 * Runs `startOnce` up to `attempts` times while it fails with a ProcessStartError (a port taken
 * between choosing and binding it, a slow machine); any other error is thrown at once.
 */
export async function startWithRetries<T>(attempts: number, startOnce: (attempt: number) => Promise<T>): Promise<T> {
  const failures: ProcessStartError[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await startOnce(attempt);
    } catch (error) {
      if (!(error instanceof ProcessStartError)) throw error;
      failures.push(error);
    }
  }
  const last = failures[failures.length - 1];
  if (!last) throw new RangeError(`startWithRetries: attempts must be >= 1, got ${attempts}`);
  throw new ProcessStartError(last.processName, last.pid, `failed ${attempts} start attempts; last: ${last.reason}`, last.logPath, last.logTail);
}

function describeExit(status: ExitStatus): string {
  if (status.spawnError) return `could not be spawned: ${status.spawnError.message}`;
  return status.signal ? `exited on signal ${status.signal}` : `exited with code ${String(status.code)}`;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A crashing test run or devnet must not leave chain nodes running in the background.
  process.once('exit', () => {
    for (const managed of running) managed.killNow();
  });
}
