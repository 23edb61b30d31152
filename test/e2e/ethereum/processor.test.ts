/**
 * Ethereum through the processor's real workflows (no Ethereum code in any workflow): three
 * validators on a Temporal dev server, each with the Ethereum adapter over one anvil, and the devnet
 * coordinator relaying. Key generation; the key's Router deployed through the keyless Deployer by a
 * validator's relayer and found by all; the activation Batch; the first Serai block's plan confirms
 * the key (Router nonce 1); a deposit of ETH and one of the ERC20 are signed into a Batch; a Serai
 * block's burns of both coins become `execute` batches at nonces 2 and 3, published by a relayer
 * and completed at every validator; every payee paid once, in the Router's events and balances.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Contract, Wallet, type JsonRpcProvider } from 'ethers';
import { createActivities } from '../../../activities';
import { ProcessorClient } from '../../../client';
import { processorTaskQueue } from '../../../config/worker-config';
import { compileDeployer } from '../../../contracts/router-artifacts';
import { COORDINATOR_NAMESPACE, COORDINATOR_TASK_QUEUE, coordinatorBatchWorkflowId, coordinatorKeygenWorkflowId, type CoordinateBatchResult } from '../../../devnet/coordinator/defs';
import { coordinateKeygen } from '../../../devnet/coordinator/keygen';
import { seraiChain } from '../../../devnet/coordinator/serai-chain';
import { SERAI_CHAIN_WORKFLOW_ID } from '../../../devnet/coordinator/serai-defs';
import { coordinatorWorkflowsPath, createCoordinatorWorker } from '../../../devnet/coordinator/worker';
import { ensureNamespace, validatorNamespace } from '../../../devnet/namespaces';
import { startTemporalServer, type RunningTemporalServer } from '../../../devnet/temporal-server';
import { batchMessage } from '../../../messages/batch';
import { encodeShorthand } from '../../../messages/shorthand';
import { encodeEthereumAddress } from '../../../networks/ethereum/address';
import { ethereumChain } from '../../../networks/ethereum/adapter';
import { keylessDeployment } from '../../../networks/ethereum/deployer';
import { decodeResults, ETH, routerInterface } from '../../../networks/ethereum/router';
import { eventualityId } from '../../../networks/ethereum/signable';
import { Keystore } from '../../../store';
import { writeWorkflowBundle } from '../../../temporal/bundle';
import { TemporalCoordinatorLink } from '../../../temporal/coordinator-link';
import { createDataConverter } from '../../../temporal/data-converter';
import type { BatchSigningOutcome } from '../../../workflows/batch-defs';
import type { PlanOutcome } from '../../../workflows/plan-defs';
import type { SeraiBlockOutcome } from '../../../workflows/scanner-defs';
import { useAnvil } from '../../support/chains';
import { TEST_PROCESSOR_SETTINGS } from '../../support/keygen-net';
import { compileRouterArtifacts, deployContract, sendAndWait, uncachedProvider } from '../../support/router';
import { installRuntimeOnce, testKeyring } from '../../support/temporal';
import { recordHistory, replayCodecKeys } from '../../support/replay-record';
import { parseKeyring } from '../../../temporal/keyring';

jest.setTimeout(600_000);

const NAMES = ['alice', 'bob', 'carol'];
const NETWORK = 'ethereum' as const;
const CHAIN_ID = 4246;
const ROUNDS = { roundTimeout: '60 seconds', blameTimeout: '30 seconds', maxAttempts: 2 };
const processorWorkflowsPath = require.resolve('../../../workflows');
/** `RECORD_REPLAY_HISTORIES=<label>` records this run's scanner, Serai-block and plan workflows as replay fixtures (`<label>ethereum-…`). */
const RECORD = process.env.RECORD_REPLAY_HISTORIES;

const anvil = useAnvil({ chainId: CHAIN_ID, slotsInAnEpoch: 1 });
let provider: JsonRpcProvider;
let funder: Wallet;
let depositor: Wallet;
let dai: Contract;
let dataDir: string;
let temporal: RunningTemporalServer;
let connection: Connection;
let coordinatorClient: Client;
const closers: Array<() => Promise<void>> = [];
let miner: NodeJS.Timeout | undefined;
const processors = new Map<string, ProcessorClient>();
let recordedPlan = '';

async function until<T>(what: string, check: () => Promise<T | undefined>, limitMs = 240_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const statuses = await Promise.all(NAMES.map((name) => processors.get(name)!.scannerStatus().catch((err: unknown) => String(err))));
      throw new Error(`timed out waiting for ${what}; scanners: ${JSON.stringify(statuses)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function completed<T>(name: string, workflowId: string): Promise<T | undefined> {
  const handle = processors.get(name)!.client.workflow.getHandle(workflowId);
  const status = await handle.describe().then((d) => d.status.name, () => undefined);
  return status === 'COMPLETED' ? ((await handle.result()) as T) : undefined;
}

const signedBy = async (workflowId: string, needed: number) =>
  until(`${workflowId} signed by ${needed}`, async () => {
    const outcomes = await Promise.all(NAMES.map((name) => completed<BatchSigningOutcome>(name, workflowId)));
    return outcomes.filter((o) => o?.end === 'signed').length >= needed ? outcomes : undefined;
  });

const seraiBlock = (block: string, batches: number[], finalized: string, burns: { instruction: { address: string; data: null }; balance: { coin: 'ether' | 'dai'; amount: string } }[] = []) => ({
  kind: 'substrate.SubstrateBlock' as const,
  context: { serai_time: String(Math.floor(Date.now() / 1000)), network_latest_finalized_block: finalized },
  block,
  batches,
  burns,
});

async function planOutcomes(seraiBlockNumber: string): Promise<{ outcome: SeraiBlockOutcome; plans: PlanOutcome[] }> {
  const outcomes = await until(`every processor applied Serai block ${seraiBlockNumber}`, async () => {
    const all = await Promise.all(NAMES.map((name) => completed<SeraiBlockOutcome>(name, `substrate-${NETWORK}-${seraiBlockNumber}`)));
    return all.every((o) => o !== undefined) ? (all as SeraiBlockOutcome[]) : undefined;
  });
  expect(outcomes.map((o) => o.plans)).toEqual(NAMES.map(() => outcomes[0]!.plans));
  const plans: PlanOutcome[] = [];
  for (const id of outcomes[0]!.plans) {
    const each = await until(`plan ${id} completed at every processor`, async () => {
      const all = await Promise.all(NAMES.map((name) => completed<PlanOutcome>(name, `plan-${NETWORK}-${id}`)));
      return all.every((o) => o !== undefined) ? (all as PlanOutcome[]) : undefined;
    });
    expect(each.every((p) => p.end === 'completed')).toBe(true);
    expect(new Set(each.map((p) => p.txid)).size).toBe(1);
    plans.push(each[0]!);
  }
  return { outcome: outcomes[0]!, plans };
}

beforeAll(async () => {
  installRuntimeOnce();
  provider = uncachedProvider(anvil().rpcUrl, CHAIN_ID);
  const wallet = (i: number) => new Wallet(anvil().accounts[i]!.privateKey, provider);
  [funder, depositor] = [wallet(0), wallet(1)];
  // The chain before any validator: the keyless Deployer, and the ERC20 standing in for DAI.
  const deployment = keylessDeployment(compileDeployer().bytecode);
  await sendAndWait(funder, { to: deployment.sender, value: deployment.funding });
  await (await provider.broadcastTransaction(deployment.rawTransaction)).wait();
  dai = await deployContract(compileRouterArtifacts().devnetDai, funder);
  miner = setInterval(() => void provider.send('evm_mine', []).catch(() => undefined), 500);

  dataDir = mkdtempSync(join(tmpdir(), 'ethereum-e2e-'));
  temporal = await startTemporalServer({ dataDir: join(dataDir, 'temporal') });
  closers.push(() => temporal.stop());
  connection = await Connection.connect({ address: temporal.address });
  closers.push(() => connection.close());
  const keyring = RECORD ? parseKeyring(replayCodecKeys(), 'replay codec keys') : testKeyring();
  const dataConverter = createDataConverter(keyring);
  await ensureNamespace(connection, COORDINATOR_NAMESPACE);
  for (const name of NAMES) await ensureNamespace(connection, validatorNamespace(name));
  const [processorBundle, coordinatorBundle] = await Promise.all([
    writeWorkflowBundle(processorWorkflowsPath, join(dataDir, 'processor.js')),
    writeWorkflowBundle(coordinatorWorkflowsPath, join(dataDir, 'coordinator.js')),
  ]);
  const coordinator = await createCoordinatorWorker({
    temporalAddress: temporal.address,
    namespace: COORDINATOR_NAMESPACE,
    network: NETWORK,
    keyring,
    connection,
    workflowBundlePath: coordinatorBundle,
    processorSettings: TEST_PROCESSOR_SETTINGS,
  });
  const coordinatorRun = coordinator.worker.run();
  closers.push(async () => {
    coordinator.worker.shutdown();
    await coordinatorRun;
    await coordinator.close();
  });
  coordinatorClient = new Client({ connection, namespace: COORDINATOR_NAMESPACE, dataConverter });
  await coordinatorClient.workflow.start(seraiChain, { taskQueue: COORDINATOR_TASK_QUEUE, workflowId: SERAI_CHAIN_WORKFLOW_ID, args: [{ settings: { blockTime: '1 hour' } }] });

  for (const [index, name] of NAMES.entries()) {
    const namespace = validatorNamespace(name);
    const keystore = Keystore.open({ path: join(dataDir, `${name}.sqlite`), key: randomBytes(32) });
    // Each validator relays from an account of its own.
    const chain = ethereumChain({ rpcUrl: anvil().rpcUrl, relayerKey: anvil().accounts[2 + index]!.privateKey, daiAddress: await dai.getAddress() });
    const native = await NativeConnection.connect({ address: temporal.address });
    const link = await TemporalCoordinatorLink.connect({ address: temporal.address, namespace: COORDINATOR_NAMESPACE, dataConverter });
    const worker = await Worker.create({
      connection: native,
      namespace,
      taskQueue: processorTaskQueue(name, NETWORK),
      workflowBundle: { codePath: processorBundle },
      activities: createActivities({ validator: name, network: NETWORK, keystore, chain, link: link.link }),
      dataConverter,
    });
    const run = worker.run();
    closers.push(async () => {
      worker.shutdown();
      await run;
      await link.close();
      await native.close();
      keystore.close();
    });
    processors.set(name, new ProcessorClient(new Client({ connection, namespace, dataConverter }), { validator: name, network: NETWORK, namespace }, TEST_PROCESSOR_SETTINGS));
  }
}, 300_000);

afterAll(async () => {
  clearInterval(miner);
  for (const close of closers.reverse()) await close().catch((err: unknown) => console.error('cleanup failed:', err));
  provider?.destroy();
  if (dataDir && !process.env.KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
});

test('ETH and the ERC20 in and out through the real workflows: Batches of the deposits, execute batches of the burns, each payee paid once', async () => {
  const keygen = await coordinatorClient.workflow.execute(coordinateKeygen, {
    taskQueue: COORDINATOR_TASK_QUEUE,
    workflowId: coordinatorKeygenWorkflowId(NETWORK, 0),
    args: [{ network: NETWORK, session: 0, t: 2, validators: NAMES.map((name) => ({ name, weight: 1 })), settings: ROUNDS }],
  });

  // Every scanner finds the same Router (deployed by whichever relayer came first) and activates the key.
  const statuses = await until('every scanner to activate the key', async () => {
    const all = await Promise.all(NAMES.map((name) => processors.get(name)!.scannerStatus().catch(() => undefined)));
    return all.every((s) => s?.activationHeight != null) ? all.map((s) => s!) : undefined;
  });
  const router = statuses[0]!.externalScript!;
  expect(router).toMatch(/^[0-9a-f]{40}$/);
  expect(statuses.map((s) => [s.externalScript, s.activationHeight])).toEqual(NAMES.map(() => [router, statuses[0]!.activationHeight]));
  const routerContract = new Contract(`0x${router}`, routerInterface, provider);
  const px = (await routerContract.getFunction('nextSeraiKey')()) as string;
  expect(px).not.toBe(`0x${'00'.repeat(32)}`);
  expect(await routerContract.getFunction('seraiKey')()).toBe(`0x${'00'.repeat(32)}`);

  await signedBy(`batch-${NETWORK}-0`, 2);
  const block0 = (await coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId(NETWORK, 0)).result()) as CoordinateBatchResult;

  // Serai includes Batch 0: the first plan confirms the key at the Router's nonce 1.
  for (const name of NAMES) await processors.get(name)!.deliver(seraiBlock('1', [0], block0.signedBatch.batch.block));
  const first = await planOutcomes('1');
  expect(first.plans).toHaveLength(1);
  expect(first.plans[0]!.txid).toBe(eventualityId(router, 1));
  expect(await routerContract.getFunction('seraiKey')()).toBe(px);
  expect(await routerContract.getFunction('nextNonce')()).toBe(2n);

  // Deposits: 1.5 ETH, then 40 DAI, each with a Transfer to a Serai account; Serai includes each Batch as it comes.
  const account = bytesToHex(randomBytes(32));
  const instruction = `0x${bytesToHex(encodeShorthand({ kind: 'Raw', origin: null, instruction: { kind: 'Transfer', address: account } }))}`;
  const daiAsDepositor = dai.connect(depositor) as Contract;
  await (await daiAsDepositor.getFunction('mint')(depositor.address, 40n * 10n ** 18n)).wait();
  await (await daiAsDepositor.getFunction('approve')(`0x${router}`, 40n * 10n ** 18n)).wait();
  const deposits = [
    () => sendAndWait(depositor, { to: `0x${router}`, value: 15n * 10n ** 17n, data: routerInterface.encodeFunctionData('inInstruction', [ETH, 15n * 10n ** 17n, instruction]) }),
    async () => sendAndWait(depositor, { to: `0x${router}`, data: routerInterface.encodeFunctionData('inInstruction', [await dai.getAddress(), 40n * 10n ** 18n, instruction]) }),
  ];
  const credited: CoordinateBatchResult[] = [];
  for (const [index, deposit] of deposits.entries()) {
    await deposit();
    const id = index + 1;
    await signedBy(`batch-${NETWORK}-${id}`, 2);
    const result = (await coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId(NETWORK, id)).result()) as CoordinateBatchResult;
    credited.push(result);
    if (index === 0) for (const name of NAMES) await processors.get(name)!.deliver(seraiBlock('2', [id], result.signedBatch.batch.block));
  }
  expect(credited.map((r) => r.signedBatch.batch.instructions)).toEqual([
    [{ instruction: { kind: 'Transfer', address: account }, balance: { coin: 'ether', amount: '150000000' } }],
    [{ instruction: { kind: 'Transfer', address: account }, balance: { coin: 'dai', amount: '4000000000' } }],
  ]);
  for (const { signedBatch } of credited) {
    expect(signedBatch.batch.network).toBe(NETWORK);
    expect(sr25519.verify(batchMessage(signedBatch.batch), hexToBytes(signedBatch.signature), hexToBytes(keygen.keyPair.substrateKey))).toBe(true);
  }
  expect((await planOutcomes('2')).plans).toEqual([]);

  // Serai includes the DAI Batch and burns 0.5 ETH and 10 DAI to two payees.
  const [ethPayee, daiPayee] = [Wallet.createRandom().address, Wallet.createRandom().address];
  const burn = (to: string, coin: 'ether' | 'dai', amount: string) => ({ instruction: { address: bytesToHex(encodeEthereumAddress(to)), data: null }, balance: { coin, amount } });
  const last = credited[1]!.signedBatch;
  for (const name of NAMES) {
    await processors.get(name)!.deliver(seraiBlock('3', [last.batch.id], last.batch.block, [burn(ethPayee, 'ether', '50000000'), burn(daiPayee, 'dai', '1000000000')]));
  }
  const third = await planOutcomes('3');
  recordedPlan = third.outcome.plans[0]!;
  expect(third.outcome.unpayable).toEqual([]);
  expect(third.plans.map((p) => p.txid)).toEqual([eventualityId(router, 2), eventualityId(router, 3)]);

  // One Executed per nonce, each of one paid out; what a payee got plus the relayer's fee is exactly its burn.
  const executed = await provider.getLogs({ address: `0x${router}`, topics: [routerInterface.getEvent('Executed')!.topicHash], fromBlock: 0 });
  expect(executed.map((log) => Number(BigInt(log.topics[1]!)))).toEqual([2, 3]);
  const paidTo = new Map<string, bigint>();
  for (const log of executed) {
    const event = routerInterface.parseLog(log)!;
    expect(decodeResults(event.args.resultsLength as bigint, hexToBytes((event.args.results as string).slice(2)))).toEqual([true]);
    const call = routerInterface.parseTransaction({ data: (await provider.getTransaction(log.transactionHash))!.data })!;
    const [outs, fee] = [call.args.outs as { to: string; amount: bigint }[], call.args.fee as bigint];
    expect(outs).toHaveLength(1);
    paidTo.set(outs[0]!.to, outs[0]!.amount + fee);
    const balance = outs[0]!.to === ethPayee ? await provider.getBalance(ethPayee) : ((await dai.getFunction('balanceOf')(outs[0]!.to)) as bigint);
    expect(balance).toBe(outs[0]!.amount);
  }
  expect(paidTo).toEqual(new Map([
    [ethPayee, 5n * 10n ** 17n],
    [daiPayee, 10n * 10n ** 18n],
  ]));
});

(RECORD ? test : test.skip)('record replay fixtures of the Ethereum scanner, Serai-block and plan workflows', () => {
  const alice = validatorNamespace('alice');
  const written = [
    recordHistory(temporal.address, alice, `scanner-${NETWORK}`, `${RECORD}ethereum-scanner`, 'richest'),
    recordHistory(temporal.address, alice, `substrate-${NETWORK}-3`, `${RECORD}ethereum-substrateBlock`),
    recordHistory(temporal.address, alice, `plan-${NETWORK}-${recordedPlan}`, `${RECORD}ethereum-signPlan`),
  ];
  console.log(`recorded ${written.join(', ')}`);
});
