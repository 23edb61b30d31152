/**
 * The Temporal server itself dies: on a live devnet (Temporal dev server, btcd, the coordinator with
 * the Serai simulator, three validator worker processes at 2-of-3) the dev server is SIGKILLed while
 * a payout plan is being threshold-signed (the burn accepted by Serai, the coordinator's plan relay
 * mid-round, nothing on btcd yet), and restarted on the same SQLite file and the same port. The
 * workers and clients, which only know the address, find it again by themselves; the scenario ends
 * with exactly one payout, the plan completed at every validator, every Batch signed once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CoordinatePlanResult } from '../../../devnet/coordinator/defs';
import { coordinatorPlanWorkflowId } from '../../../devnet/coordinator/defs';
import type { Devnet } from '../../../devnet/devnet';
import type { ExitStatus } from '../../../nodes/process';
import type { PlanOutcome } from '../../../workflows/plan-defs';
import type { SeraiBlockOutcome } from '../../../workflows/scanner-defs';
import {
  NAMES,
  activityEvents,
  batchesOnSerai,
  coordinatorWorkerState,
  depositAndMint,
  paidTo,
  randomAddress,
  startOutageDevnet,
  PLAN_SENT_STAGE,
  firstPlanOfSeraiBlock,
  planMidSigning,
  stepLogger,
  until,
  workflowCensus,
  workflowsEndedBadly,
} from './outage-support';

jest.setTimeout(1_200_000);

/** How long the server stays dead before the restart: long enough for every worker's polls to fail. */
const DOWN_MS = Number(process.env.OUTAGE_TEMPORAL_DOWN_MS ?? 5_000);
/**
 * Where the kill lands: `plan-sent` (default), once a validator sent its preprocess; `plan-started`,
 * as soon as the first validator started the plan, so the others apply the burn's Serai block only
 * after the restart (this found a lagging validator's solvency watch halting on the others' spend).
 */
const KILL_POINT = process.env.OUTAGE_KILL_POINT ?? 'plan-sent';
if (KILL_POINT !== 'plan-sent' && KILL_POINT !== 'plan-started') throw new Error(`OUTAGE_KILL_POINT: expected plan-sent or plan-started, got ${KILL_POINT}`);

const log = stepLogger();
let devnet: Devnet;
let cleanup: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ devnet, cleanup } = await startOutageDevnet('outage-temporal-', log));
});

afterAll(async () => {
  await cleanup?.();
});

test('the Temporal dev server SIGKILLed while a payout is signed and restarted on the same database: exactly one payout, every plan completed, every Batch signed once', async () => {
  const t0 = Date.now();
  await devnet.generateKeys();
  log(`keys generated (${Date.now() - t0} ms)`);
  const fromHeight = await devnet.btcd.rpc.getBlockCount();
  const { holder } = await depositAndMint(devnet, 50_000_000n, log);

  const workerPids = new Map(NAMES.map((name) => [name, devnet.net.set.get(name).workers[0]!.pid]));
  const payee = randomAddress();
  const burned = await devnet.burn(holder, 20_000_000n, payee);
  log(`burn of 0.2 sriBTC to ${payee} accepted by Serai for block ${burned.block}`);

  // The plan, named in the burn's Serai-block workflow history as soon as a validator starts it.
  const processors = NAMES.map((name) => devnet.net.set.processor(name).client);
  const seraiBlockId = `substrate-bitcoin-${burned.block}`;
  const planId = await firstPlanOfSeraiBlock(devnet, burned.block);
  const coordinatorPlan = devnet.net.coordinatorClient.workflow.getHandle(coordinatorPlanWorkflowId('bitcoin', planId));
  log(`plan ${planId} started`);

  // The named point: a validator's preprocess for the plan sent to the coordinator, no validator signed.
  const stages = KILL_POINT === 'plan-started' ? {} : await planMidSigning(devnet, planId, PLAN_SENT_STAGE);
  const observedAt = Date.now();
  const temporal = devnet.temporal;
  if (temporal.kind !== 'dev') throw new Error('this test kills the dev server');
  const server = temporal.process;
  const serverPid = server.pid;
  server.killNow();
  const killedAt = Date.now();
  const exit: ExitStatus = await server.exited;
  log(`SIGKILLed the Temporal dev server (pid ${serverPid}) ${killedAt - observedAt} ms after seeing plan ${planId} mid-signing: ${JSON.stringify(stages)}; exit ${JSON.stringify(exit)}`);
  expect(exit).toEqual({ code: null, signal: 'SIGKILL' });

  // Dead for a while: every worker's poll fails, a client call fails.
  const connection = devnet.net.connection;
  await expect(connection.withDeadline(Date.now() + 2000, () => connection.workflowService.getSystemInfo({}))).rejects.toThrow();
  await sleep(Math.max(0, DOWN_MS - (Date.now() - killedAt)));
  const restartStarted = Date.now();
  await temporal.restart();
  log(`restarted the Temporal dev server on ${temporal.address} and ${temporal.dbPath} (pid ${temporal.process.pid}) in ${Date.now() - restartStarted} ms; down ${Date.now() - killedAt} ms`);
  expect(temporal.process.pid).not.toBe(serverPid);

  // The workers and clients were not touched: the same processes, the same connections.
  const reconnectStarted = Date.now();
  const health = await Promise.all(NAMES.map((name) => until(`${name}'s worker to answer again`, () => devnet.net.set.processor(name).health(), 300_000, 1000)));
  log(`every validator's worker answers a health workflow again ${Date.now() - reconnectStarted} ms after the restart`);
  for (const [i, name] of NAMES.entries()) {
    expect(devnet.net.set.get(name).workers[0]!.isRunning).toBe(true);
    expect(devnet.net.set.get(name).workers[0]!.pid).toBe(workerPids.get(name));
    expect(health[i]).toBeDefined();
  }
  expect(coordinatorWorkerState(devnet)).toBe('RUNNING');

  // The scenario finishes: the plan completed at every online validator with one transaction.
  const outcomes = await Promise.all(NAMES.map((name) => until(`plan ${planId} completed at ${name}`, async () => {
    const handle = devnet.net.set.processor(name).client.workflow.getHandle(`plan-bitcoin-${planId}`);
    return (await handle.describe()).status.name === 'COMPLETED' ? ((await handle.result()) as PlanOutcome) : undefined;
  }, 600_000, 1000)));
  const relayResult = (await coordinatorPlan.result()) as CoordinatePlanResult;
  log(`plan ${planId} completed at every validator ${Date.now() - killedAt} ms after the kill: ${relayResult.txid} (attempt ${relayResult.attempt}, completed by ${relayResult.completedBy})`);
  for (const outcome of outcomes) expect(outcome).toMatchObject({ end: 'completed', txid: relayResult.txid });
  for (const client of processors) expect(((await client.workflow.getHandle(seraiBlockId).result()) as SeraiBlockOutcome).plans).toEqual([planId]);

  // Exactly one output to the burn's address, in the plan's transaction, from the deposit's height on.
  const paid = await paidTo(devnet, payee, fromHeight);
  expect(paid).toHaveLength(1);
  expect(paid[0]!.txid).toBe(relayResult.txid);
  expect(paid[0]!.value).toBeLessThanOrEqual(20_000_000n);
  expect(paid[0]!.value).toBeGreaterThan(0n);

  // The kill happened at the named point, by the server's own clock: a validator's preprocess had
  // been made and sent to the coordinator before it, and no validator published before it.
  let preprocessedBefore = 0;
  for (const name of NAMES) {
    const events = await activityEvents(devnet.net.set.processor(name).client.workflow.getHandle(`plan-bitcoin-${planId}`));
    const preprocessed = events.find((e) => e.activityType === 'thresholdPreprocess' && e.event === 'completed')?.at;
    if (preprocessed !== undefined && events.some((e) => e.activityType === 'sendToCoordinator' && e.event === 'completed' && e.at > preprocessed && e.at < killedAt)) preprocessedBefore++;
    const published = events.filter((e) => e.activityType === 'publishTransaction' && e.event === 'scheduled').map((e) => e.at);
    expect(published.filter((at) => at < killedAt)).toEqual([]);
    log(`${name}: plan activities ${events.filter((e) => e.event === 'scheduled').map((e) => `${e.activityType}@${e.at - killedAt}ms`).join(', ')} (relative to the kill)`);
  }
  if (KILL_POINT === 'plan-sent') expect(preprocessedBefore).toBeGreaterThanOrEqual(1);

  // Every Batch signed once on the Serai simulator, and no workflow anywhere ended badly.
  const batches = await batchesOnSerai(devnet);
  expect(batches.ids).toEqual(batches.ids.map((_, i) => i));
  expect(batches.ids.length).toBeGreaterThanOrEqual(1);
  expect(batches.duplicates).toEqual([]);
  for (const [i, result] of batches.results.entries()) expect(result.signedBatch.batch.id).toBe(i);
  expect(await workflowsEndedBadly(devnet)).toEqual([]);
  log(`workflows: ${JSON.stringify(await workflowCensus(devnet))}`);
  log(`total ${Date.now() - t0} ms`);
});
