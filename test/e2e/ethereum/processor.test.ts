/**
 * Ethereum through the processor's real workflows (no Ethereum code in any workflow): three
 * validators on a Temporal dev server, each with the Ethereum adapter over one anvil, and the devnet
 * coordinator relaying. Key generation; the key's Router deployed through the keyless Deployer by a
 * validator's relayer and found by all; the activation Batch; the first Serai block's plan confirms
 * the key (Router nonce 1); a deposit of ETH and one of the ERC20 are signed into a Batch; a Serai
 * block's burns of both coins become `execute` batches at nonces 2 and 3, published by a relayer
 * and completed at every validator; every payee paid once, in the Router's events and balances.
 * Last, a reorg deeper than the `finalized` block halts every scanner with FinalizedReorgError.
 */
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import * as sr25519 from '@scure/sr25519';
import type { Client } from '@temporalio/client';
import { Contract, Wallet, type JsonRpcProvider } from 'ethers';
import { COORDINATOR_TASK_QUEUE, coordinatorBatchWorkflowId, coordinatorKeygenWorkflowId, type CoordinateBatchResult } from '../../../devnet/coordinator/defs';
import { coordinateKeygen } from '../../../devnet/coordinator/keygen';
import { validatorNamespace } from '../../../devnet/namespaces';
import { batchMessage } from '../../../messages/batch';
import { compileDeployer, compileRouter } from '../../../contracts/router-artifacts';
import { routerPxOfGroupKey } from '../../../crypto/suites/ethereum';
import { ethereumChain } from '../../../networks/ethereum/adapter';
import { findDeployment, keylessDeployment, routerInitCode } from '../../../networks/ethereum/deployer';
import { decodeResults, routerInterface } from '../../../networks/ethereum/router';
import { eventualityId } from '../../../networks/ethereum/signable';
import { parseKeyring } from '../../../temporal/keyring';
import type { PlanOutcome } from '../../../workflows/plan-defs';
import type { SeraiBlockOutcome } from '../../../workflows/scanner-defs';
import { useAnvil } from '../../support/chains';
import { depositDai, depositEth, ethereumBurn, prepareEthereumChain, seraiBlockOf, transferInstruction, type EthereumTestChain } from '../../support/ethereum';
import { startInProcessSet, type InProcessSet } from '../../support/in-process-set';
import { recordHistory, replayCodecKeys } from '../../support/replay-record';

jest.setTimeout(600_000);

const NAMES = ['alice', 'bob', 'carol'];
const NETWORK = 'ethereum' as const;
const CHAIN_ID = 4246;
const ROUNDS = { roundTimeout: '60 seconds', blameTimeout: '30 seconds', maxAttempts: 2 };
const processorWorkflowsPath = require.resolve('../../../workflows');
/** `RECORD_REPLAY_HISTORIES=<label>` records this run's scanner, Serai-block and plan workflows as replay fixtures (`<label>ethereum-…`). */
const RECORD = process.env.RECORD_REPLAY_HISTORIES;

const anvil = useAnvil({ chainId: CHAIN_ID, slotsInAnEpoch: 1 });
let chain: EthereumTestChain;
let provider: JsonRpcProvider;
let dai: Contract;
let set: InProcessSet;
let coordinatorClient: Client;
let recordedPlan = '';
const until = <T>(what: string, check: () => Promise<T | undefined>) => set.until(what, check);
const completed = <T>(name: string, workflowId: string) => set.completed<T>(name, workflowId);
const signedBy = (workflowId: string, needed: number) => set.signedBy(workflowId, needed);
const processor = (name: string) => set.processors.get(name)!;

const seraiBlock = seraiBlockOf;

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
  chain = await prepareEthereumChain(anvil());
  ({ provider, dai } = chain);
  // Each validator relays from an account of its own.
  set = await startInProcessSet({
    network: NETWORK,
    names: NAMES,
    workflowsPath: processorWorkflowsPath,
    chainFor: (_name, index) => ethereumChain({ rpcUrl: anvil().rpcUrl, relayerKey: chain.accountKey(2 + index), daiAddress: chain.daiAddress }),
    keyring: RECORD ? parseKeyring(replayCodecKeys(), 'replay codec keys') : undefined,
    dataDirPrefix: 'ethereum-e2e-',
  });
  coordinatorClient = set.coordinatorClient;
}, 300_000);

afterAll(async () => {
  await set?.stop();
  chain?.stop();
});

test('ETH and the ERC20 in and out through the real workflows: Batches of the deposits, execute batches of the burns, each payee paid once', async () => {
  const keygen = await coordinatorClient.workflow.execute(coordinateKeygen, {
    taskQueue: COORDINATOR_TASK_QUEUE,
    workflowId: coordinatorKeygenWorkflowId(NETWORK, 0),
    args: [{ network: NETWORK, session: 0, t: 2, validators: NAMES.map((name) => ({ name, weight: 1 })), settings: ROUNDS }],
  });

  // Every scanner finds the same Router (deployed by whichever relayer came first) and activates the key.
  const statuses = await until('every scanner to activate the key', async () => {
    const all = await Promise.all(NAMES.map((name) => processor(name).scannerStatus().catch(() => undefined)));
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
  for (const name of NAMES) await processor(name).deliver(seraiBlock('1', [0], block0.signedBatch.batch.block));
  const first = await planOutcomes('1');
  expect(first.plans).toHaveLength(1);
  expect(first.plans[0]!.txid).toBe(eventualityId(router, 1));
  expect(await routerContract.getFunction('seraiKey')()).toBe(px);
  expect(await routerContract.getFunction('nextNonce')()).toBe(2n);

  // Deposits: 1.5 ETH, then 40 DAI, each with a Transfer to a Serai account; Serai includes each Batch as it comes.
  const account = bytesToHex(randomBytes(32));
  const instruction = transferInstruction(account);
  const deposits = [() => depositEth(chain, router, 15n * 10n ** 17n, instruction), () => depositDai(chain, router, 40n * 10n ** 18n, instruction)];
  const credited: CoordinateBatchResult[] = [];
  for (const [index, deposit] of deposits.entries()) {
    await deposit();
    const id = index + 1;
    await signedBy(`batch-${NETWORK}-${id}`, 2);
    const result = (await coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId(NETWORK, id)).result()) as CoordinateBatchResult;
    credited.push(result);
    if (index === 0) for (const name of NAMES) await processor(name).deliver(seraiBlock('2', [id], result.signedBatch.batch.block));
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
  const burn = ethereumBurn;
  const last = credited[1]!.signedBatch;
  for (const name of NAMES) {
    await processor(name).deliver(seraiBlock('3', [last.batch.id], last.batch.block, [burn(ethPayee, 'ether', '50000000'), burn(daiPayee, 'dai', '1000000000')]));
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
    recordHistory(set.temporalAddress, alice, `scanner-${NETWORK}`, `${RECORD}ethereum-scanner`, 'richest'),
    recordHistory(set.temporalAddress, alice, `substrate-${NETWORK}-3`, `${RECORD}ethereum-substrateBlock`),
    recordHistory(set.temporalAddress, alice, `plan-${NETWORK}-${recordedPlan}`, `${RECORD}ethereum-signPlan`),
  ];
  console.log(`recorded ${written.join(', ')}`);
});

test("Serai's confirmation of a later session's key this validator never generated (a set it is not in): a network key that is no point of the curve is refused with its reason; a real one is followed without a share (session 0's Router, nothing deployed for it); the scanner keeps its key and scans on", async () => {
  const before = await processor('alice').scannerStatus();
  expect(before.externalScript).not.toBeNull();
  const confirm = (networkKey: string) =>
    processor('alice').deliver({
      kind: 'substrate.ConfirmKeyPair',
      context: { serai_time: String(Math.floor(Date.now() / 1000)), network_latest_finalized_block: '00'.repeat(32) },
      session: 1,
      key_pair: { substrate_key: bytesToHex(randomBytes(32)), network_key: networkKey },
    });
  let notAPoint: string;
  for (;;) {
    notAPoint = `02${bytesToHex(randomBytes(32))}`;
    try {
      secp256k1.Point.fromHex(notAPoint);
    } catch {
      break;
    }
  }
  await confirm(notAPoint);
  const refused = await until('the key that is no point to be refused', async () => {
    const status = await processor('alice').scannerStatus();
    return status.rejected.some((line) => line.startsWith(`scannerKey: session 1: session 1's ethereum key ${notAPoint} is not a key of the network`)) ? status : undefined;
  });
  expect(refused.rotation ?? null).toBeNull();

  const later = bytesToHex(secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), true));
  await confirm(later);
  const after = await until('the later key to be followed', async () => {
    const status = await processor('alice').scannerStatus();
    return status.rotation?.session === 1 ? status : undefined;
  });
  expect(after.observedSessions).toEqual([1]);
  expect(after.session).toBe(0);
  expect(after.externalScript).toBe(before.externalScript);
  // No Router of the later key's own: it would take session 0's.
  const initCode = routerInitCode(compileRouter().bytecode, routerPxOfGroupKey(hexToBytes(later)));
  expect(await findDeployment(provider, keylessDeployment(compileDeployer().bytecode).deployer, initCode, 'latest')).toBeNull();
  await until('the scanner to scan past where it was', async () => ((await processor('alice').scannerStatus()).nextHeight! > before.nextHeight! ? true : undefined));
});

test('a reorg replacing blocks the scanners reported as final halts every Ethereum scanner loudly (FinalizedReorgError), never silently', async () => {
  // Replaces every block from the lowest one any scanner reported up to the tip (fixed while the miner is paused).
  const replaced = await chain.withMiningPaused(async () => {
    const latest = await provider.getBlockNumber();
    const statuses = await Promise.all(NAMES.map((name) => processor(name).scannerStatus()));
    const lowest = Math.min(...statuses.map((status) => status.nextHeight! - 1));
    const before = await provider.getBlock(lowest);
    await provider.send('anvil_reorg', [latest - lowest + 1, []]);
    const after = await provider.getBlock(lowest);
    expect(await provider.getBlockNumber()).toBe(latest);
    return { height: lowest, before: before!.hash, after: after!.hash };
  });
  expect(replaced.after).not.toBe(replaced.before);
  const scanner = (name: string) => processor(name).client.workflow.getHandle(`scanner-${NETWORK}`);
  await until('every scanner halted', async () => {
    const all = await Promise.all(NAMES.map(async (name) => (await scanner(name).describe()).status.name));
    return all.every((status) => status === 'FAILED') ? all : undefined;
  });
  for (const name of NAMES) {
    await expect(scanner(name).result()).rejects.toMatchObject({ cause: { type: 'FinalizedReorgError', message: expect.stringMatching(/^scanner halted: reorg of a final block at height \d+/) } });
  }
});
