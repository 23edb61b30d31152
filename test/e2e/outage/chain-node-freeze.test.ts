/**
 * A chain node that stops answering: on a live devnet after key generation, btcd is frozen with
 * SIGSTOP for 30 s (its sockets stay open, so every RPC connects and then hears nothing) and thawed
 * with SIGCONT, three times: in the deposit -> Batch flow (the deposit in a block, not yet final), in
 * the payout while its plan is signed (a validator's preprocess sent; the others cannot apply the
 * burn's Serai block without btcd's fee rate), and once the payout is published and awaits its
 * confirmations. No workflow in the coordinator's or any validator's namespace ends FAILED,
 * TERMINATED, TIMED_OUT or CANCELED; the Batch is signed once and the burn paid exactly once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { coordinatorPlanWorkflowId, type CoordinatePlanResult } from '../../../devnet/coordinator/defs';
import type { Devnet } from '../../../devnet/devnet';
import { DEPOSIT_FEE } from '../../../networks/bitcoin/instructions';
import type { PlanOutcome } from '../../../workflows/plan-defs';
import {
  NAMES,
  PLAN_SENT_STAGE,
  activityEvents,
  batchesOnSerai,
  firstPlanOfSeraiBlock,
  planMidSigning,
  planPublished,
  paidTo,
  randomAccount,
  randomAddress,
  startOutageDevnet,
  stepLogger,
  until,
  workflowCensus,
  workflowsEndedBadly,
} from './outage-support';

jest.setTimeout(1_200_000);

const FREEZE_MS = 30_000;

const log = stepLogger();
let devnet: Devnet;
let cleanup: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ devnet, cleanup } = await startOutageDevnet('outage-btcd-', log));
});

afterAll(async () => {
  // Never leave btcd frozen behind a failed assertion (stop() also wakes it).
  if (devnet?.btcd.paused) devnet.btcd.resume();
  await cleanup?.();
});

/**
 * Freezes btcd for FREEZE_MS and thaws it, checking it really was frozen (and is no more). The
 * miner is paused first: its calls would time out against the frozen node but stay queued in
 * btcd's socket, and on the thaw btcd would mine them all at once. `mining: 'resume'` restarts it
 * after the thaw; 'held' leaves the chain still until the caller resumes it.
 */
async function freezeBtcd(what: string, mining: 'resume' | 'held'): Promise<{ pausedAt: number; resumedAt: number }> {
  const { btcd, miner } = devnet;
  await miner.pause();
  btcd.pause();
  const pausedAt = Date.now();
  log(`SIGSTOP btcd (pid ${btcd.process.pid}) ${what}`);
  await until('the kernel to report btcd stopped', async () => (btcd.paused ? true : undefined), 10_000, 50);
  // It keeps its sockets: a call connects and times out rather than being refused.
  await expect(btcd.rpc.getBlockCount({ timeoutMs: 2000 })).rejects.toThrow(/no answer within 2000 ms/);
  await sleep(Math.max(0, FREEZE_MS - (Date.now() - pausedAt)));
  expect(btcd.paused).toBe(true);
  btcd.resume();
  const resumedAt = Date.now();
  log(`SIGCONT btcd after ${resumedAt - pausedAt} ms`);
  expect(btcd.paused).toBe(false);
  await until('btcd to answer again', () => btcd.rpc.getBlockCount({ timeoutMs: 5000 }), 60_000, 500);
  if (mining === 'resume') miner.resume();
  return { pausedAt, resumedAt };
}

test('btcd frozen for 30 s (SIGSTOP, SIGCONT) in the deposit -> Batch flow, while a payout is signed and after it is published fails no workflow; the Batch is signed once and the burn paid once', async () => {
  const t0 = Date.now();
  await devnet.generateKeys();
  log(`keys generated (${Date.now() - t0} ms)`);
  expect(await workflowsEndedBadly(devnet)).toEqual([]);
  const { btcd, net } = devnet;
  const confirmations = devnet.options.processorSettings?.scanner.confirmations ?? 3;
  const fromHeight = await btcd.rpc.getBlockCount();

  // 1. The deposit -> Batch flow: frozen once the deposit is in a block and before that block is final.
  const holder = randomAccount();
  const deposit = await devnet.deposit(50_000_000n, holder);
  let point: { height: number; tip: number } | undefined;
  while (!point) {
    const tx = await btcd.rpc.getRawTransaction(deposit.txid).catch(() => undefined);
    if (tx?.blockhash) {
      await devnet.miner.pause();
      const height = (await btcd.rpc.getBlockHeader(tx.blockhash)).height;
      const tip = await btcd.rpc.getBlockCount();
      if (tip >= height + confirmations - 1) throw new Error(`missed the freeze point: the deposit's block ${height} was final (tip ${tip}) before it was seen`);
      point = { height, tip };
    } else await sleep(50);
  }
  const depositFreeze = await freezeBtcd(`with the deposit ${deposit.txid} in block ${point.height} and the tip at ${point.tip} (final at ${point.height + confirmations - 1})`, 'resume');
  // Nothing could be final while frozen: the Batch carrying the deposit did not exist at the thaw.
  const depositBlock = await btcd.rpc.getBlockHash(point.height);
  const batch = await devnet.signedBatchOf(deposit.txid, 600_000);
  const batchId = batch.result.signedBatch.batch.id;
  const batchStarted = await net.coordinatorClient.workflow.getHandle(`coordinator-batch-bitcoin-${batchId}`).describe();
  log(`Batch ${batchId} (block ${batch.height}) signed by ${batch.result.signers.join(', ')} ${Date.now() - depositFreeze.resumedAt} ms after the thaw`);
  expect(batch.result.signedBatch.batch.block).toBe(depositBlock);
  expect(batchStarted.startTime.getTime()).toBeGreaterThan(depositFreeze.pausedAt);
  await until('the sriBTC minted', async () => (BigInt((await net.seraiStatus()).balances[holder]?.bitcoin ?? '0') === 50_000_000n - DEPOSIT_FEE ? true : undefined));
  expect(await workflowsEndedBadly(devnet)).toEqual([]);

  // 2. The payout: frozen while its plan is being signed (a validator's preprocess sent, none signed).
  const payee = randomAddress();
  const burned = await devnet.burn(holder, 20_000_000n, payee);
  log(`burn to ${payee} accepted by Serai for block ${burned.block}`);
  const planId = await firstPlanOfSeraiBlock(devnet, burned.block);
  const relay = net.coordinatorClient.workflow.getHandle(coordinatorPlanWorkflowId('bitcoin', planId));
  const stages = await planMidSigning(devnet, planId, PLAN_SENT_STAGE);
  // The chain stays still from here to the third thaw: signing and publishing need no new block,
  // and a payout mined before the third freeze could be final (every plan closed) before it.
  const payoutFreeze = await freezeBtcd(`while plan ${planId} is signed (stages ${JSON.stringify(stages)})`, 'held');

  // 3. Frozen again once the payout is published and awaits its confirmations at some validator.
  const published = await planPublished(devnet, planId);
  const pending = await paidTo(devnet, payee, fromHeight);
  expect(pending).toMatchObject([{ where: 'mempool' }]);
  const confirmFreeze = await freezeBtcd(`with plan ${planId} published (${pending[0]!.txid} in the mempool), awaiting confirmations (stages ${JSON.stringify(published)})`, 'resume');

  const outcomes = await Promise.all(NAMES.map((name) => until(`plan ${planId} completed at ${name}`, async () => {
    const handle = net.set.processor(name).client.workflow.getHandle(`plan-bitcoin-${planId}`);
    return (await handle.describe()).status.name === 'COMPLETED' ? ((await handle.result()) as PlanOutcome) : undefined;
  }, 600_000, 1000)));
  const relayResult = (await relay.result()) as CoordinatePlanResult;
  log(`plan ${planId} completed at every validator ${Date.now() - confirmFreeze.resumedAt} ms after the last thaw: ${relayResult.txid}`);
  for (const outcome of outcomes) expect(outcome).toMatchObject({ end: 'completed', txid: relayResult.txid });

  // The freezes came at the named points, by the server's clock: before the second a validator had
  // sent its preprocess and none had published; before the third a validator had published and none
  // had completed (every plan closed after the last thaw).
  let sentBefore = 0;
  let publishedBefore = 0;
  const rel = (at: number) => {
    for (const [nth, freeze] of [['2nd', payoutFreeze], ['3rd', confirmFreeze]] as const) {
      if (at >= freeze.pausedAt && at < freeze.resumedAt) return `${at - freeze.pausedAt} ms into the ${nth} freeze`;
    }
    if (at < payoutFreeze.pausedAt) return `${payoutFreeze.pausedAt - at} ms before the 2nd freeze`;
    return at < confirmFreeze.pausedAt ? `${at - payoutFreeze.resumedAt} ms after the 2nd thaw` : `${at - confirmFreeze.resumedAt} ms after the 3rd thaw`;
  };
  for (const name of NAMES) {
    const handle = net.set.processor(name).client.workflow.getHandle(`plan-bitcoin-${planId}`);
    const events = await activityEvents(handle);
    const preprocessed = events.find((e) => e.activityType === 'thresholdPreprocess' && e.event === 'completed')?.at;
    if (preprocessed !== undefined && events.some((e) => e.activityType === 'sendToCoordinator' && e.event === 'completed' && e.at > preprocessed && e.at < payoutFreeze.pausedAt)) sentBefore++;
    expect(events.filter((e) => e.activityType === 'publishTransaction' && e.at < payoutFreeze.pausedAt)).toEqual([]);
    if (events.some((e) => e.activityType === 'publishTransaction' && e.event === 'completed' && e.at < confirmFreeze.pausedAt)) publishedBefore++;
    expect((await handle.describe()).closeTime!.getTime()).toBeGreaterThan(confirmFreeze.resumedAt);
    log(`${name}: ${events.map((e) => `${e.activityType} ${e.event} ${rel(e.at)}`).join('; ')}`);
  }
  expect(sentBefore).toBeGreaterThanOrEqual(1);
  expect(publishedBefore).toBeGreaterThanOrEqual(1);

  const paid = await paidTo(devnet, payee, fromHeight);
  expect(paid).toHaveLength(1);
  expect(paid[0]!.txid).toBe(relayResult.txid);
  expect(paid[0]!.value).toBeLessThanOrEqual(20_000_000n);

  const batches = await batchesOnSerai(devnet);
  expect(batches.ids).toEqual(batches.ids.map((_, i) => i));
  expect(batches.ids).toContain(batchId);
  expect(batches.duplicates).toEqual([]);
  expect(await workflowsEndedBadly(devnet)).toEqual([]);
  log(`workflows: ${JSON.stringify(await workflowCensus(devnet))}`);
  log(`total ${Date.now() - t0} ms`);
});
