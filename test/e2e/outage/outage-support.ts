/**
 * What the outage tests share: where a burn was paid on btcd, which workflows ended badly in any
 * namespace of a devnet, when a workflow's activities were scheduled (from its history), and the
 * devnet's Batches on the Serai simulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import type { Worker } from '@temporalio/worker';
import { coordinatorBatchWorkflowId, type CoordinateBatchResult } from '../../../devnet/coordinator/defs';
import { Devnet } from '../../../devnet/devnet';
import { paymentsTo, type Payment } from '../../../devnet/payments';
import { addressToScript, scriptToAddress } from '../../../devnet/wallet';
import { DEPOSIT_FEE } from '../../../networks/bitcoin/instructions';
import { planStatusQuery } from '../../../workflows/plan-defs';

export const NAMES = ['alice', 'bob', 'carol'];
export const THRESHOLD = 2;

export const randomAddress = () => scriptToAddress(`5120${bytesToHex(schnorr.getPublicKey(schnorr.utils.randomSecretKey()))}`);
export const randomAccount = () => bytesToHex(crypto.getRandomValues(new Uint8Array(32)));

/** A log line with the seconds since `t0`, so a run's timings can be read from its output. */
export function stepLogger(t0 = Date.now()): (line: string) => void {
  return (line) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${line}\n`);
}

/** A fresh devnet (own data dir, free ports) of three validators at 2-of-3, and how to remove it. */
export async function startOutageDevnet(prefix: string, log: (line: string) => void): Promise<{ devnet: Devnet; cleanup: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  log(`data dir ${dataDir}`);
  const devnet = await Devnet.start({
    dataDir,
    validators: NAMES.map((name) => ({ name, weight: 1 })),
    t: THRESHOLD,
    blockIntervalMs: 1000,
    seraiBlockTime: '1 second',
    log: (line) => log(`devnet: ${line}`),
  }).catch((err: unknown) => {
    if (!process.env.KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  return {
    devnet,
    cleanup: async () => {
      await devnet.stop();
      if (process.env.KEEP_TEST_DATA) log(`kept ${dataDir}`);
      else rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every `intervalMs` until it yields a value; a throwing check counts as "not yet". */
export async function until<T>(what: string, check: () => Promise<T | undefined>, limitMs = 300_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + limitMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${limitMs / 1000} s waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await sleep(intervalMs);
  }
}

/** Every output paying `address` in btcd's chain from `fromHeight` and in its mempool. */
export function paidTo(devnet: Devnet, address: string, fromHeight: number): Promise<Payment[]> {
  return paymentsTo(devnet.btcd.rpc, addressToScript(address), fromHeight);
}

/** The coordinator's and every validator's client, by namespace. */
export function namespaceClients(devnet: Devnet): Map<string, Client> {
  const clients = new Map<string, Client>([['coordinator', devnet.net.coordinatorClient]]);
  for (const member of devnet.net.set.members.values()) clients.set(member.namespace, member.client.client);
  return clients;
}

export interface BadEnd {
  namespace: string;
  workflowId: string;
  type: string;
  status: string;
}

/** Every workflow execution of the devnet that ended FAILED, TERMINATED, TIMED_OUT or CANCELED. */
export async function workflowsEndedBadly(devnet: Devnet): Promise<BadEnd[]> {
  const query = `ExecutionStatus = 'Failed' OR ExecutionStatus = 'Terminated' OR ExecutionStatus = 'TimedOut' OR ExecutionStatus = 'Canceled'`;
  const bad: BadEnd[] = [];
  for (const [namespace, client] of namespaceClients(devnet)) {
    for await (const execution of client.workflow.list({ query })) {
      bad.push({ namespace, workflowId: execution.workflowId, type: execution.type, status: execution.status.name });
    }
  }
  return bad;
}

/** How many workflow executions each namespace holds, by status (for the log). */
export async function workflowCensus(devnet: Devnet): Promise<Record<string, Record<string, number>>> {
  const census: Record<string, Record<string, number>> = {};
  for (const [namespace, client] of namespaceClients(devnet)) {
    const counts: Record<string, number> = {};
    for await (const execution of client.workflow.list()) counts[execution.status.name] = (counts[execution.status.name] ?? 0) + 1;
    census[namespace] = counts;
  }
  return census;
}

export interface ActivityEvent {
  activityType: string;
  event: 'scheduled' | 'completed';
  at: number;
}

/** A workflow's activities, scheduled and completed, with the server's event times (ms). */
export async function activityEvents(handle: WorkflowHandle): Promise<ActivityEvent[]> {
  const history = await handle.fetchHistory();
  const typeBySchedule = new Map<string, string>();
  const events: ActivityEvent[] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const activityType = scheduled.activityType?.name ?? '?';
      typeBySchedule.set(String(event.eventId), activityType);
      events.push({ activityType, event: 'scheduled', at: tsToMs(event.eventTime) });
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed) events.push({ activityType: typeBySchedule.get(String(completed.scheduledEventId)) ?? '?', event: 'completed', at: tsToMs(event.eventTime) });
  }
  return events;
}

/**
 * The devnet's Batches as the Serai simulator holds them, each with its coordinator result: ids
 * 0..n-1 each included once, no second publication of an id, every one signed by a completed
 * `coordinator-batch-…` workflow.
 */
export async function batchesOnSerai(devnet: Devnet): Promise<{ ids: number[]; duplicates: unknown[]; results: CoordinateBatchResult[] }> {
  const status = await devnet.net.seraiStatus();
  const ids = status.batches.bitcoin.map((b) => b.id);
  const results: CoordinateBatchResult[] = [];
  for (const id of ids) {
    const handle = devnet.net.coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId('bitcoin', id));
    results.push((await handle.result()) as CoordinateBatchResult);
  }
  return { ids, duplicates: status.duplicates, results };
}

/** A deposit of `amount` to the devnet's key for a fresh Serai account, its Batch signed and the sriBTC minted. */
export async function depositAndMint(devnet: Devnet, amount: bigint, log: (line: string) => void) {
  const holder = randomAccount();
  const deposit = await devnet.deposit(amount, holder);
  log(`deposit ${deposit.txid} sent`);
  const batch = await devnet.signedBatchOf(deposit.txid);
  log(`Batch ${batch.result.signedBatch.batch.id} (block ${batch.height}) signed by ${batch.result.signers.join(', ')}`);
  await until('the sriBTC minted', async () => (BigInt((await devnet.net.seraiStatus()).balances[holder]?.bitcoin ?? '0') === amount - DEPOSIT_FEE ? true : undefined));
  log(`minted ${amount - DEPOSIT_FEE} sats of sriBTC to ${holder}`);
  return { holder, deposit, batch };
}

/** The in-process coordinator worker's state (the devnet keeps the worker to itself). */
export function coordinatorWorkerState(devnet: Devnet): string {
  return (devnet.net as unknown as { coordinatorWorker: Worker }).coordinatorWorker.getState();
}

/**
 * The id of the first payout plan a validator starts for a Serai block, read from the
 * `substrate-bitcoin-<block>` workflow's history (its StartChildWorkflowExecutionInitiated), the
 * earliest place the plan is named, long before that workflow completes.
 */
export async function firstPlanOfSeraiBlock(devnet: Devnet, block: number, limitMs = 300_000): Promise<string> {
  const handles = [...devnet.net.set.members.values()].filter((m) => !m.spec.offline).map((m) => m.client.client.workflow.getHandle(`substrate-bitcoin-${block}`));
  return until(`a plan started for Serai block ${block}`, async () => {
    for (const handle of handles) {
      const history = await handle.fetchHistory().catch(() => undefined);
      for (const event of history?.events ?? []) {
        const child = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
        if (child?.startsWith('plan-bitcoin-')) return child.slice('plan-bitcoin-'.length);
      }
    }
    return undefined;
  }, limitMs, 20);
}

/** A validator's plan stages in a signing round, before anything is signed (`awaiting shares` covers the aggregate). */
export const PLAN_SIGNING_STAGE = /^attempt \d+: (preprocess|awaiting preprocesses|sharing|awaiting shares)/;
/** Signing-round stages after the validator's preprocess went to the coordinator. */
export { PLAN_SENT_STAGE } from '../../../devnet/payout-chaos';
/** Stages from which nothing is signed yet: preparing, or a signing round (stuck or not). */
const PLAN_UNSIGNED_STAGE = /^(preparing|attempt \d+: .*)$/;
/** Stages before a plan is completed (`completed` is set as the Completed message is sent). */
const PLAN_UNCOMPLETED_STAGE = /^(preparing|attempt \d+: .*|signed|publishing|awaiting confirmation|conflict: .*|a claimed completion awaits .*)$/;
const NO_ANSWER = 'no answer (not started, or its worker busy)';

/**
 * Waits until some online validator's plan workflow for `planId` is at a stage `reached` matches
 * while every one that answers is still at a stage `notPast` matches. Returns the stages seen; throws
 * once any validator got past (the point was missed), so a test never names a point it did not reach.
 */
export async function planAt(devnet: Devnet, planId: string, point: { reached: RegExp; notPast: RegExp; what: string }, limitMs = 300_000): Promise<Record<string, string>> {
  const members = [...devnet.net.set.members.values()].filter((m) => !m.spec.offline);
  const deadline = Date.now() + limitMs;
  for (;;) {
    const stages = await Promise.all(members.map(async (m) => {
      const status = await m.client.client.workflow.getHandle(`plan-bitcoin-${planId}`).query(planStatusQuery).catch(() => undefined);
      return [m.spec.name, status?.stage ?? NO_ANSWER] as const;
    }));
    const past = stages.filter(([, stage]) => stage !== NO_ANSWER && !point.notPast.test(stage));
    if (past.length > 0) throw new Error(`missed the point: plan ${planId} got past ${point.what} at ${past.map(([name, stage]) => `${name} (${stage})`).join(', ')} before it was seen`);
    if (stages.some(([, stage]) => point.reached.test(stage))) return Object.fromEntries(stages);
    if (Date.now() > deadline) throw new Error(`never saw plan ${planId} ${point.what}; last stages ${JSON.stringify(Object.fromEntries(stages))}`);
    await sleep(20);
  }
}

/** Plan `planId` being threshold-signed: some validator at a stage `reached` matches, none signed yet. */
export function planMidSigning(devnet: Devnet, planId: string, reached = PLAN_SIGNING_STAGE, limitMs = 300_000): Promise<Record<string, string>> {
  return planAt(devnet, planId, { reached, notPast: PLAN_UNSIGNED_STAGE, what: 'signing' }, limitMs);
}

/** Plan `planId` published and awaiting its confirmations at some validator, completed at none. */
export function planPublished(devnet: Devnet, planId: string, limitMs = 300_000): Promise<Record<string, string>> {
  return planAt(devnet, planId, { reached: /^awaiting confirmation$/, notPast: PLAN_UNCOMPLETED_STAGE, what: 'publishing (completed)' }, limitMs);
}
