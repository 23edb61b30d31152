/**
 * Ethereum validators' workers (each its own OS process, its own relayer account) SIGKILLed and
 * restarted during Router signing and right after an `execute` was published: the key's
 * confirmation and the batch each run once at their nonce, every plan completes at every
 * validator, and the payee is paid once, exactly its burn less the relayer's fee.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { Wallet } from 'ethers';
import { coordinatorBatchWorkflowId, type CoordinateBatchResult } from '../../../devnet/coordinator/defs';
import { KeygenNetwork } from '../../../devnet/keygen-network';
import { ensureCodecKeysFile } from '../../../devnet/secrets';
import { startTemporalServer } from '../../../devnet/temporal-server';
import { routerInterface } from '../../../networks/ethereum/router';
import { eventualityId } from '../../../networks/ethereum/signable';
import type { PlanOutcome } from '../../../workflows/plan-defs';
import type { SeraiBlockOutcome } from '../../../workflows/scanner-defs';
import { useAnvil } from '../../support/chains';
import { depositEth, ethereumBurn, prepareEthereumChain, seraiBlockOf, transferInstruction, type EthereumTestChain } from '../../support/ethereum';
import { TEST_PROCESSOR_SETTINGS } from '../../support/keygen-net';

jest.setTimeout(900_000);

const NAMES = ['alice', 'bob', 'carol'];
const NETWORK = 'ethereum' as const;
const ROUNDS = { roundTimeout: '60 seconds', blameTimeout: '30 seconds', maxAttempts: 2 };
const anvil = useAnvil({ chainId: 4247, slotsInAnEpoch: 1 });
let chain: EthereumTestChain;
let net: KeygenNetwork;
let dataDir: string;
const cleanups: Array<() => Promise<void>> = [];

async function until<T>(what: string, check: () => Promise<T | undefined>, limitMs = 240_000, everyMs = 300): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function workflowOf<T>(name: string, workflowId: string): Promise<{ status: string | undefined; result?: T }> {
  const handle = net.set.processor(name).client.workflow.getHandle(workflowId);
  const status = await handle.describe().then((d) => d.status.name, () => undefined);
  return status === 'COMPLETED' ? { status, result: (await handle.result()) as T } : { status };
}

const completedEverywhere = <T>(workflowId: string) =>
  until(`${workflowId} completed at every validator`, async () => {
    const all = await Promise.all(NAMES.map((name) => workflowOf<T>(name, workflowId)));
    return all.every((w) => w.status === 'COMPLETED') ? all.map((w) => w.result!) : undefined;
  });

const deliverToAll = (message: ReturnType<typeof seraiBlockOf>) => Promise.all(NAMES.map((name) => net.set.processor(name).deliver(message)));

const stageOf = async (workflowId: string) =>
  ((await net.coordinatorClient.workflow.getHandle(workflowId).query('coordinatorPlanStatus').catch(() => undefined)) as { stage: string } | undefined)?.stage ?? '';

/** Kills `victim` the moment `when` holds (polled every 25 ms), checks `killedAt` of the moment, then restarts it. */
async function killAndRestart(victim: string, when: () => Promise<boolean>, what: string, killedAt?: () => Promise<void>): Promise<void> {
  await until(what, async () => ((await when()) ? true : undefined), 120_000, 25);
  net.set.kill(victim);
  console.log(`killed ${victim} ${what}`);
  await killedAt?.();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await net.set.restart(victim);
}

beforeAll(async () => {
  chain = await prepareEthereumChain(anvil());
  dataDir = mkdtempSync(join(tmpdir(), 'ethereum-crash-'));
  cleanups.push(async () => (process.env.KEEP_TEST_DATA ? console.log(`kept ${dataDir}`) : rmSync(dataDir, { recursive: true, force: true })));
  const temporal = await startTemporalServer({ dataDir: join(dataDir, 'temporal') });
  cleanups.push(() => temporal.stop());
  const { path: codecKeysFile, keyring } = ensureCodecKeysFile(dataDir);
  net = await KeygenNetwork.start({
    temporalAddress: temporal.address,
    dataDir,
    keyring,
    codecKeysFile,
    networks: [NETWORK],
    validators: NAMES.map((name, i) => ({ name, weight: 1, relayerKey: chain.accountKey(2 + i) })),
    chains: { ethereumRpcUrl: anvil().rpcUrl, ethereumDaiAddress: chain.daiAddress },
    processorSettings: TEST_PROCESSOR_SETTINGS,
  });
  cleanups.push(() => net.stop());
  await net.startSeraiChain('1 hour');
}, 300_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.error('cleanup failed:', err));
  chain?.stop();
});

test('SIGKILL during the confirmation\'s signing, the batch\'s signing and right after the batch was published: one call per nonce, every plan completed, the payee paid once', async () => {
  await net.generateKey({ network: NETWORK, session: 0, t: 2, settings: ROUNDS });
  const statuses = await until('every scanner to activate the key', async () => {
    const all = await Promise.all(NAMES.map((name) => net.set.processor(name).scannerStatus().catch(() => undefined)));
    return all.every((s) => s?.activationHeight != null) ? all.map((s) => s!) : undefined;
  });
  const router = statuses[0]!.externalScript!;
  const { provider } = chain;
  const nextNonce = async () => BigInt(await provider.call({ to: `0x${router}`, data: routerInterface.encodeFunctionData('nextNonce', []) }));

  const batch = async (id: number) => {
    const handle = net.coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId(NETWORK, id));
    await until(`Batch ${id} signed`, async () => ((await handle.describe().then((d) => d.status.name, () => undefined)) === 'COMPLETED' ? true : undefined));
    return ((await handle.result()) as CoordinateBatchResult).signedBatch.batch;
  };
  const planOf = async (seraiBlock: string) => {
    const applied = await until(`Serai block ${seraiBlock} applied by alice`, async () => (await workflowOf<SeraiBlockOutcome>('alice', `substrate-${NETWORK}-${seraiBlock}`)).result);
    expect(applied.plans).toHaveLength(1);
    return applied.plans[0]!;
  };

  // The key's confirmation (nonce 1): bob dies while it is signed.
  const batch0 = await batch(0);
  await deliverToAll(seraiBlockOf('1', [0], batch0.block));
  const confirm = await planOf('1');
  await killAndRestart('bob', async () => /relaying preprocesses|collecting shares/.test(await stageOf(`coordinator-plan-${NETWORK}-${confirm}`)), 'during the confirmation\'s signing');
  const confirmed = await completedEverywhere<PlanOutcome>(`plan-${NETWORK}-${confirm}`);
  expect(confirmed.map((p) => [p.end, p.txid])).toEqual(NAMES.map(() => ['completed', eventualityId(router, 1)]));

  // A deposit, then a burn of part of it: carol dies while the batch is signed, alice right after it ran.
  await depositEth(chain, router, 10n ** 18n, transferInstruction(bytesToHex(randomBytes(32))));
  const batch1 = await batch(1);
  expect(batch1.instructions.map((i) => i.balance)).toEqual([{ coin: 'ether', amount: '100000000' }]);
  const payee = Wallet.createRandom().address;
  await deliverToAll(seraiBlockOf('2', [1], batch1.block, [ethereumBurn(payee, 'ether', '40000000')]));
  const payout = await planOf('2');
  await killAndRestart('carol', async () => /relaying preprocesses|collecting shares/.test(await stageOf(`coordinator-plan-${NETWORK}-${payout}`)), 'during the batch\'s signing');
  // Killed before its plan could see the call final: alice's plan workflow is still running.
  await killAndRestart('alice', async () => (await nextNonce()) === 3n, 'right after the batch ran on chain', async () => {
    expect((await workflowOf('alice', `plan-${NETWORK}-${payout}`)).status).toBe('RUNNING');
  });
  const paid = await completedEverywhere<PlanOutcome>(`plan-${NETWORK}-${payout}`);
  expect(paid.map((p) => [p.end, p.txid])).toEqual(NAMES.map(() => ['completed', eventualityId(router, 2)]));

  // One call per nonce: the confirmation at 1, the batch at 2, nothing else; the payee paid once.
  const events = await provider.getLogs({ address: `0x${router}`, fromBlock: 0 });
  const signed = events.map((log) => routerInterface.parseLog(log)!).filter((e) => e.name !== 'InInstruction' && e.name !== 'NextSeraiKeySet');
  expect(signed.map((e) => [e.name, Number(e.args.nonce as bigint)])).toEqual([
    ['SeraiKeyUpdated', 1],
    ['Executed', 2],
  ]);
  const executed = events.find((log) => routerInterface.parseLog(log)!.name === 'Executed')!;
  const call = routerInterface.parseTransaction({ data: (await provider.getTransaction(executed.transactionHash))!.data })!;
  const outs = call.args.outs as { to: string; amount: bigint }[];
  expect(outs.map((o) => o.to)).toEqual([payee]);
  expect(await provider.getBalance(payee)).toBe(outs[0]!.amount);
  expect(outs[0]!.amount + (call.args.fee as bigint)).toBe(4n * 10n ** 17n);
  expect(await nextNonce()).toBe(3n);
});
