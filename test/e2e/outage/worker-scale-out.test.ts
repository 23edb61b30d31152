/**
 * A validator that scales out: on a live devnet of three validators at 2-of-3, each runs two worker
 * processes on its task queues with its one keystore. Both of alice's workers poll her queues; while
 * her payout plan is signing, the worker that ran the plan's last workflow task is SIGKILLed. Her
 * other worker takes the plan over (its workflow and activity tasks), the plan completes at every
 * validator with one transaction, and the burn is paid exactly once.
 */
import { temporal } from '@temporalio/proto';
import { type Devnet } from '../../../devnet/devnet';
import type { ExitStatus } from '../../../nodes/process';
import type { PlanOutcome } from '../../../workflows/plan-defs';
import { planStatusQuery } from '../../../workflows/plan-defs';
import { depositAndMint, firstPlanOfSeraiBlock, NAMES, paidTo, PLAN_SIGNING_STAGE, randomAddress, startOutageDevnet, stepLogger, until, workflowsEndedBadly } from './outage-support';

jest.setTimeout(900_000);

const log = stepLogger();
let devnet: Devnet;
let cleanup: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ devnet, cleanup } = await startOutageDevnet('outage-scale-out-', log, { workersPerValidator: 2 }));
});

afterAll(async () => {
  await cleanup?.();
});

/** The identities (`<pid>@<host>`) polling a task queue for workflow and for activity tasks. */
async function pollers(name: string): Promise<{ workflow: string[]; activity: string[] }> {
  const member = devnet.net.set.get(name);
  const describe = async (taskQueueType: temporal.api.enums.v1.TaskQueueType) =>
    (await member.client.client.workflowService.describeTaskQueue({ namespace: member.namespace, taskQueue: { name: `processor-${name}-bitcoin` }, taskQueueType })).pollers?.map((p) => p.identity ?? '') ?? [];
  return {
    workflow: await describe(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
    activity: await describe(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
  };
}

test("two workers per validator both poll its task queues; SIGKILL of the one holding alice's plan mid-signing: her other worker finishes it and the burn is paid once", async () => {
  await devnet.generateKeys();
  for (const name of NAMES) {
    const pids = devnet.net.set.get(name).workers.map((w) => w.pid!);
    expect(pids).toHaveLength(2);
    const polling = await until(`both of ${name}'s workers polling`, async () => {
      const found = await pollers(name);
      const polls = (ids: string[]) => pids.every((pid) => ids.some((id) => id.startsWith(`${pid}@`)));
      return polls(found.workflow) && polls(found.activity) ? found : undefined;
    }, 60_000, 500);
    log(`${name}'s workers ${pids.join(', ')} poll workflow tasks (${polling.workflow.join(', ')}) and activity tasks (${polling.activity.join(', ')})`);
  }

  const fromHeight = await devnet.btcd.rpc.getBlockCount();
  const { holder } = await depositAndMint(devnet, 50_000_000n, log);
  const payee = randomAddress();
  const burned = await devnet.burn(holder, 20_000_000n, payee);
  log(`burn of 0.2 sriBTC to ${payee} for Serai block ${burned.block}`);
  const planId = await firstPlanOfSeraiBlock(devnet, burned.block);

  // The worker that ran alice's plan's latest workflow task, caught while the plan is signing.
  const alice = devnet.net.set.get('alice');
  const plan = alice.client.client.workflow.getHandle(`plan-bitcoin-${planId}`);
  const { stage, holder: holding } = await until(`alice's plan ${planId} signing`, async () => {
    const status = await plan.query(planStatusQuery);
    if (!PLAN_SIGNING_STAGE.test(status.stage)) return undefined;
    const events = (await plan.fetchHistory()).events ?? [];
    const identity = events.filter((e) => e.workflowTaskStartedEventAttributes).at(-1)?.workflowTaskStartedEventAttributes?.identity ?? '';
    const index = alice.workers.findIndex((w) => identity.startsWith(`${w.pid}@`));
    return index >= 0 ? { stage: status.stage, holder: index } : undefined;
  }, 300_000, 50);
  const killed = alice.workers[holding]!;
  const survivor = alice.workers[1 - holding]!;
  devnet.net.set.killWorker('alice', holding);
  const exit: ExitStatus = await killed.exited;
  expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
  log(`SIGKILLed alice's worker ${holding + 1} (pid ${killed.pid}), which held plan ${planId} at "${stage}"`);
  expect(stage).toMatch(PLAN_SIGNING_STAGE);
  expect((await plan.describe()).status.name).toBe('RUNNING');

  const outcomes = await Promise.all(
    NAMES.map((name) =>
      until(`plan ${planId} completed at ${name}`, async () => {
        const handle = devnet.net.set.processor(name).client.workflow.getHandle(`plan-bitcoin-${planId}`);
        return (await handle.describe()).status.name === 'COMPLETED' ? ((await handle.result()) as PlanOutcome) : undefined;
      }, 300_000, 500),
    ),
  );
  for (const outcome of outcomes) expect(outcome).toMatchObject({ end: 'completed', txid: outcomes[0]!.txid });
  // Alice's plan finished on her other worker.
  const lastTask = ((await plan.fetchHistory()).events ?? []).filter((e) => e.workflowTaskStartedEventAttributes).at(-1)?.workflowTaskStartedEventAttributes?.identity ?? '';
  expect(lastTask.startsWith(`${survivor.pid}@`)).toBe(true);
  expect(survivor.isRunning).toBe(true);
  log(`plan ${planId} completed at ${NAMES.join(', ')} with ${outcomes[0]!.txid}; alice's last task on worker ${2 - holding} (pid ${survivor.pid})`);

  const paid = await until('the payout confirmed', async () => {
    const found = await paidTo(devnet, payee, fromHeight);
    return found.length > 0 && found.every((p) => p.where !== 'mempool') ? found : undefined;
  }, 120_000, 500);
  expect(paid).toHaveLength(1);
  expect(paid[0]).toMatchObject({ txid: outcomes[0]!.txid });
  expect(await workflowsEndedBadly(devnet)).toEqual([]);
});
