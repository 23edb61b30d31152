/**
 * One crash run: a fresh devnet (own data dir, free ports) runs the whole scenario (key generation,
 * deposit -> Batch -> mint -> burn -> payout) while one validator's worker journals its activities
 * and, given k, SIGKILLs itself right after its k-th one completes (devnet/crash/hook.ts). The run
 * checks the marker against the worker's exit and the workflow's history, restarts the worker
 * without the crash setting, lets the scenario finish, and judges the outcome:
 *  - the kill happened at k: SIGKILL, the marker names k's activity as the journal does, the
 *    history holds its ActivityTaskCompleted event, and the restarted worker never ran it again;
 *  - every Batch signed once: Serai includes ids 0..n-1 once each, every signature verifies under
 *    the Serai key and no second, different signature of any of them reached the chain;
 *  - the burn paid exactly once: one output to the burn's script across btcd's chain and mempool,
 *    in the payout the scenario reports;
 *  - balances consistent: the scenario's checks and the expected Serai balance;
 *  - nothing stuck or failed: every validator's workflows (but the scanner) end COMPLETED.
 * Without k it is the calibration run: it reports the activities the validator completed.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hexToBytes } from '@noble/hashes/utils.js';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import * as sr25519 from '@scure/sr25519';
import { batchMessage } from '../../messages';
import { DEPOSIT_FEE } from '../../networks/bitcoin/instructions';
import type { ExitStatus } from '../../nodes/process';
import { Devnet } from '../devnet';
import { runScenario, type ScenarioSummary } from '../scenario';
import type { ValidatorSpec } from '../validator-set';
import { paymentsTo } from '../payments';
import { addressToScript, parseBtc } from '../wallet';
import { readJournal, readMarker, type CrashMarker, type JournalEntry } from './settings';

export const VALIDATOR_NAMES = ['alice', 'bob', 'carol', 'dave'];
export const THRESHOLD = 3;
const DEPOSIT = parseBtc('0.5');
const BURN = parseBtc('0.2');

export interface CrashRunOptions {
  dataDir: string;
  /** The validator whose worker is killed (and journalled). */
  validator: string;
  /** Kill after its k-th activity; absent: the calibration run (journal only). */
  k?: number;
  /** How long the worker stays down before the restart. */
  restartDelayMs?: number;
  /** The whole scenario must end within this. */
  timeoutMs?: number;
  /** Keep the data dir even when the run is ok. */
  keepData?: boolean;
  log?: (line: string) => void;
}

/** One journalled activity, short. */
export interface ActivityRef {
  k: number;
  activityType: string;
  workflowId: string;
}

export interface CrashRunResult {
  validator: string;
  k: number | null;
  outcome: 'ok' | 'fail' | 'not-reached';
  reasons: string[];
  /** The activity killed after (from the marker), when the kill happened. */
  killed?: ActivityRef & {
    activityId: string;
    attempt: number;
    point: CrashMarker['point'];
    note?: string;
    /** The ActivityTaskCompleted event of activity k in its workflow's history. */
    completedEventId?: number;
    held: string[];
    exit: string;
    /** From the function's return to the server's acknowledgement (then the kill). */
    returnedToReportedMs: number;
    /** The line the worker wrote to its log right before the kill. */
    logLine?: string;
  };
  /**
   * Counted activities of the validator: by the end of the scenario (the calibration's N), in its
   * first worker process by the end of the run, and in the restarted one.
   */
  activities: { inScenario: number; firstProcess: number; afterRestart: number };
  /** Calibration: every counted activity of the scenario, in order. */
  journal?: ActivityRef[];
  /** Failed activity attempts in the journals (retried by Temporal). */
  failedAttempts: number;
  batches?: { id: number; attempt: number; signers: string[] }[];
  payout?: { txid: string; paid: string };
  /** Devnet start; the scenario; until the run settled (from the scenario's start); the whole run; how long the worker was down. */
  timings: { startMs: number; scenarioMs: number; settledMs?: number; totalMs: number; downMs?: number };
  dataDir: string;
}

const workflowPhases = ['keygen', 'confirm', 'batch', 'plan', 'substrate', 'scanner'] as const;
export type Phase = (typeof workflowPhases)[number] | 'other';

/** The part of the scenario a workflow id belongs to (`keygen-bitcoin-0-0` -> keygen). */
export function phaseOf(workflowId: string): Phase {
  const prefix = workflowId.split('-')[0] ?? '';
  return (workflowPhases as readonly string[]).includes(prefix) ? (prefix as Phase) : 'other';
}

function refOf(entry: JournalEntry): ActivityRef {
  return { k: entry.k!, activityType: entry.activityType, workflowId: entry.workflowId };
}

function describeExit(status: ExitStatus): string {
  return status.signal ? `signal ${status.signal}` : `code ${String(status.code)}`;
}

export async function runCrashRun(options: CrashRunOptions): Promise<CrashRunResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const restartDelayMs = options.restartDelayMs ?? 3000;
  const timeoutMs = options.timeoutMs ?? 420_000;
  const { dataDir, validator, k } = options;
  if (!VALIDATOR_NAMES.includes(validator)) throw new Error(`no validator ${validator} (${VALIDATOR_NAMES.join(', ')})`);
  rmSync(dataDir, { recursive: true, force: true });
  const crashDir = join(dataDir, 'crash');
  mkdirSync(crashDir, { recursive: true });
  const journal1 = join(crashDir, 'journal-1.jsonl');
  const journal2 = join(crashDir, 'journal-2.jsonl');
  const markerPath = join(crashDir, 'marker.json');
  const validators: ValidatorSpec[] = VALIDATOR_NAMES.map((name) => ({
    name,
    weight: 1,
    ...(name === validator ? { crash: { journalPath: journal1, ...(k !== undefined ? { afterActivity: k, markerPath } : {}) } } : {}),
  }));

  const reasons: string[] = [];
  const result: CrashRunResult = {
    validator,
    k: k ?? null,
    outcome: 'ok',
    reasons,
    activities: { inScenario: 0, firstProcess: 0, afterRestart: 0 },
    failedAttempts: 0,
    timings: { startMs: 0, scenarioMs: 0, totalMs: 0 },
    dataDir,
  };
  let lastStep = 'starting the devnet';
  const step = (line: string) => {
    lastStep = line;
    log(line);
  };

  let devnet: Devnet | undefined;
  let stopping = false;
  let disarming = false;
  let kill: { status: ExitStatus; marker: CrashMarker | undefined; at: number } | undefined;
  let restarted: Promise<number> | undefined;
  let completedEventId: number | undefined;
  try {
    devnet = await Devnet.start({ dataDir, validators, t: THRESHOLD, ports: { temporal: 0, ui: 0, codec: 0 }, log: step });
    result.timings.startMs = Date.now() - started;
    const net = devnet.net;
    const member = net.set.get(validator);
    const firstProcess = member.workers[0]!;
    const devnetRef = devnet;
    // The crash watcher: when the hooked worker dies, note how, wait, and start it again without the crash.
    const watched = firstProcess.exited.then(async (status) => {
      if (stopping || disarming) return;
      kill = { status, marker: readMarker(markerPath), at: Date.now() };
      step(`worker ${validator} died (${describeExit(status)}); ${kill.marker ? `marker: k=${kill.marker.k} ${kill.marker.activityType} ${kill.marker.workflowId}` : 'no marker'}; restarting in ${restartDelayMs} ms`);
      restarted = (async () => {
        await sleep(restartDelayMs);
        if (stopping) return Date.now();
        member.spec = { ...member.spec, crash: { journalPath: journal2 } };
        await devnetRef.net.set.restart(validator);
        step(`worker ${validator} restarted`);
        return Date.now();
      })();
      await restarted;
    });
    watched.catch((err: unknown) => reasons.push(`restart failed: ${err instanceof Error ? err.message : String(err)}`));

    const scenarioStarted = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s; last step: ${lastStep}`)), timeoutMs);
    });
    let summary: ScenarioSummary;
    try {
      summary = await Promise.race([
        (async () => {
          await devnetRef.generateKeys();
          return runScenario(devnetRef, { deposit: DEPOSIT, burn: BURN }, step);
        })(),
        deadline,
      ]);
    } finally {
      clearTimeout(timer);
    }
    result.timings.scenarioMs = Date.now() - scenarioStarted;
    await settle(devnetRef, summary, step);
    result.timings.settledMs = Date.now() - scenarioStarted;
    const countedByNow = (path: string) => readJournal(path).filter((e) => e.k !== undefined).length;
    result.activities.inScenario = countedByNow(journal1) + countedByNow(journal2);
    if (k !== undefined && kill === undefined) {
      // Not reached by the end of the run: disarm the hook (a restart without it) so the judging sees a steady set.
      disarming = true;
      member.spec = { ...member.spec, crash: { journalPath: journal2 } };
      await net.set.restart(validator);
      if (readMarker(markerPath)) {
        kill = { status: await firstProcess.exited, marker: readMarker(markerPath), at: Date.now() };
        step('the kill came as the run settled: judged as reached');
      } else {
        result.outcome = 'not-reached';
        reasons.push(`the run settled after ${result.activities.inScenario} activities of ${validator}, before k=${k}`);
      }
    }
    if (restarted) {
      const restartedAt = await restarted;
      result.timings.downMs = restartedAt - kill!.at;
    }
    const marker = readMarker(markerPath);
    if (marker) completedEventId = await checkHistory(devnetRef, validator, marker, reasons);
    await judge(devnetRef, summary, reasons, result);
  } catch (err) {
    reasons.push(err instanceof Error ? err.message : String(err));
  } finally {
    stopping = true;
    await devnet?.stop().catch((err: unknown) => reasons.push(`stopping the devnet failed: ${(err as Error).message}`));
  }

  // Journals and marker, read after every process stopped.
  const first = readJournal(journal1);
  const second = readJournal(journal2);
  result.failedAttempts = [...first, ...second].filter((e) => e.outcome === 'failed').length;
  const counted = first.filter((e) => e.k !== undefined);
  result.activities.firstProcess = counted.length;
  result.activities.afterRestart = second.filter((e) => e.k !== undefined).length;
  if (k === undefined) result.journal = counted.map(refOf);
  if (k !== undefined && kill) {
    checkKill(k, kill, counted, second, completedEventId, result, reasons);
    checkLogLine(join(dataDir, validator, 'worker-bitcoin.log'), kill.marker, result, reasons);
  }
  if (reasons.length > 0 && result.outcome === 'ok') result.outcome = 'fail';
  if (result.outcome === 'not-reached' && reasons.length > 1) result.outcome = 'fail';
  result.timings.totalMs = Date.now() - started;
  if (result.outcome === 'ok' && !options.keepData) rmSync(dataDir, { recursive: true, force: true });
  return result;
}

/** The kill happened right after activity k: SIGKILL, the marker and journal agree, the completion was recorded, never re-run. */
function checkKill(
  k: number,
  kill: { status: ExitStatus; marker: CrashMarker | undefined; at: number },
  counted: JournalEntry[],
  afterRestart: JournalEntry[],
  completedEventId: number | undefined,
  result: CrashRunResult,
  reasons: string[],
): void {
  const { status, marker } = kill;
  if (status.signal !== 'SIGKILL') reasons.push(`the worker exited with ${describeExit(status)}, not SIGKILL`);
  if (!marker) {
    reasons.push('the worker died without a crash marker');
    return;
  }
  const entry = counted.find((e) => e.k === k);
  result.killed = {
    k: marker.k,
    activityType: marker.activityType,
    workflowId: marker.workflowId,
    activityId: marker.activityId,
    attempt: marker.attempt,
    point: marker.point,
    ...(marker.note !== undefined ? { note: marker.note } : {}),
    ...(completedEventId !== undefined ? { completedEventId } : {}),
    held: marker.held,
    exit: describeExit(status),
    returnedToReportedMs: Date.parse(marker.reportedAt) - Date.parse(marker.returnedAt),
  };
  if (marker.k !== k) reasons.push(`the marker names k=${marker.k}, not ${k}`);
  if (!entry) reasons.push(`the journal has no activity k=${k}`);
  else if (entry.activityType !== marker.activityType || entry.workflowId !== marker.workflowId || entry.activityId !== marker.activityId || entry.runId !== marker.runId) {
    reasons.push(`the journal's k=${k} (${entry.activityType} ${entry.workflowId}#${entry.activityId}) is not the marker's (${marker.activityType} ${marker.workflowId}#${marker.activityId})`);
  }
  const later = counted.filter((e) => e.k! > k);
  if (later.length > 0) reasons.push(`activities completed after k in the killed process: ${later.map((e) => `k=${e.k} ${e.activityType}`).join(', ')}`);
  const rerun = afterRestart.filter((e) => e.runId === marker.runId && e.activityId === marker.activityId && e.outcome === 'completed');
  if (rerun.length > 0) reasons.push(`activity k=${k} (${marker.activityType} ${marker.workflowId}#${marker.activityId}) ran again after the restart`);
}

/** The killed worker's log names the same k, activity type and workflow id as the marker. */
function checkLogLine(logPath: string, marker: CrashMarker | undefined, result: CrashRunResult, reasons: string[]): void {
  if (!marker || !result.killed) return;
  const lines = existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').filter((l) => l.startsWith('crash-hook: SIGKILL after activity')) : [];
  const expected = `crash-hook: SIGKILL after activity k=${marker.k} ${marker.activityType} of workflow ${marker.workflowId} (activity ${marker.activityId}, attempt ${marker.attempt})`;
  if (lines.length !== 1 || !lines[0]!.startsWith(expected)) reasons.push(`the worker log's crash line is ${JSON.stringify(lines)}, expected one starting "${expected}"`);
  else result.killed.logLine = lines[0]!;
}

/**
 * The marker's activity in its workflow's history: its ActivityTaskCompleted event when the server
 * recorded the completion, as the marker says (the event id), or, for a refused completion, a
 * closed workflow run as the reason.
 */
async function checkHistory(devnet: Devnet, validator: string, marker: CrashMarker, reasons: string[]): Promise<number | undefined> {
  const client = devnet.net.set.processor(validator).client;
  const handle = client.workflow.getHandle(marker.workflowId, marker.runId);
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityId === marker.activityId);
  if (!scheduled) {
    reasons.push(`history of ${marker.workflowId}: no activity ${marker.activityId}`);
    return undefined;
  }
  if (scheduled.activityTaskScheduledEventAttributes?.activityType?.name !== marker.activityType) {
    reasons.push(`history of ${marker.workflowId}: activity ${marker.activityId} is ${scheduled.activityTaskScheduledEventAttributes?.activityType?.name}, the marker says ${marker.activityType}`);
  }
  const completions = events.filter((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? '') === String(scheduled.eventId));
  if (marker.point === 'completion-recorded') {
    if (completions.length !== 1) reasons.push(`history of ${marker.workflowId}: ${completions.length} completions of activity ${marker.activityId}, the hook's report acknowledged`);
    return completions[0] ? Number(completions[0].eventId) : undefined;
  }
  const status = (await handle.describe()).status.name;
  if (status === 'RUNNING') reasons.push(`the server refused activity k's completion while ${marker.workflowId} was running: ${marker.note ?? ''}`);
  return undefined;
}

/**
 * The end of a run: every scanner has scanned past the payout's block by the finality depth (so
 * the Batch of its change, if any, exists), every scanner's Batches are on Serai and acknowledged,
 * and every validator's workflows but the scanner have completed. A killed validator must have come
 * back for this. Throws if the run does not settle within two minutes.
 */
async function settle(devnet: Devnet, summary: ScenarioSummary, step: (line: string) => void): Promise<void> {
  const { net, btcd } = devnet;
  const confirmations = devnet.options.processorSettings?.scanner.confirmations ?? 3;
  const payout = summary.payouts.find((p) => BigInt(p.paid) > 0n);
  const tx = payout ? await btcd.rpc.getRawTransaction(payout.txid) : undefined;
  const payoutHeight = tx?.blockhash ? (await btcd.rpc.getBlockHeader(tx.blockhash)).height : 0;
  let waiting = '';
  step(`settling: every scanner past block ${payoutHeight + confirmations - 1}, its Batches on Serai, every other workflow complete ...`);
  try {
    await devnet.waitFor('the run to settle', async () => {
      const included = (await net.seraiStatus()).batches.bitcoin.length;
      for (const name of VALIDATOR_NAMES) {
        const status = await devnet.scannerStatus(name);
        if (!status) return void (waiting = `${name}'s scanner does not answer`);
        if ((status.nextHeight ?? 0) < payoutHeight + confirmations) return void (waiting = `${name}'s scanner at block ${status.nextHeight}`);
        if (status.nextBatchId !== included) return void (waiting = `${name}'s next Batch ${status.nextBatchId}, Serai has ${included}`);
        if (status.awaitingAck.length > 0 || status.queuedSeraiBlocks.length > 0) return void (waiting = `${name}'s scanner awaits acknowledgements`);
        for await (const wf of net.set.processor(name).client.workflow.list({ query: 'ExecutionStatus="Running"' })) {
          if (!wf.workflowId.startsWith('scanner-')) return void (waiting = `${name}'s ${wf.workflowId} still running${await pendingActivities(net.set.processor(name).client, wf.workflowId)}`);
        }
      }
      return true;
    }, 120_000, 1000);
  } catch (err) {
    throw new Error(`the run did not settle within 120 s: ${waiting} (${err instanceof Error ? err.message : String(err)})`);
  }
  step('settled');
}

/** A running workflow's pending activities, for a run that does not settle: what it is waiting on, and since which attempt. */
async function pendingActivities(client: Client, workflowId: string): Promise<string> {
  const { raw } = await client.workflow.getHandle(workflowId).describe();
  const pending = (raw.pendingActivities ?? []).map((a) => {
    const failure = a.lastFailure?.message ? `, last failure: ${a.lastFailure.message}` : '';
    return `${a.activityType?.name} (attempt ${a.attempt}, ${temporal.api.enums.v1.PendingActivityState[a.state ?? 0]}${failure})`;
  });
  return pending.length === 0 ? ' (no pending activity)' : ` (pending: ${pending.join('; ')})`;
}

async function judge(devnet: Devnet, summary: ScenarioSummary, reasons: string[], result: CrashRunResult): Promise<void> {
  const { net, btcd } = devnet;

  // Balances: the scenario's own checks, and the one account holds what the deposit left after the burn.
  if (!summary.ok) reasons.push(`scenario checks failed: ${JSON.stringify(summary.checks)}`);
  const remaining = DEPOSIT - DEPOSIT_FEE - BURN;
  if (JSON.stringify(summary.balances) !== JSON.stringify({ [summary.seraiAccount]: { bitcoin: remaining.toString() } })) {
    reasons.push(`Serai balances ${JSON.stringify(summary.balances)}, expected ${remaining} for ${summary.seraiAccount}`);
  }

  // Nothing failed or was ended by force, and every scanner answers.
  for (const name of VALIDATOR_NAMES) {
    for await (const wf of net.set.processor(name).client.workflow.list()) {
      const status = wf.status.name;
      if (status !== 'COMPLETED' && status !== 'CONTINUED_AS_NEW' && status !== 'RUNNING') reasons.push(`${name}: workflow ${wf.workflowId} ${status}`);
    }
    if (!(await devnet.scannerStatus(name))) reasons.push(`${name}'s scanner does not answer`);
  }

  // Every Batch signed once.
  const status = await net.seraiStatus();
  const included = status.batches.bitcoin;
  const ids = included.map((b) => b.id);
  if (JSON.stringify(ids) !== JSON.stringify(ids.map((_, i) => i))) reasons.push(`Serai included Batch ids ${JSON.stringify(ids)}, not 0..${ids.length - 1} once each`);
  if (summary.batches.length < 2) reasons.push(`only ${summary.batches.length} Batch(es) signed (the activation block's and the deposit's expected)`);
  for (const batch of summary.batches) {
    const message = batchMessage({ network: 'bitcoin', id: batch.id, block: batch.block, instructions: batch.instructions });
    if (!sr25519.verify(message, hexToBytes(batch.signature), hexToBytes(summary.seraiKey))) reasons.push(`Batch ${batch.id}'s signature does not verify`);
  }
  for (const duplicate of status.duplicates) {
    const signed = summary.batches.find((b) => b.id === duplicate.id);
    if (duplicate.network === 'bitcoin' && signed && duplicate.signature !== signed.signature) reasons.push(`Batch ${duplicate.id} signed twice: a second, different signature reached Serai`);
  }
  for (const rejection of status.rejected) reasons.push(`Serai refused ${rejection.what}: ${rejection.error} ${rejection.message}`);
  for (const failure of status.deliveryFailures) reasons.push(`Serai block ${failure.block} not delivered${failure.member ? ` to ${failure.member}` : ''}: ${failure.error} ${failure.message}`);
  result.batches = [];
  for (const record of included) {
    const outcome = (await net.coordinatorClient.workflow.getHandle(`coordinator-batch-bitcoin-${record.id}`).result()) as { attempt: number; signers: string[] };
    result.batches.push({ id: record.id, attempt: outcome.attempt, signers: outcome.signers });
  }

  // The burn paid exactly once: every output to its script on btcd's chain (from the key's activation) and in its mempool.
  const activation = (await devnet.generateKeys()).activationHeight;
  const paying = await paymentsTo(btcd.rpc, addressToScript(summary.burns[0]!.address), activation);
  const reported = summary.payouts.filter((p) => BigInt(p.paid) > 0n).map((p) => p.txid);
  if (paying.length !== 1) reasons.push(`the burn was paid ${paying.length} times on btcd (${paying.map((p) => p.txid).join(', ') || 'never'})`);
  else if (reported.length !== 1 || reported[0] !== paying[0]!.txid) reasons.push(`btcd's payout ${paying[0]!.txid} is not the scenario's (${reported.join(', ')})`);
  else if (paying[0]!.value > BURN) reasons.push(`the payout ${paying[0]!.value} exceeds the burn ${BURN}`);
  if (paying[0]) result.payout = { txid: paying[0].txid, paid: paying[0].value.toString() };
}
