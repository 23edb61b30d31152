/**
 * The crash hook of devnet/validator-worker.ts: an activity inbound interceptor that numbers this
 * worker process's activities in the order they complete and, with `afterActivity = k`, kills the
 * process with SIGKILL right after the k-th one completes.
 *
 * The kill point, exactly:
 *  1. activity k's function returns its result to the worker (a throw is journalled as `failed` and
 *     not counted; activities of the `health-*` readiness workflow and the scanner's polls are not
 *     counted either: `isCountedActivity`);
 *  2. the hook reports that result to the server itself, as the SDK would right after the
 *     interceptor returns: RespondActivityTaskCompleted with the activity's task token and the
 *     result encoded by the worker's own client and data converter;
 *  3. the moment the server acknowledges it (the ActivityTaskCompleted event is in the workflow's
 *     history), the hook writes the marker file and a line to the worker's log naming k, the
 *     activity type and the workflow id, and calls `process.kill(process.pid, 'SIGKILL')`; the
 *     SDK never gets the result back, so nothing is reported twice.
 * From step 1 on, no other activity of this process runs or reports: one that starts is held before
 * its function is called, one that returns is held before its result is reported (both journalled
 * as `held` and named in the marker). If the server refuses the completion (the workflow closed
 * meanwhile, say), the hook still kills the process and the marker says `completion-refused`.
 */
import { appendFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import type { Context as ActivityContext } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next, WorkerInterceptors } from '@temporalio/worker';
import { isCountedActivity, type CrashHookSettings, type CrashMarker, type JournalEntry } from './settings';

interface HookState {
  completed: number;
  crashing: boolean;
  held: string[];
}

type Info = ActivityContext['info'];

function entryOf(info: Info, outcome: JournalEntry['outcome'], k?: number, error?: string): JournalEntry {
  return {
    ...(k !== undefined ? { k } : {}),
    outcome,
    activityType: info.activityType,
    workflowId: info.workflowExecution?.workflowId ?? '',
    runId: info.workflowExecution?.runId ?? '',
    activityId: info.activityId,
    attempt: info.attempt,
    pid: process.pid,
    at: new Date().toISOString(),
    ...(error !== undefined ? { error } : {}),
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Reports activity k's result, then writes the marker and the log line and SIGKILLs the process.
 * The marker is written without fsync: the page cache outlives a killed process (only a machine
 * crash would lose it), and the kill should follow the acknowledgement as closely as it can.
 */
async function reportAndKill(settings: CrashHookSettings, state: HookState, ctx: ActivityContext, k: number, result: unknown): Promise<never> {
  const info = ctx.info;
  const returnedAt = new Date().toISOString();
  let refused: string | undefined;
  try {
    await ctx.client.activity.complete(info.taskToken, result);
  } catch (err) {
    refused = errorText(err);
  }
  const reportedAt = new Date().toISOString();
  const workflowId = info.workflowExecution?.workflowId ?? '';
  const marker: CrashMarker = {
    k,
    activityType: info.activityType,
    workflowId,
    runId: info.workflowExecution?.runId ?? '',
    activityId: info.activityId,
    attempt: info.attempt,
    validator: process.env.VALIDATOR_NAME,
    pid: process.pid,
    returnedAt,
    point: refused === undefined ? 'completion-recorded' : 'completion-refused',
    ...(refused !== undefined ? { note: refused } : {}),
    held: state.held,
    reportedAt,
  };
  const markerPath = settings.markerPath!;
  writeFileSync(`${markerPath}.tmp`, `${JSON.stringify(marker)}\n`);
  renameSync(`${markerPath}.tmp`, markerPath);
  // Synchronous, so the line is in the log file before the process dies.
  writeSync(
    1,
    `crash-hook: SIGKILL after activity k=${k} ${info.activityType} of workflow ${workflowId} (activity ${info.activityId}, attempt ${info.attempt}): ` +
      `${refused === undefined ? 'the server acknowledged its completion' : `the server refused its completion: ${refused}`}\n`,
  );
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL cannot be caught; nothing after this runs.
  return new Promise<never>(() => undefined);
}

class CrashInbound implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly settings: CrashHookSettings,
    private readonly state: HookState,
    private readonly ctx: ActivityContext,
  ) {}

  private hold(): Promise<never> {
    const info = this.ctx.info;
    this.state.held.push(`${info.activityType} ${info.workflowExecution?.workflowId ?? ''}#${info.activityId}`);
    appendFileSync(this.settings.journalPath, `${JSON.stringify(entryOf(info, 'held'))}\n`);
    return new Promise<never>(() => undefined);
  }

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    if (this.state.crashing) return this.hold();
    const info = this.ctx.info;
    let result: unknown;
    try {
      result = await next(input);
    } catch (err) {
      if (this.state.crashing) return this.hold();
      appendFileSync(this.settings.journalPath, `${JSON.stringify(entryOf(info, 'failed', undefined, err instanceof Error ? `${err.name}: ${err.message}` : String(err)))}\n`);
      throw err;
    }
    if (this.state.crashing) return this.hold();
    if (!isCountedActivity(info.workflowExecution?.workflowId, info.activityType)) return result;
    const k = ++this.state.completed;
    appendFileSync(this.settings.journalPath, `${JSON.stringify(entryOf(info, 'completed', k))}\n`);
    if (k === this.settings.afterActivity) {
      this.state.crashing = true;
      return reportAndKill(this.settings, this.state, this.ctx, k, result);
    }
    return result;
  }
}

/** The worker interceptors that run the hook (journal always; the crash when `afterActivity` is set). */
export function crashHookInterceptors(settings: CrashHookSettings): WorkerInterceptors {
  const state: HookState = { completed: 0, crashing: false, held: [] };
  return { activity: [(ctx) => ({ inbound: new CrashInbound(settings, state, ctx) })] };
}
