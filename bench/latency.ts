/**
 * End-to-end latency on a live devnet (Temporal dev server, btcd regtest, the coordinator with the
 * Serai simulator, one worker process per validator), Bitcoin at 3-of-4 by default:
 *
 *   - deposit final -> SignedBatch: from the moment the deposit's block has the scanner's
 *     confirmations on btcd to the coordinator's Batch workflow closing with the SignedBatch;
 *   - Serai block -> payout in the mempool: from the Serai block carrying a burn to the payout
 *     transaction in btcd's mempool.
 *
 * Each is run `--runs` times (median printed), and the median run's Temporal histories are laid
 * out as a timeline (the first signer's workflows and the coordinator's): when each workflow
 * started, each activity's queue wait and run time, each signal, timer and child, so the waits
 * show themselves. A benchmark, never a test: the figures vary with the machine's load.
 *
 *   npx tsx bench/latency.ts                       3 runs at 3-of-4
 *   npx tsx bench/latency.ts --runs 5 --validators 5 --threshold 4
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Command, InvalidArgumentError } from 'commander';
import { coordinatorBatchWorkflowId, coordinatorPlanWorkflowId, COORDINATOR_NAMESPACE } from '../devnet/coordinator/defs';
import { SERAI_CHAIN_WORKFLOW_ID } from '../devnet/coordinator/serai-defs';
import { Devnet } from '../devnet/devnet';
import { paymentsTo } from '../devnet/payments';
import { scriptToAddress } from '../devnet/wallet';
import { batchWorkflowId } from '../workflows/batch-defs';
import { planWorkflowId } from '../workflows/plan-defs';
import { seraiBlockWorkflowId } from '../workflows/scanner-defs';

const NAMES = ['alice', 'bob', 'carol', 'dave', 'eve', 'frank', 'grace'];
const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const say = (line: string) => console.error(`[latency] ${line}`);

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got ${value}`);
  return n;
}

function eventMs(event: HistoryEvent): number {
  const time = event.eventTime!;
  return Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
}

/** One line of a timeline: when, whose workflow, what happened. */
interface Mark {
  at: number;
  who: string;
  what: string;
}

/** The events of one workflow that say where time went, as marks (activities with queue wait and run time). */
function marksOf(who: string, events: readonly HistoryEvent[], from: number, to: number): Mark[] {
  const marks: Mark[] = [];
  const byId = new Map<number, HistoryEvent>();
  for (const event of events) byId.set(Number(event.eventId), event);
  const scheduledOf = (id: unknown) => byId.get(Number(id));
  for (const event of events) {
    const at = eventMs(event);
    if (at < from || at > to) continue;
    const mark = (what: string) => marks.push({ at, who, what });
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        mark('workflow started');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        mark('workflow completed');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        mark(`signal ${event.workflowExecutionSignaledEventAttributes?.signalName}`);
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: {
        const attributes = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes;
        const scheduled = scheduledOf(attributes?.scheduledEventId);
        const started = scheduledOf(attributes?.startedEventId);
        const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        const wait = scheduled && started ? eventMs(started) - eventMs(scheduled) : NaN;
        const run = started ? at - eventMs(started) : NaN;
        const failed = event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED ? ' FAILED' : '';
        mark(`activity ${name}${failed} (scheduled ${scheduled ? at - eventMs(scheduled) : NaN} ms before: queued ${wait} ms, ran ${run} ms)`);
        break;
      }
      case EventType.EVENT_TYPE_TIMER_STARTED:
        mark(`timer ${event.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0} s ${Math.round((event.timerStartedEventAttributes?.startToFireTimeout?.nanos ?? 0) / 1e6)} ms started`);
        break;
      case EventType.EVENT_TYPE_TIMER_FIRED:
        mark('timer fired');
        break;
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        mark(`child ${event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId} started`);
        break;
      case EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        mark(`signals ${event.signalExternalWorkflowExecutionInitiatedEventAttributes?.workflowExecution?.workflowId}`);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        const scheduled = scheduledOf(event.workflowTaskCompletedEventAttributes?.scheduledEventId);
        const started = scheduledOf(event.workflowTaskCompletedEventAttributes?.startedEventId);
        if (scheduled && started) {
          const wait = eventMs(started) - eventMs(scheduled);
          const run = at - eventMs(started);
          if (wait + run >= 20) mark(`workflow task (queued ${wait} ms, ran ${run} ms)`);
        }
        break;
      }
      default:
        break;
    }
  }
  return marks;
}

async function historyOf(client: Client, workflowId: string): Promise<HistoryEvent[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return history.events ?? [];
}

/** Sums over marks: activity run and queue time by activity type, workflow-task time. */
function totals(marks: readonly Mark[]): string[] {
  const runs = new Map<string, { count: number; run: number; queued: number }>();
  for (const mark of marks) {
    const match = /^activity (\S+).*queued (-?\d+) ms, ran (-?\d+) ms/.exec(mark.what);
    if (!match) continue;
    const entry = runs.get(match[1]!) ?? { count: 0, run: 0, queued: 0 };
    entry.count += 1;
    entry.queued += Number(match[2]);
    entry.run += Number(match[3]);
    runs.set(match[1]!, entry);
  }
  return [...runs]
    .sort((a, b) => b[1].run - a[1].run)
    .map(([name, e]) => `  ${name.padEnd(28)} x${String(e.count).padEnd(3)} ran ${String(e.run).padStart(6)} ms, queued ${String(e.queued).padStart(5)} ms`);
}

function timeline(title: string, t0: number, marks: Mark[]): string {
  const sorted = [...marks].sort((a, b) => a.at - b.at);
  return [title, ...sorted.map((m) => `  +${String(m.at - t0).padStart(6)} ms  ${m.who.padEnd(24)} ${m.what}`)].join('\n');
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

interface Run {
  depositMs: number;
  payoutMs: number;
  deposit: { t0: number; t1: number; batchId: number };
  payout: { t0: number; t1: number; seraiBlock: number; planIds: string[] };
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('latency')
    .option('--runs <n>', 'deposits and burns measured (the median is printed)', positive, 3)
    .option('--validators <n>', 'validators, one key share each', positive, 4)
    .option('--threshold <t>', 'key shares that sign', positive, 3)
    .option('--keep', 'keep the devnet data directory', false)
    .parse(argv);
  const opts = program.opts<{ runs: number; validators: number; threshold: number; keep: boolean }>();
  if (opts.threshold > opts.validators) throw new InvalidArgumentError(`--threshold ${opts.threshold} is more than --validators ${opts.validators}`);
  if (opts.validators > NAMES.length) throw new InvalidArgumentError(`--validators: at most ${NAMES.length}`);
  const names = NAMES.slice(0, opts.validators);

  const dataDir = mkdtempSync(join(tmpdir(), 'latency-'));
  const devnet = await Devnet.start({ dataDir, validators: names.map((name) => ({ name, weight: 1 })), t: opts.threshold, log: say });
  try {
    await devnet.generateKeys();
    const confirmations = devnet.options.processorSettings?.scanner.confirmations ?? 3;
    const { btcd, net } = devnet;
    const account = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
    const runs: Run[] = [];
    for (let run = 1; run <= opts.runs; run++) {
      // Deposit final -> SignedBatch.
      const deposit = await devnet.deposit(10_000_000n, account);
      const mined = await devnet.waitFor(`deposit ${deposit.txid} mined`, async () => {
        const tx = await btcd.rpc.getRawTransaction(deposit.txid).catch(() => undefined);
        return tx?.blockhash ? (await btcd.rpc.getBlockHeader(tx.blockhash)).height : undefined;
      }, 300_000, 50);
      await devnet.waitFor('the deposit final', async () => ((await btcd.rpc.getBlockCount()) >= mined + confirmations - 1 ? true : undefined), 300_000, 20);
      const final = Date.now();
      const { result } = await devnet.signedBatchOf(deposit.txid);
      const batchId = result.signedBatch.batch.id;
      const closed = (await net.coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId('bitcoin', batchId)).describe()).closeTime!.getTime();
      const depositMs = closed - final;
      await devnet.waitFor('the deposit minted', async () => (BigInt((await net.seraiStatus()).balances[account]?.bitcoin ?? '0') > 0n ? true : undefined));
      // Every scanner has the deposit's block acknowledged: the burn is planned in its own Serai block.
      await devnet.acknowledgedThrough(mined);

      // Serai block -> payout in the mempool.
      const payee = `5120${bytesToHex(schnorr.getPublicKey(schnorr.utils.randomSecretKey()))}`;
      const from = await btcd.rpc.getBlockCount();
      const burned = await devnet.burn(account, 5_000_000n, scriptToAddress(payee));
      const produced = await devnet.waitFor(`Serai block ${burned.block}`, async () => ((await net.seraiStatus()).height >= burned.block ? Date.now() : undefined), 300_000, 20);
      const paid = await devnet.waitFor('the payout in the mempool', async () => ((await paymentsTo(btcd.rpc, payee, from + 1))[0] ? Date.now() : undefined), 300_000, 20);
      const outcome = await devnet.seraiBlockOutcome(burned.block);
      if (outcome.plans.length !== 1) throw new Error(`Serai block ${burned.block} planned ${outcome.plans.length} transactions, expected 1`);
      const payoutMs = paid - produced;
      say(`run ${run}: deposit final -> SignedBatch ${depositMs} ms; Serai block -> payout in the mempool ${payoutMs} ms`);
      runs.push({ depositMs, payoutMs, deposit: { t0: final, t1: closed, batchId }, payout: { t0: produced, t1: paid, seraiBlock: burned.block, planIds: outcome.plans } });
      const plan = await devnet.planOutcome(outcome.plans[0]!);
      const payoutHeight = await devnet.waitFor('the payout mined', async () => {
        const found = (await paymentsTo(btcd.rpc, payee, from + 1)).find((p) => p.txid === plan.txid);
        return typeof found?.where === 'number' ? found.where : undefined;
      });
      await devnet.acknowledgedThrough(payoutHeight);
    }

    console.log(`\nlatency at ${opts.threshold}-of-${opts.validators} (Bitcoin), ${opts.runs} runs (ms)`);
    console.log(`  deposit final -> SignedBatch:          ${runs.map((r) => r.depositMs).join(', ')}  median ${median(runs.map((r) => r.depositMs))}`);
    console.log(`  Serai block -> payout in the mempool:  ${runs.map((r) => r.payoutMs).join(', ')}  median ${median(runs.map((r) => r.payoutMs))}`);

    const signer = names[0]!;
    const processor = net.set.processor(signer).client;
    const coordinator = net.coordinatorClient;
    const collect = async (window: { t0: number; t1: number }, sources: [string, Client, string][]) => {
      const marks: Mark[] = [];
      for (const [who, client, id] of sources) {
        try {
          marks.push(...marksOf(who, await historyOf(client, id), window.t0 - 50, window.t1 + 50));
        } catch (err) {
          marks.push({ at: window.t0, who, what: `history of ${id} not read: ${err instanceof Error ? err.message : String(err)}` });
        }
      }
      return marks;
    };
    const medianDeposit = runs.find((r) => r.depositMs === median(runs.map((x) => x.depositMs)))!;
    const depositMarks = await collect(medianDeposit.deposit, [
      [`${signer} scanner`, processor, 'scanner-bitcoin'],
      [`${signer} signBatch`, processor, batchWorkflowId('bitcoin', medianDeposit.deposit.batchId)],
      ['coordinator Batch', coordinator, coordinatorBatchWorkflowId('bitcoin', medianDeposit.deposit.batchId)],
    ]);
    console.log(`\n${timeline(`deposit final -> SignedBatch, median run (${medianDeposit.depositMs} ms), from the deposit final on btcd:`, medianDeposit.deposit.t0, depositMarks)}`);
    console.log('activity time in that window:');
    console.log(totals(depositMarks).join('\n'));

    const medianPayout = runs.find((r) => r.payoutMs === median(runs.map((x) => x.payoutMs)))!;
    const planId = medianPayout.payout.planIds[0]!;
    const payoutMarks = await collect(medianPayout.payout, [
      ['Serai chain', coordinator, SERAI_CHAIN_WORKFLOW_ID],
      [`${signer} scanner`, processor, 'scanner-bitcoin'],
      [`${signer} substrateBlock`, processor, seraiBlockWorkflowId('bitcoin', String(medianPayout.payout.seraiBlock))],
      [`${signer} signPlan`, processor, planWorkflowId('bitcoin', planId)],
      ['coordinator plan', coordinator, coordinatorPlanWorkflowId('bitcoin', planId)],
    ]);
    console.log(`\n${timeline(`Serai block -> payout in the mempool, median run (${medianPayout.payoutMs} ms), from the Serai block:`, medianPayout.payout.t0, payoutMarks)}`);
    console.log('activity time in that window:');
    console.log(totals(payoutMarks).join('\n'));
    console.log(`\n(namespaces: validator-${signer}, ${COORDINATOR_NAMESPACE}; timer and poll settings: devnet/devnet.ts DEVNET_PROCESSOR_SETTINGS)`);
  } finally {
    await devnet.stop();
    if (!opts.keep) rmSync(dataDir, { recursive: true, force: true });
    else say(`data kept in ${dataDir}`);
  }
}

main(process.argv).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
