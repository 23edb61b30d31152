/**
 * Account plans as signed Router calls on anvil (one slot per epoch: `finalized` = latest - 2):
 * the scheduler's plans made into signables (networks/ethereum/signable.ts), threshold-signed with
 * the signing driver's protocol interface by a DKG key, published by a relayer and found by their
 * eventuality (networks/ethereum/calls.ts). The key's confirmation takes nonce 1, batches follow;
 * a call is complete only once final and only for its own message; a nonce another call took is a
 * conflict; a call cannot be published before the nonce before it ran. Last, a rotation: the
 * retiring key names its successor at the next nonce, the successor confirms itself and pays what
 * was queued, and the retiring key signs nothing the Router takes again.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { Wallet, type JsonRpcProvider } from 'ethers';
import { TransactionBuildError } from '../../../networks/chain-errors';
import { payeeOf } from '../../../networks/ethereum/address';
import { BATCH_GAS_LIMIT, ETH_EXECUTE_GAS, routerCostModel } from '../../../networks/ethereum/batch-cost';
import { NonceConflictError, NonceNotReachedError, RouterCalls } from '../../../networks/ethereum/calls';
import { ETH, routerInterface } from '../../../networks/ethereum/router';
import { CONFIRM_KEY_GAS, decodeSignedCall, routerCallSigning, routerSignable, SET_NEXT_KEY_GAS, type RouterSignable } from '../../../networks/ethereum/signable';
import { accountPlan, admitAccountPayments, createAccountState, receiveCredits, rotateAccount, scheduleAccount, takeOverAccount, type AccountSchedulerState } from '../../../scheduler/account';
import { useAnvil } from '../../support/chains';
import { compileRouterArtifacts, deployContract, revertName, routerKeyset, sendAndWait, uncachedProvider, type RouterKeyset } from '../../support/router';

const CHAIN_ID = 4245;
const ETH_COIN = 'ether';
const anvil = useAnvil({ chainId: CHAIN_ID, slotsInAnEpoch: 1 });
let provider: JsonRpcProvider;
let deployer: Wallet;
let relayer: Wallet;
let key: RouterKeyset;
let router: string;
let calls: RouterCalls;
let state: AccountSchedulerState;
const cost = routerCostModel(2_000_000_000n, [{ coin: ETH_COIN, gas: ETH_EXECUTE_GAS, unitsPerWei: 1n }]);

beforeAll(async () => {
  provider = uncachedProvider(anvil().rpcUrl, CHAIN_ID);
  [deployer, relayer] = [0, 1].map((i) => new Wallet(anvil().accounts[i]!.privateKey, provider)) as [Wallet, Wallet];
  key = routerKeyset(3, [1, 2, 1]);
  // Deployed, not confirmed: the key's confirmation is the scheduler's first plan.
  router = payeeOf(await (await deployContract(compileRouterArtifacts().router, deployer, key.px)).getAddress());
  calls = new RouterCalls(provider, relayer);
  state = createAccountState({
    network: 'ethereum',
    key: bytesToHex(key.px),
    coins: [{ coin: ETH_COIN, dust: '150000', maxAmount: '18446744073709551615' }],
    maxBatchGas: BATCH_GAS_LIMIT,
    firstNonce: 1,
    internalAddresses: [router],
  });
}, 120_000);
afterAll(() => provider?.destroy());

const signableOf = (plan: Parameters<typeof routerSignable>[0]) => routerSignable(plan, { chainId: BigInt(CHAIN_ID), router: `0x${router}`, tokens: { ether: '00'.repeat(20) } });
const mine = (blocks: number) => provider.send('anvil_mine', [`0x${blocks.toString(16)}`]);
const nextNonce = async () => BigInt(await provider.call({ to: `0x${router}`, data: routerInterface.encodeFunctionData('nextNonce', []) }));

/** Publishes and waits until the relayer's transaction is mined; returns its hash (no 0x). */
async function publishMined(signed: string): Promise<string> {
  const before = await provider.getTransactionCount(relayer.address);
  expect(await calls.publish(signed)).toEqual({ kind: 'published' });
  for (let tries = 0; tries < 100; tries++) {
    const block = (await provider.getBlock('latest', true))!;
    const tx = block.prefetchedTransactions.find((t) => t.from === relayer.address && t.nonce === before);
    if (tx !== undefined) {
      expect((await provider.getTransactionReceipt(tx.hash))!.status).toBe(1);
      return tx.hash.slice(2);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the relayer transaction was not mined');
}

let batch: RouterSignable;
let batchTx: string;

test("the key's confirmation is the first plan (nonce 1): signed, published, complete once final, and published again it is already confirmed", async () => {
  const scheduled = scheduleAccount(state, cost);
  state = scheduled.state;
  expect(scheduled.plans.map((p) => [p.nonce, p.action.kind])).toEqual([[1, 'confirm-key']]);
  const signable = signableOf(scheduled.plans[0]!);
  const signed = key.run(routerCallSigning, signable);
  expect(signed.txid).toBe(`${router}0000000000000001`);
  expect(decodeSignedCall(signed.hex).nonce).toBe(1);

  const hash = await publishMined(signed.hex);
  const receipt = (await provider.getTransactionReceipt(`0x${hash}`))!;
  expect(receipt.gasUsed).toBeLessThanOrEqual(BigInt(CONFIRM_KEY_GAS));
  expect(await nextNonce()).toBe(2n);
  expect(await calls.completion(signable)).toEqual({ completed: false });
  await mine(2);
  expect(await calls.completion(signable)).toEqual({ completed: true, height: receipt.blockNumber, claim: hash });
  expect(await calls.publish(signed.hex)).toEqual({ kind: 'already-confirmed' });
}, 120_000);

test('a batch pays every payee and the relayer its fee; another validator\'s claim is pending until final, then valid', async () => {
  const deposit = 10n ** 18n;
  await sendAndWait(deployer, { to: `0x${router}`, value: deposit, data: routerInterface.encodeFunctionData('inInstruction', [ETH, deposit, '0x']) });
  state = receiveCredits(state, [{ coin: ETH_COIN, amount: (deposit / 10n ** 10n).toString() }]);
  const payees = [0, 1, 2].map(() => Wallet.createRandom().address);
  state = admitAccountPayments(state, payees.map((to, i) => ({ coin: ETH_COIN, payment: { id: String(i + 1).padStart(64, '0'), address: payeeOf(to), amount: '2000000' } }))).state;
  const scheduled = scheduleAccount(state, cost);
  state = scheduled.state;
  expect(scheduled.plans).toHaveLength(1);
  const plan = scheduled.plans[0]!;
  if (plan.action.kind !== 'execute') throw new Error('expected a batch');
  batch = signableOf(plan);
  expect(batch.nonce).toBe(2);
  const signed = key.run(routerCallSigning, batch);
  const relayerBefore = await provider.getBalance(relayer.address);
  batchTx = await publishMined(signed.hex);

  const receipt = (await provider.getTransactionReceipt(`0x${batchTx}`))!;
  for (const [i, to] of payees.entries()) expect(await provider.getBalance(to)).toBe(BigInt(plan.action.outs[i]!.amount) * 10n ** 10n);
  const gasPaid = receipt.gasUsed * receipt.gasPrice;
  expect(await provider.getBalance(relayer.address)).toBe(relayerBefore - gasPaid + BigInt(plan.action.fee) * 10n ** 10n);

  const claim = batch.eventuality.id;
  expect(await calls.verifyClaim(batch, claim)).toEqual({ valid: false, reason: 'the call is not final yet', pending: true });
  await mine(2);
  expect(await calls.verifyClaim(batch, claim)).toEqual({ valid: true });
  expect(await calls.completion(batch)).toMatchObject({ completed: true, claim: batchTx });
  expect(await calls.verifyClaim(batch, batchTx)).toEqual({ valid: false, reason: "the claim is not this plan's eventuality (its Router and nonce)" });
  const later = signableOf(accountPlan({ network: 'ethereum', key: bytesToHex(key.px) }, 3, { kind: 'execute', coin: ETH_COIN, fee: '0', gas: 100_000, outs: [] }));
  expect(await calls.verifyClaim(later, later.eventuality.id)).toEqual({ valid: false, reason: "the plan's nonce has not run" });
}, 120_000);

test('another call at a nonce that ran is a conflict, never a completion; a claim of the real transaction for it is refused', async () => {
  if (batch.action.kind !== 'execute') throw new Error('expected a batch');
  const altered = signableOf(accountPlan({ network: 'ethereum', key: bytesToHex(key.px) }, batch.nonce, { ...batch.action, fee: '1' }));
  const signed = key.run(routerCallSigning, altered);
  expect(await calls.publish(signed.hex)).toMatchObject({ kind: 'conflict' });
  await expect(calls.completion(altered)).rejects.toBeInstanceOf(NonceConflictError);
  expect(await calls.verifyClaim(altered, altered.eventuality.id)).toEqual({ valid: false, reason: "another call ran at the plan's nonce" });
}, 120_000);

test('a call is not published before the nonce before it ran; a tampered signable is refused before signing', async () => {
  const ahead = signableOf(accountPlan({ network: 'ethereum', key: bytesToHex(key.px) }, 4, { kind: 'execute', coin: ETH_COIN, fee: '0', gas: 100_000, outs: [] }));
  const signed = key.run(routerCallSigning, ahead);
  await expect(calls.publish(signed.hex)).rejects.toBeInstanceOf(NonceNotReachedError);
  expect(await nextNonce()).toBe(3n);
  expect(() => key.run(routerCallSigning, { ...ahead, eventuality: { id: `${router}0000000000000005` } })).toThrow(TransactionBuildError);
  expect(() => key.run(routerCallSigning, { ...ahead, router: 'zz' })).toThrow(/signable\.router/);
});

test("rotation on the same Router: the retiring key names its successor at the next nonce, the successor confirms itself at the one after and pays the payment queued before the handover; the retiring key's signature no longer works", async () => {
  const successor = routerKeyset(2, [1, 1, 1]);
  const payee = Wallet.createRandom().address;
  state = admitAccountPayments(state, [{ coin: ETH_COIN, payment: { id: 'ee'.repeat(32), address: payeeOf(payee), amount: '3000000' } }]).state;
  const rotated = rotateAccount(state, bytesToHex(successor.px));
  state = rotated.state;
  expect(rotated.plan.nonce).toBe(3);
  const setNext = signableOf(rotated.plan);
  const signed = key.run(routerCallSigning, setNext);
  const hash = await publishMined(signed.hex);
  expect((await provider.getTransactionReceipt(`0x${hash}`))!.gasUsed).toBeLessThanOrEqual(BigInt(SET_NEXT_KEY_GAS));
  const routerRead = (name: 'nextSeraiKey' | 'seraiKey') => provider.call({ to: `0x${router}`, data: routerInterface.encodeFunctionData(name, []) });
  expect(await routerRead('nextSeraiKey')).toBe(`0x${bytesToHex(successor.px)}`);
  await mine(2);
  expect(await calls.completion(setNext)).toMatchObject({ completed: true, claim: hash });
  expect(await calls.publish(signed.hex)).toEqual({ kind: 'already-confirmed' });
  // Naming another key at the same nonce is another call: a conflict, never this plan's completion.
  const other = signableOf(accountPlan({ network: 'ethereum', key: bytesToHex(key.px) }, 3, { kind: 'set-next-key', nextKey: '07'.repeat(32) }));
  expect(await calls.publish(key.run(routerCallSigning, other).hex)).toMatchObject({ kind: 'conflict' });
  await expect(calls.completion(other)).rejects.toBeInstanceOf(NonceConflictError);

  let next = takeOverAccount({ ...state.config, key: bytesToHex(successor.px), firstNonce: rotated.handover.firstNonce }, rotated.handover);
  const scheduled = scheduleAccount(next, cost);
  next = scheduled.state;
  expect(scheduled.plans.map((p) => [p.nonce, p.action.kind])).toEqual([[4, 'confirm-key'], [5, 'execute']]);
  for (const plan of scheduled.plans) {
    const signable = signableOf(plan);
    await publishMined(successor.run(routerCallSigning, signable).hex);
    await mine(2);
    expect(await calls.completion(signable)).toMatchObject({ completed: true });
  }
  expect(await routerRead('seraiKey')).toBe(`0x${bytesToHex(successor.px)}`);
  const paid = scheduled.plans[1]!.action;
  expect(paid.kind === 'execute' && (await provider.getBalance(payee)) === BigInt(paid.outs[0]!.amount) * 10n ** 10n).toBe(true);
  // The retiring key's signature on the next call is refused by the Router itself.
  const stale = signableOf(accountPlan({ network: 'ethereum', key: bytesToHex(key.px) }, 6, { kind: 'execute', coin: ETH_COIN, fee: '0', gas: 100_000, outs: [] }));
  const staleCall = decodeSignedCall(key.run(routerCallSigning, stale).hex).tx;
  expect(await revertName(provider, { from: relayer.address, to: staleCall.to!, data: staleCall.data })).toBe('InvalidSignature');
}, 180_000);
