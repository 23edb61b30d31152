import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { Worker } from '@temporalio/worker';

import { addPayments, createState, receiveOutputs, schedule, type Plan, type SchedulerState } from '../../../scheduler';
import { startTemporalTestEnv, type TemporalTestEnv } from '../../support/temporal';
import { schedulerPayouts } from './scheduler-workflow';
import { config, deposit, hash, outputsToUs, taprootAddress, taprootFees } from '../../unit/scheduler/support';

const workflowsPath = require.resolve('./scheduler-workflow');

let t: TemporalTestEnv;
beforeAll(async () => {
  t = await startTemporalTestEnv();
});
afterAll(async () => {
  await t?.teardown();
});

function startingState(): SchedulerState {
  const state = receiveOutputs(
    createState(config({ maxInputs: 4, maxOutputs: 8 })),
    Array.from({ length: 9 }, (_, i) => deposit(`${i}`, 300_000n + BigInt(i) * 10_000n)),
  );
  return addPayments(
    state,
    Array.from({ length: 100 }, (_, i) => ({
      id: hash(`burn ${i}`),
      address: taprootAddress(`${i}`),
      amount: (20_000n + BigInt(i % 9) * 1_000n).toString(),
    })),
  );
}

/** The same rounds outside any workflow. */
function expected(state: SchedulerState, satPerVbyte: bigint): { state: SchedulerState; plans: Plan[]; runs: number } {
  const plans: Plan[] = [];
  for (let runs = 1; ; runs++) {
    const result = schedule(state, { feeModel: taprootFees(satPerVbyte) });
    plans.push(...result.plans);
    if (result.plans.length === 0) return { state: result.state, plans, runs };
    state = receiveOutputs(result.state, result.plans.flatMap(outputsToUs));
  }
}

test('inside a workflow, across continue-as-new and on replay, the scheduler plans exactly as outside', async () => {
  const taskQueue = `scheduler-${bytesToHex(randomBytes(4))}`;
  const state = startingState();
  const outside = expected(state, 3n);
  expect(outside.runs).toBeGreaterThan(3);
  expect(outside.plans.filter((plan) => plan.kind === 'branch').length).toBeGreaterThan(0);

  const worker = await Worker.create({
    connection: t.env.nativeConnection,
    taskQueue,
    workflowsPath,
    dataConverter: t.dataConverter,
    maxCachedWorkflows: 0,
  });
  const handle = await worker.runUntil(async () => {
    const h = await t.env.client.workflow.start(schedulerPayouts, {
      taskQueue,
      workflowId: `scheduler-${taskQueue}`,
      args: [{ state, satPerVbyte: '3', arrived: [], plans: [], runs: 0 }],
    });
    const inside = await h.result();
    expect(JSON.stringify(inside)).toBe(JSON.stringify(outside));
    return h;
  });

  // The last run's history replays without a determinism error.
  const history = await handle.fetchHistory();
  await expect(
    Worker.runReplayHistory({ workflowsPath, dataConverter: t.dataConverter }, history, handle.workflowId),
  ).resolves.toBeUndefined();
});
