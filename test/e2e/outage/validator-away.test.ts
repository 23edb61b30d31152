/**
 * A validator away for a whole payout: on a live devnet of three validators at 2-of-3, bob's worker
 * is SIGKILLed before a burn and stays down while alice and carol sign, publish and confirm its
 * payout. When bob comes back he applies the burn's Serai block late and starts the plan after
 * everyone else finished it: nobody is left to sign with and the coordinator's Completed went out
 * before his plan existed. His plan finds its own transaction final on chain and completes
 * (`completedBy: 'chain'`) without publishing anything; the burn is paid exactly once.
 */
import { DEVNET_PROCESSOR_SETTINGS, type Devnet } from '../../../devnet/devnet';
import type { ExitStatus } from '../../../nodes/process';
import type { PlanOutcome } from '../../../workflows/plan-defs';
import type { SeraiBlockOutcome } from '../../../workflows/scanner-defs';
import { activityEvents, depositAndMint, firstPlanOfSeraiBlock, paidTo, randomAddress, startOutageDevnet, stepLogger, until, workflowsEndedBadly } from './outage-support';

jest.setTimeout(900_000);

const log = stepLogger();
let devnet: Devnet;
let cleanup: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ devnet, cleanup } = await startOutageDevnet('outage-away-', log));
});

afterAll(async () => {
  await cleanup?.();
});

async function planOutcomeAt(name: string, planId: string, limitMs: number): Promise<PlanOutcome> {
  return until(`plan ${planId} completed at ${name}`, async () => {
    const handle = devnet.net.set.processor(name).client.workflow.getHandle(`plan-bitcoin-${planId}`);
    return (await handle.describe()).status.name === 'COMPLETED' ? ((await handle.result()) as PlanOutcome) : undefined;
  }, limitMs, 500);
}

test("a validator down for a whole payout starts its plan after the others completed it and completes it from the chain; the burn is paid once", async () => {
  await devnet.generateKeys();
  const fromHeight = await devnet.btcd.rpc.getBlockCount();
  const { holder } = await depositAndMint(devnet, 50_000_000n, log);
  const confirmations = (devnet.options.processorSettings ?? DEVNET_PROCESSOR_SETTINGS).plan.confirmations;

  const bob = devnet.net.set.get('bob').workers[0]!;
  devnet.net.set.kill('bob');
  const exit: ExitStatus = await bob.exited;
  expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
  const killedAt = Date.now();
  log(`SIGKILLed bob's worker (pid ${bob.pid})`);

  const payee = randomAddress();
  const burned = await devnet.burn(holder, 20_000_000n, payee);
  log(`burn of 0.2 sriBTC to ${payee} for Serai block ${burned.block}`);
  const planId = await firstPlanOfSeraiBlock(devnet, burned.block);
  const [alice, carol] = await Promise.all(['alice', 'carol'].map((name) => planOutcomeAt(name, planId, 300_000)));
  expect(alice).toMatchObject({ end: 'completed' });
  expect(carol).toMatchObject({ end: 'completed', txid: alice!.txid });
  const paid = await paidTo(devnet, payee, fromHeight);
  expect(paid).toHaveLength(1);
  expect(paid[0]).toMatchObject({ txid: alice!.txid });
  expect(paid[0]!.where).not.toBe('mempool');
  expect((await devnet.btcd.rpc.getBlockCount()) - (paid[0]!.where as number) + 1).toBeGreaterThanOrEqual(confirmations);
  log(`plan ${planId} completed at alice and carol: ${alice!.txid} in block ${paid[0]!.where}`);

  // Bob was down the whole time: he never started the plan.
  const bobClient = devnet.net.set.processor('bob').client;
  await expect(bobClient.workflow.getHandle(`plan-bitcoin-${planId}`).describe()).rejects.toThrow(/not found/i);
  expect(bob.isRunning).toBe(false);

  const restartedAt = Date.now();
  await devnet.net.set.restart('bob');
  log(`restarted bob's worker ${restartedAt - killedAt} ms after the kill`);
  const outcome = await planOutcomeAt('bob', planId, 300_000);
  log(`bob's plan completed ${Date.now() - restartedAt} ms after the restart: ${JSON.stringify({ ...outcome, rejected: outcome.rejected.length })}`);
  expect(outcome).toMatchObject({ end: 'completed', completedBy: 'chain', txid: alice!.txid });
  expect(((await bobClient.workflow.getHandle(`substrate-bitcoin-${burned.block}`).result()) as SeraiBlockOutcome).plans).toEqual([planId]);

  // Bob's plan found the transaction on chain and published nothing itself.
  const events = await activityEvents(bobClient.workflow.getHandle(`plan-bitcoin-${planId}`));
  expect(events.filter((e) => e.activityType === 'publishTransaction')).toEqual([]);
  expect(events.some((e) => e.activityType === 'planCompletion' && e.event === 'completed')).toBe(true);

  expect(await paidTo(devnet, payee, fromHeight)).toHaveLength(1);
  expect(await workflowsEndedBadly(devnet)).toEqual([]);
});
