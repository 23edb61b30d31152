import { randomBytes, bytesToHex } from '@noble/hashes/utils.js';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { ENCODING_ENCRYPTED } from '../../../temporal/codec';
import { createCodecProbeActivities } from '../../fixtures/codec-probe-activities';
import { codecProbe, codecProbeFails } from '../../fixtures/codec-probe-workflows';
import { collectPayloads, containsInAnyEncoding, rawHistoryBytes } from '../../support/history';
import { startTemporalTestEnv, type TemporalTestEnv } from '../../support/temporal';

let t: TemporalTestEnv;

beforeAll(async () => {
  t = await startTemporalTestEnv();
});
afterAll(async () => {
  await t?.teardown();
});

async function withWorker<R>(taskQueue: string, fn: () => Promise<R>): Promise<R> {
  const worker = await Worker.create({
    connection: t.env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../fixtures/codec-probe-workflows'),
    activities: createCodecProbeActivities(),
    dataConverter: t.dataConverter,
    maxCachedWorkflows: 0,
  });
  return worker.runUntil(fn);
}

test('a marker passed through a workflow and an activity never reaches history in plaintext', async () => {
  const marker = `marker-secret-${bytesToHex(randomBytes(16))}`;
  const taskQueue = `codec-${bytesToHex(randomBytes(4))}`;
  const handle = await withWorker(taskQueue, async () => {
    const h = await t.env.client.workflow.start(codecProbe, { taskQueue, workflowId: `codec-probe-${taskQueue}`, args: [marker] });
    expect(await h.result()).toBe(`activity saw ${marker}`);
    return h;
  });

  const history = await handle.fetchHistory();
  const payloads = collectPayloads(history);
  // input, activity input x2, activity result, activity failure details, workflow result
  expect(payloads.length).toBeGreaterThanOrEqual(5);
  for (const p of payloads) expect(Buffer.from(p.metadata!.encoding!).toString()).toBe(ENCODING_ENCRYPTED);
  expect(containsInAnyEncoding(rawHistoryBytes(history), marker)).toBe(false);

  // Positive control: the same history, decoded with the codec, does contain the marker, so the
  // search above would have found a plaintext copy.
  const codec = t.dataConverter.payloadCodecs![0]!;
  const decoded = await codec.decode(payloads);
  expect(containsInAnyEncoding(rawHistoryBytes(decoded), marker)).toBe(true);
});

test('failure messages are encrypted too, and still readable through the converter', async () => {
  const marker = `failure-secret-${bytesToHex(randomBytes(16))}`;
  const taskQueue = `codec-fail-${bytesToHex(randomBytes(4))}`;
  const handle = await withWorker(taskQueue, async () => {
    const h = await t.env.client.workflow.start(codecProbeFails, { taskQueue, workflowId: `codec-fail-${taskQueue}`, args: [marker] });
    const err = await h.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause?.message).toBe(`workflow refuses ${marker}`);
    return h;
  });
  const history = await handle.fetchHistory();
  expect(containsInAnyEncoding(rawHistoryBytes(history), marker)).toBe(false);
});
