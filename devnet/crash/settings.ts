/**
 * The crash hook's settings (environment of devnet/validator-worker.ts) and the two files it writes:
 * a journal of every activity the worker ran to the end, and the marker it writes just before it
 * SIGKILLs itself. Pure Node: read by the worker, the devnet's validator set and the sweep.
 */
import { existsSync, readFileSync } from 'node:fs';

/** Where the worker journals activities (one JSON line each); setting it enables the hook. */
export const ACTIVITY_JOURNAL_ENV = 'DEVNET_ACTIVITY_JOURNAL';
/** The worker SIGKILLs itself right after its k-th counted activity completes. */
export const CRASH_AFTER_ACTIVITY_ENV = 'DEVNET_CRASH_AFTER_ACTIVITY';
/** Where it writes the marker naming that activity before it dies. */
export const CRASH_MARKER_ENV = 'DEVNET_CRASH_MARKER';

export interface CrashHookSettings {
  /** Journal of this worker's activities (JSON lines, appended). */
  journalPath: string;
  /** Crash after the k-th counted activity (1-based); absent: journal only. */
  afterActivity?: number;
  /** Required with `afterActivity`. */
  markerPath?: string;
}

export class CrashConfigError extends Error {
  override readonly name = 'CrashConfigError';
}

/** Workflows whose activities are not counted: the readiness probe the devnet runs at every (re)start. */
export function isCountedWorkflow(workflowId: string | undefined): boolean {
  return !(workflowId ?? '').startsWith('health-');
}

/**
 * The scanner's reads that repeat as often as timing makes them (a poll of the chain, a wait for its
 * next block): not counted either, so that k names the same step of the scenario run after run
 * (counted, they put most of a sample's kills on a poll, wherever the calibration's k was).
 */
const TIMING_READS = new Set(['scanPoll', 'awaitNewBlock']);

/** Whether an activity is numbered: k counts these, in the order they complete. */
export function isCountedActivity(workflowId: string | undefined, activityType: string): boolean {
  return isCountedWorkflow(workflowId) && !TIMING_READS.has(activityType);
}

export function crashHookEnv(settings: CrashHookSettings): Record<string, string> {
  const env: Record<string, string> = { [ACTIVITY_JOURNAL_ENV]: settings.journalPath };
  if (settings.afterActivity !== undefined) {
    if (!settings.markerPath) throw new CrashConfigError('crash hook: afterActivity needs a markerPath');
    env[CRASH_AFTER_ACTIVITY_ENV] = String(settings.afterActivity);
    env[CRASH_MARKER_ENV] = settings.markerPath;
  }
  return env;
}

/** The hook's settings from a worker's environment, or undefined when it is not enabled. */
export function crashHookFromEnv(env: NodeJS.ProcessEnv): CrashHookSettings | undefined {
  const journalPath = env[ACTIVITY_JOURNAL_ENV];
  const after = env[CRASH_AFTER_ACTIVITY_ENV];
  const markerPath = env[CRASH_MARKER_ENV];
  if (!journalPath) {
    if (after || markerPath) throw new CrashConfigError(`config: ${CRASH_AFTER_ACTIVITY_ENV} needs ${ACTIVITY_JOURNAL_ENV}`);
    return undefined;
  }
  if (after === undefined || after === '') return { journalPath };
  if (!/^[1-9]\d{0,6}$/.test(after)) throw new CrashConfigError(`config: ${CRASH_AFTER_ACTIVITY_ENV} must be a positive integer (got "${after}")`);
  if (!markerPath) throw new CrashConfigError(`config: ${CRASH_AFTER_ACTIVITY_ENV} needs ${CRASH_MARKER_ENV}`);
  return { journalPath, afterActivity: Number(after), markerPath };
}

/** One line of the journal. `k` is set only for counted activities that completed. */
export interface JournalEntry {
  k?: number;
  outcome: 'completed' | 'failed' | 'held';
  activityType: string;
  workflowId: string;
  runId: string;
  activityId: string;
  attempt: number;
  pid: number;
  at: string;
  error?: string;
}

/** What the worker writes right before it SIGKILLs itself. */
export interface CrashMarker {
  k: number;
  activityType: string;
  workflowId: string;
  runId: string;
  activityId: string;
  attempt: number;
  validator: string | undefined;
  pid: number;
  /** When the activity function returned its result to the hook. */
  returnedAt: string;
  /** When the server answered the hook's RespondActivityTaskCompleted; the kill follows at once. */
  reportedAt: string;
  /** The kill point: right after the server recorded the completion, or refused it (`note` says why). */
  point: 'completion-recorded' | 'completion-refused';
  note?: string;
  /** Activities that finished (or started) after k returned and were held, never reported. */
  held: string[];
}

export function readJournal(path: string): JournalEntry[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JournalEntry);
}

export function readMarker(path: string): CrashMarker | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as CrashMarker;
}

/** `k=3 dkgShares keygen-bitcoin-0-0`. */
export function describeActivity(entry: { k?: number; activityType: string; workflowId: string }): string {
  return `k=${entry.k ?? '-'} ${entry.activityType} ${entry.workflowId}`;
}
