/**
 * The devnet's Serai chain as a Temporal workflow in the coordinator namespace, on a real Temporal
 * dev server with the coordinator's worker (its activities, its workflow bundle). Batches carry
 * real threshold sr25519 signatures. Validators are namespaces without workers: a delivered
 * message is a workflow started or signalled there with it, which the namespace's histories show
 * (whichever workflow ProcessorClient.deliver routes it to). The server suggests
 * continue-as-new after a few dozen events, so the chain crosses several runs during the test.
 */
import { isDeepStrictEqual } from 'node:util';
import { bytesToHex } from '@noble/hashes/utils.js';
import { Client, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { dkgJudge } from '../../../crypto/dkg/key-pair';
import { DEFAULT_PROCESSOR_SETTINGS, ProcessorClient } from '../../../client';
import { createCoordinatorActivities, NoConfirmedSetError } from '../../../devnet/coordinator/activities';
import { COORDINATOR_NAMESPACE, COORDINATOR_TASK_QUEUE, coordinatorBatchStatusQuery, coordinatorBatchWorkflowId, type ConfirmedSet, type CoordinateBatchResult } from '../../../devnet/coordinator/defs';
import { NoCoordinatorWorkflowError, TemporalCoordinatorLink } from '../../../temporal/coordinator-link';
import { seraiChain } from '../../../devnet/coordinator/serai-chain';
import {
  SERAI_CHAIN_WORKFLOW_ID,
  seraiBurnUpdate,
  seraiPublishBatchSignal,
  seraiSetKeysUpdate,
  seraiStatusQuery,
  type SeraiChainStatus,
} from '../../../devnet/coordinator/serai-defs';
import { coordinatorWorkflowsPath } from '../../../devnet/coordinator/worker';
import { ensureNamespace, validatorNamespace } from '../../../devnet/namespaces';
import { toolPath } from '../../../nodes/tools';
import { processorMessageIntent, type Batch, type CoordinatorMessage, type ProcessorMessage, type SignedBatch } from '../../../messages';
import { createDataConverter } from '../../../temporal/data-converter';
import { collectPayloads } from '../../support/history';
import { testKeyring } from '../../support/temporal';
import { batchOf, hex32, signBatch, thresholdSet, transfer } from '../../unit/serai/support';

jest.setTimeout(240_000);

const VALIDATORS = ['alice', 'bob', 'carol'];
const SET = thresholdSet(2, 3);
const OUTSIDER = thresholdSet(2, 3);
const ACCOUNT_A = hex32(0xa1);
const ACCOUNT_B = hex32(0xb2);
const BTC_ADDRESS = '0014' + '77'.repeat(20);
// Low enough that a few blocks fill a run's history: the chain continues as new several times.
const SUGGEST_CONTINUE_AS_NEW_AT = 80;

const keyring = testKeyring();
const dataConverter = createDataConverter(keyring);
let env: TestWorkflowEnvironment;
let coordinator: Client;
let worker: Worker;
let workerRun: Promise<void>;
let chain: WorkflowHandle<typeof seraiChain>;
let firstRunId: string;
const processors = new Map<string, ProcessorClient>();

const processor = (validator: string) => {
  let client = processors.get(validator);
  if (!client) {
    const namespace = validatorNamespace(validator);
    client = new ProcessorClient(new Client({ connection: env.connection, namespace, dataConverter }), { validator, network: 'bitcoin', namespace }, DEFAULT_PROCESSOR_SETTINGS);
    processors.set(validator, client);
  }
  return client;
};

const confirmedSet = async (network: string): Promise<ConfirmedSet> => {
  if (network !== 'bitcoin') throw new NoConfirmedSetError(`no completed key generation for ${network}`);
  return { session: 0, t: SET.t, substrateKey: SET.keyPair.substrate_key, members: VALIDATORS.map((name, k) => ({ name, first: k + 1, weight: 1 })) };
};

async function startEnv(): Promise<TestWorkflowEnvironment> {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Installed already by another test file in this process.
  }
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'existing-path', path: toolPath('temporal') },
          ip: '127.0.0.1',
          log: { format: 'pretty', level: 'error' },
          extraArgs: ['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_CONTINUE_AS_NEW_AT}`],
        },
        client: { dataConverter },
      });
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`Temporal dev server did not start: ${String(lastError)}`);
}

const status = () => chain.query(seraiStatusQuery);

async function statusWhen(what: string, predicate: (s: SeraiChainStatus) => boolean, timeoutMs = 60_000): Promise<SeraiChainStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: SeraiChainStatus | undefined;
  while (Date.now() < deadline) {
    last = await status();
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}`);
}

/** The update's refusal: its ApplicationFailure type (the SeraiChainError's name). */
async function refusalOf(update: Promise<unknown>): Promise<string | undefined> {
  const error = await update.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).nonRetryable).toBe(true);
  return (cause as ApplicationFailure).type ?? undefined;
}

/** Every object of `kind` inside `value`. */
function messagesOf(value: unknown, kind: string): unknown[] {
  if (typeof value !== 'object' || value === null) return [];
  if ((value as { kind?: unknown }).kind === kind) return [value];
  return Object.values(value).flatMap((child) => messagesOf(child, kind));
}

/** The `kind` messages that reached a validator's namespace: in any workflow's start input or signals. */
async function receivedIn(validator: string, kind: string): Promise<{ workflowId: string; message: unknown }[]> {
  const client = processor(validator).client;
  const codec = dataConverter.payloadCodecs![0]!;
  const found: { workflowId: string; message: unknown }[] = [];
  for await (const execution of client.workflow.list()) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    for (const payload of await codec.decode(collectPayloads(history))) {
      const value: unknown = defaultPayloadConverter.fromPayload(payload);
      for (const message of messagesOf(value, kind)) found.push({ workflowId: execution.workflowId, message });
    }
  }
  return found;
}

/** Every validator's namespace received `message` (a workflow was started or signalled with it). */
async function expectDeliveredToAll(message: CoordinatorMessage): Promise<void> {
  for (const validator of VALIDATORS) {
    const deadline = Date.now() + 30_000;
    let received = await receivedIn(validator, message.kind);
    while (!received.some((r) => isDeepStrictEqual(r.message, message)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      received = await receivedIn(validator, message.kind);
    }
    expect(received.map((r) => r.message)).toContainEqual(message);
  }
}

function sendFrom(link: TemporalCoordinatorLink, from: string, message: ProcessorMessage): Promise<void> {
  return link.send({ from, network: 'bitcoin', intent: processorMessageIntent(message), message });
}

/**
 * Runs coordinateBatch for `batch` with the processors' side played by this test: their Batch
 * workflows exist (no worker runs them, the coordinator's relays signal them), their replies come
 * through the coordinator link, and the SignedBatch is a real threshold signature of the set.
 */
async function coordinateBatchAsProcessors(batch: Batch): Promise<{ result: CoordinateBatchResult; signed: SignedBatch }> {
  const link = new TemporalCoordinatorLink(coordinator);
  for (const validator of VALIDATORS) await processor(validator).startBatch(batch);
  const id = { session: 0, id: { kind: 'Batch' as const, id: batch.id }, attempt: 0 };
  for (const [k, validator] of VALIDATORS.entries()) {
    await sendFrom(link, validator, { kind: 'substrate.Batch', batch });
    await sendFrom(link, validator, { kind: 'coordinator.BatchPreprocess', id, block: batch.block, preprocesses: [bytesToHex(new Uint8Array(64).fill(k + 1))] });
  }
  // The coordinator relays among the first t members; their shares and the signature follow.
  for (const [k, validator] of VALIDATORS.slice(0, SET.t).entries()) {
    await sendFrom(link, validator, { kind: 'coordinator.SubstrateShare', id, shares: [bytesToHex(new Uint8Array(32).fill(k + 1))] });
  }
  const signed = signBatch(SET, batch);
  await sendFrom(link, 'alice', { kind: 'substrate.SignedBatch', batch: signed });
  const result = (await coordinator.workflow.getHandle(coordinatorBatchWorkflowId('bitcoin', batch.id)).result()) as CoordinateBatchResult;
  return { result, signed };
}

beforeAll(async () => {
  env = await startEnv();
  await ensureNamespace(env.connection, COORDINATOR_NAMESPACE);
  for (const validator of VALIDATORS) await ensureNamespace(env.connection, validatorNamespace(validator));
  coordinator = new Client({ connection: env.connection, namespace: COORDINATOR_NAMESPACE, dataConverter });
  // The coordinator worker as createCoordinatorWorker builds it, with the members source injected.
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: COORDINATOR_NAMESPACE,
    taskQueue: COORDINATOR_TASK_QUEUE,
    workflowsPath: coordinatorWorkflowsPath,
    activities: createCoordinatorActivities({ processor, judge: dkgJudge, coordinator, members: confirmedSet }),
    dataConverter,
    // Every workflow task replays the run's history from the start: nondeterminism fails the test.
    maxCachedWorkflows: 0,
  });
  workerRun = worker.run();
});

afterAll(async () => {
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  await env?.teardown();
});

test('an acknowledgement for a chain that is not running is refused with NoCoordinatorWorkflowError', async () => {
  const link = new TemporalCoordinatorLink(coordinator);
  await expect(sendFrom(link, 'alice', { kind: 'coordinator.SubstrateBlockAck', block: '1', plans: [] })).rejects.toBeInstanceOf(NoCoordinatorWorkflowError);
});

test('without a running chain, coordinateBatch keeps the SignedBatch it verified and keeps trying to publish it', async () => {
  const batch = batchOf('bitcoin', 77, [transfer(ACCOUNT_A, 1n)]);
  const running = coordinateBatchAsProcessors(batch);
  const handle = coordinator.workflow.getHandle(coordinatorBatchWorkflowId('bitcoin', batch.id));
  // Verified and signed, but not dropped: the workflow goes on trying to hand it to the chain.
  // The processors' first message starts the workflow; until then it is not found.
  const stage = () => handle.query(coordinatorBatchStatusQuery).then((status) => status.stage, () => undefined);
  try {
    for (let waited = 0; (await stage()) !== 'signed'; waited += 100) {
      if (waited > 30_000) throw new Error('coordinateBatch never verified the SignedBatch');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const history = await handle.fetchHistory();
    const retries = (history.events ?? []).filter((event) => event.timerStartedEventAttributes).length;
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(retries).toBeGreaterThanOrEqual(1);
  } finally {
    // This test's Batch is not for the chain the next tests start: it is withdrawn here.
    await handle.cancel();
    await running.catch(() => undefined);
  }
  expect((await handle.describe()).status.name).toBe('CANCELLED');
});

test('keys are set once (a retried call is answered, not refused), reach every member in block 1; bad key requests are refused', async () => {
  chain = await coordinator.workflow.start(seraiChain, {
    workflowId: SERAI_CHAIN_WORKFLOW_ID,
    taskQueue: COORDINATOR_TASK_QUEUE,
    args: [{ settings: { blockTime: '1 second' } }],
  });
  firstRunId = (await chain.describe()).runId;
  const request = { network: 'bitcoin' as const, session: 0, keyPair: SET.keyPair };
  expect(await chain.executeUpdate(seraiSetKeysUpdate, { args: [request] })).toEqual({ network: 'bitcoin', session: 0, block: 1, alreadySet: false });
  expect(await chain.executeUpdate(seraiSetKeysUpdate, { args: [request] })).toEqual({ network: 'bitcoin', session: 0, block: 1, alreadySet: true });
  expect(await refusalOf(chain.executeUpdate(seraiSetKeysUpdate, { args: [{ ...request, keyPair: OUTSIDER.keyPair }] }))).toBe('SessionOrderError');
  expect(await refusalOf(chain.executeUpdate(seraiSetKeysUpdate, { args: [{ ...request, session: -1 }] }))).toBe('MalformedInputError');

  const s = await statusWhen('block 1', (st) => st.height >= 1);
  expect(s.height).toBe(1);
  expect(s.blocks).toEqual([expect.objectContaining({ number: 1, burns: 0, batches: {} })]);
  // The refusals left the chain's keys as the first request set them: a Batch signed by SET is accepted later.
  await expectDeliveredToAll({
    kind: 'substrate.ConfirmKeyPair',
    context: { serai_time: s.blocks[0]!.time, network_latest_finalized_block: '00'.repeat(32) },
    session: 0,
    key_pair: SET.keyPair,
  });
});

test('block 1 is one block: replayed under a workflow clock a second off, the chain schedules exactly the delivery it recorded', async () => {
  // The chain replays its history on every task of this worker and every query. The block's time
  // must come from the history, not from the start time of the task that rebuilds the block: once
  // (under load) a query's replay rebuilt block 1 a second earlier than the block delivered.
  const history = await coordinator.workflow.getHandle(SERAI_CHAIN_WORKFLOW_ID, firstRunId).fetchHistory();
  const codec = dataConverter.payloadCodecs![0]!;
  const recorded: unknown[][] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'deliverSeraiMessages') continue;
    const payloads = await codec.decode(scheduled.input?.payloads ?? []);
    recorded.push(payloads.map((payload) => defaultPayloadConverter.fromPayload(payload)));
  }
  expect(recorded).toEqual([['bitcoin', [expect.objectContaining({ kind: 'substrate.ConfirmKeyPair', session: 0 })]]]);

  const EventType = temporal.api.enums.v1.EventType;
  for (const event of history.events ?? []) {
    if (event.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED || !event.eventTime?.seconds) continue;
    event.eventTime = { seconds: event.eventTime.seconds.subtract(1), nanos: event.eventTime.nanos ?? 0 };
  }
  const replayed: unknown[][] = [];
  await Worker.runReplayHistory(
    {
      workflowsPath: coordinatorWorkflowsPath,
      interceptors: { workflowModules: [require.resolve('./scheduled-activities-probe')] },
      sinks: {
        scheduled: {
          activity: { fn: (_info: unknown, activityType: string, args: unknown[]) => void (activityType === 'deliverSeraiMessages' && replayed.push(args)), callDuringReplay: true },
        },
      },
      dataConverter,
    },
    history,
    SERAI_CHAIN_WORKFLOW_ID,
  );
  expect(replayed).toEqual(recorded);
});

let batch0: SignedBatch;
let batch0Block: number;

test('a validly signed Batch mints once: published twice before and once after inclusion, it is included once', async () => {
  batch0 = signBatch(SET, batchOf('bitcoin', 0, [transfer(ACCOUNT_A, 5000n), transfer(ACCOUNT_B, 700n)]));
  await chain.signal(seraiPublishBatchSignal, batch0);
  await chain.signal(seraiPublishBatchSignal, batch0);
  const s = await statusWhen('batch 0', (st) => st.batches.bitcoin.length === 1);
  batch0Block = s.batches.bitcoin[0]!.seraiBlock;
  expect(s.batches.bitcoin).toEqual([{ id: 0, seraiBlock: batch0Block, externalBlock: batch0.batch.block, failures: [] }]);
  expect(s.blocks.find((b) => b.number === batch0Block)?.batches).toEqual({ bitcoin: [0] });

  await chain.signal(seraiPublishBatchSignal, batch0);
  const after = await statusWhen('the duplicate to be recorded', (st) => st.duplicates.length === 1);
  expect(after.duplicates).toEqual([{ network: 'bitcoin', id: 0, signature: batch0.signature }]);
  expect(after.balances).toEqual({ [ACCOUNT_A]: { bitcoin: '5000' }, [ACCOUNT_B]: { bitcoin: '700' } });
  expect(after.coins.bitcoin).toEqual({ minted: '5700', burned: '0', supply: '5700', balances: '5700', unminted: '0' });
  expect(after.batches.bitcoin).toHaveLength(1);
  expect(after.mempool).toBe(0);

  await expectDeliveredToAll({
    kind: 'substrate.SubstrateBlock',
    context: { serai_time: after.blocks.find((b) => b.number === batch0Block)!.time, network_latest_finalized_block: batch0.batch.block },
    block: String(batch0Block),
    burns: [],
    batches: [0],
  });
});

test('a Batch with a bad signature is rejected and mints nothing; a later id waits for the ids before it', async () => {
  const forged = signBatch(OUTSIDER, batchOf('bitcoin', 1, [transfer(ACCOUNT_A, 1_000_000n)]));
  await chain.signal(seraiPublishBatchSignal, forged);
  const s = await statusWhen('the forged batch to be rejected', (st) => st.rejected.some((r) => r.what === 'bitcoin batch 1'));
  expect(s.rejected).toEqual([expect.objectContaining({ what: 'bitcoin batch 1', error: 'InvalidBatchSignatureError' })]);
  expect(s.coins.bitcoin.minted).toBe('5700');
  expect(s.batches.bitcoin).toHaveLength(1);
  expect(s.mempool).toBe(0);

  const batch2 = signBatch(SET, batchOf('bitcoin', 2, [transfer(ACCOUNT_B, 300n)]));
  await chain.signal(seraiPublishBatchSignal, batch2);
  await new Promise((r) => setTimeout(r, 2500)); // more than a block time: batch 2 must still wait
  const waiting = await status();
  expect(waiting.mempool).toBe(1);
  expect(waiting.batches.bitcoin).toHaveLength(1);

  await chain.signal(seraiPublishBatchSignal, signBatch(SET, batchOf('bitcoin', 1, [transfer(ACCOUNT_A, 40n)])));
  const both = await statusWhen('batches 1 and 2', (st) => st.batches.bitcoin.length === 3);
  const [, one, two] = both.batches.bitcoin;
  expect(two!.seraiBlock).toBe(one!.seraiBlock + 1); // one Batch per network per block, in id order
  expect(both.balances).toEqual({ [ACCOUNT_A]: { bitcoin: '5040' }, [ACCOUNT_B]: { bitcoin: '1000' } });
  expect(both.coins.bitcoin).toMatchObject({ minted: '6040', supply: '6040', balances: '6040' });
  expect(both.mempool).toBe(0);
});

test('burning more than the balance fails with InsufficientBalanceError and changes nothing', async () => {
  const before = await status();
  const refused = chain.executeUpdate(seraiBurnUpdate, { args: [{ from: ACCOUNT_B, coin: 'bitcoin', amount: '1001', address: BTC_ADDRESS }] });
  expect(await refusalOf(refused)).toBe('InsufficientBalanceError');
  expect(await refusalOf(chain.executeUpdate(seraiBurnUpdate, { args: [{ from: ACCOUNT_B, coin: 'bitcoin', amount: '0', address: BTC_ADDRESS }] }))).toBe(
    'MalformedInputError',
  );
  const after = await status();
  expect(after.balances).toEqual(before.balances);
  expect(after.coins).toEqual(before.coins);
  expect(after.pendingBurns).toBe(0);
  expect(after.height).toBe(before.height);
});

let burnBlock: number;

test("a valid burn is debited at once and reaches every member in the next block's SubstrateBlock", async () => {
  const height = (await status()).height;
  const result = await chain.executeUpdate(seraiBurnUpdate, { args: [{ from: ACCOUNT_A, coin: 'bitcoin', amount: '1234', address: BTC_ADDRESS, data: null }] });
  const burn = { instruction: { address: BTC_ADDRESS, data: null }, balance: { coin: 'bitcoin' as const, amount: '1234' } };
  expect(result).toEqual({ burn, network: 'bitcoin', block: height + 1 });
  burnBlock = result.block;

  const s = await statusWhen(`block ${burnBlock}`, (st) => st.height >= burnBlock);
  expect(s.blocks.find((b) => b.number === burnBlock)).toMatchObject({ burns: 1, batches: {} });
  expect(s.balances).toEqual({ [ACCOUNT_A]: { bitcoin: '3806' }, [ACCOUNT_B]: { bitcoin: '1000' } });
  expect(s.coins.bitcoin).toEqual({ minted: '6040', burned: '1234', supply: '4806', balances: '4806', unminted: '0' });
  const lastBatch = s.batches.bitcoin[s.batches.bitcoin.length - 1]!;
  await expectDeliveredToAll({
    kind: 'substrate.SubstrateBlock',
    context: { serai_time: s.blocks.find((b) => b.number === burnBlock)!.time, network_latest_finalized_block: batchOf('bitcoin', lastBatch.id, []).block },
    block: String(burnBlock),
    burns: [burn],
    batches: [],
  });
});

test('processors acknowledge blocks through the link; acks are recorded per block and validator, bad ones rejected', async () => {
  const link = new TemporalCoordinatorLink(coordinator);
  const plan = { session: 0, id: bytesToHex(new Uint8Array(32).fill(0x5a)) };
  await sendFrom(link, 'alice', { kind: 'coordinator.SubstrateBlockAck', block: String(burnBlock), plans: [plan] });
  await sendFrom(link, 'bob', { kind: 'coordinator.SubstrateBlockAck', block: String(burnBlock), plans: [plan] });
  await sendFrom(link, 'carol', { kind: 'coordinator.SubstrateBlockAck', block: String(batch0Block), plans: [] });
  await sendFrom(link, 'carol', { kind: 'coordinator.SubstrateBlockAck', block: '1', plans: [] }); // block 1 only set keys
  await sendFrom(link, 'carol', { kind: 'coordinator.SubstrateBlockAck', block: '999', plans: [] });
  await chain.signal('processorMessage', { from: 'mallory', network: 'bitcoin', intent: 'x', message: { kind: 'coordinator.SubstrateBlockAck', block: '-1', plans: [] } });

  const s = await statusWhen('the acks', (st) => st.rejected.length >= 4 && st.acks[String(burnBlock)] !== undefined && st.acks[String(batch0Block)] !== undefined);
  expect(s.acks[String(burnBlock)]).toEqual({ bitcoin: { alice: [plan.id], bob: [plan.id] } });
  expect(s.acks[String(batch0Block)]).toEqual({ bitcoin: { carol: [] } });
  expect(s.rejected.slice(1)).toEqual([
    expect.objectContaining({ what: 'carol: ack of block 1', error: 'MessageValidationError' }),
    expect.objectContaining({ what: 'carol: ack of block 999', error: 'MessageValidationError' }),
    expect.objectContaining({ what: 'mallory: processor message', error: 'MessageValidationError' }),
  ]);
});

test("coordinateBatch publishes the SignedBatch it verified to the chain, which includes it", async () => {
  const nextId = (await status()).batches.bitcoin.length;
  const batch = batchOf('bitcoin', nextId, [transfer(ACCOUNT_B, 99n)]);
  const { result, signed } = await coordinateBatchAsProcessors(batch);
  expect(result.signedBatch).toEqual(signed);
  const s = await statusWhen(`batch ${nextId}`, (st) => st.batches.bitcoin.length === nextId + 1);
  expect(s.batches.bitcoin[nextId]).toMatchObject({ id: nextId, externalBlock: batch.block, failures: [] });
  expect(s.balances[ACCOUNT_B]).toEqual({ bitcoin: '1099' });
  expect(s.coins.bitcoin).toMatchObject({ minted: '6139', burned: '1234', supply: '4905', balances: '4905' });
});

test('the chain continues as new with its state, mempool records and acks', async () => {
  const before = await status();
  const runBefore = (await chain.describe()).runId;
  expect(runBefore).not.toBe(firstRunId); // it already continued as new during the tests above
  // Blocks fill the run's history until the server suggests continuing as new once more.
  let runAfter = runBefore;
  for (let k = 0; k < 20 && runAfter === runBefore; k++) {
    const { block } = await chain.executeUpdate(seraiBurnUpdate, { args: [{ from: ACCOUNT_A, coin: 'bitcoin', amount: '1', address: BTC_ADDRESS }] });
    await statusWhen(`block ${block}`, (st) => st.height >= block);
    runAfter = (await chain.describe()).runId;
  }
  expect(runAfter).not.toBe(runBefore);
  const after = await status();
  const burned = BigInt(after.coins.bitcoin.burned) - BigInt(before.coins.bitcoin.burned);
  expect(burned).toBeGreaterThan(0n);
  expect(after.balances[ACCOUNT_A]).toEqual({ bitcoin: String(BigInt(before.balances[ACCOUNT_A]!.bitcoin!) - burned) });
  expect(after.coins.bitcoin.supply).toBe(after.coins.bitcoin.balances);
  expect(after.batches).toEqual(before.batches);
  expect(after.blocks.map((b) => b.number)).toEqual(Array.from({ length: after.height }, (_, k) => k + 1).slice(-64));
  expect(after.duplicates).toEqual(before.duplicates);
  expect(after.rejected).toEqual(before.rejected);
  expect(after.acks[String(burnBlock)]).toEqual(before.acks[String(burnBlock)]);
  expect(after.deliveryFailures).toEqual([]);
});
