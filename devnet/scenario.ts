/**
 * deposit -> Batch -> mint -> burn -> payout on a running devnet, on Bitcoin and (when the devnet
 * runs it) on Ethereum with ETH and the devnet DAI, with a summary anyone can re-verify offline:
 * the public keys, each Batch's signed message and signature, each deposit and payout transaction
 * as raw bytes, each Router call's signed message with its (c, s), and the Serai simulator's final
 * balances.
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { Transaction } from 'bitcoinjs-lib';
import { DEPOSIT_FEE } from '../networks/bitcoin/instructions';
import { coordinatorBatchWorkflowId, type CoordinateBatchResult } from './coordinator/defs';
import { Devnet } from './devnet';
import { runEthereumScenario, type EthereumScenarioAmounts, type EthereumScenarioSummary } from './ethereum-scenario';
import type { PayoutFaults } from './payout-chaos';
import { paymentsTo } from './payments';
import { formatBtc, scriptToAddress } from './wallet';

export interface ScenarioOptions {
  deposit: bigint;
  burn: bigint;
  /** Moved only when the devnet runs Ethereum. Default: SCENARIO_AMOUNTS's. */
  ethereum?: EthereumScenarioAmounts;
  /** Faults around the burn (devnet/payout-chaos.ts): run before it, and after its Serai block before waiting for the payout. */
  payoutFaults?: PayoutFaults;
}

/** What `npm start -- --scenario` moves: 0.5 BTC in and 0.2 out; 1.5 ETH in and 0.5 out; 40 DAI in and 10 out. */
export const SCENARIO_AMOUNTS: ScenarioOptions = {
  deposit: 50_000_000n,
  burn: 20_000_000n,
  ethereum: { eth: { deposit: 15n * 10n ** 17n, burn: 50_000_000n }, dai: { deposit: 40n * 10n ** 18n, burn: 1_000_000_000n } },
};

export interface ScenarioSummary {
  ok: boolean;
  validators: { name: string; offline: boolean }[];
  threshold: number;
  seraiKey: string;
  bitcoinKey: string;
  depositAddress: string;
  seraiAccount: string;
  batches: ReturnType<typeof Devnet.batchEvidence>[];
  deposits: { txid: string; hex: string; amount: string }[];
  burns: { from: string; amount: string; address: string; seraiBlock: number }[];
  payouts: { planId: string; txid: string; hex: string; paid: string }[];
  balances: Record<string, unknown>;
  coins: unknown;
  checks: { minted: boolean; supplyMatchesBalances: boolean; paidOnce: boolean };
  timings: { depositFinalToSignedBatchMs: number; burnBlockToMempoolMs: number; totalMs: number };
  /** Present when the devnet runs Ethereum. */
  ethereum?: EthereumScenarioSummary;
}

function randomTaprootScript(): string {
  return `5120${bytesToHex(schnorr.getPublicKey(schnorr.utils.randomSecretKey()))}`;
}

/** Polls until `check` yields, returning the value and when it was first seen. */
async function seen<T>(devnet: Devnet, what: string, check: () => Promise<T | undefined>, intervalMs = 200): Promise<{ value: T; at: number }> {
  const value = await devnet.waitFor(what, check, 300_000, intervalMs);
  return { value, at: Date.now() };
}

export async function runScenario(devnet: Devnet, options: ScenarioOptions, log: (line: string) => void = () => undefined): Promise<ScenarioSummary> {
  const started = Date.now();
  const { btcd, net } = devnet;
  const keys = await devnet.generateKeys();
  const confirmations = devnet.options.processorSettings?.scanner.confirmations ?? 3;
  const seraiAccount = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));

  log(`deposit ${formatBtc(options.deposit)} BTC to ${devnet.depositAddress()} for Serai account ${seraiAccount} ...`);
  const deposit = await devnet.deposit(options.deposit, seraiAccount);
  const mined = await devnet.waitFor(`deposit ${deposit.txid} mined`, async () => {
    const tx = await btcd.rpc.getRawTransaction(deposit.txid).catch(() => undefined);
    return tx?.blockhash ? (await btcd.rpc.getBlockHeader(tx.blockhash)).height : undefined;
  }, 300_000, 200);
  const final = await seen(devnet, 'the deposit final', async () => ((await btcd.rpc.getBlockCount()) >= mined + confirmations - 1 ? true : undefined));
  log(`deposit ${deposit.txid} in block ${mined}, final with ${confirmations} confirmations`);
  const { result: batch } = await devnet.signedBatchOf(deposit.txid);
  const batchClosed = (await net.coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId('bitcoin', batch.signedBatch.batch.id)).describe()).closeTime!;
  const depositFinalToSignedBatchMs = batchClosed.getTime() - final.at;
  log(`Batch ${batch.signedBatch.batch.id} signed by ${batch.signers.join(', ')} ${depositFinalToSignedBatchMs} ms after the deposit was final`);

  const credited = options.deposit - DEPOSIT_FEE;
  await devnet.waitFor('the sriBTC minted', async () => {
    const status = await net.seraiStatus();
    return BigInt(status.balances[seraiAccount]?.bitcoin ?? '0') === credited ? true : undefined;
  });
  log(`Serai minted ${formatBtc(credited)} sriBTC to ${seraiAccount}`);

  const payee = randomTaprootScript();
  const payeeAddress = scriptToAddress(payee);
  log(`burn ${formatBtc(options.burn)} sriBTC to ${payeeAddress} ...`);
  const beforeBurn = await btcd.rpc.getBlockCount();
  options.payoutFaults?.beforeBurn();
  const burned = await devnet.burn(seraiAccount, options.burn, payeeAddress);
  const produced = await seen(devnet, `Serai block ${burned.block}`, async () => ((await net.seraiStatus()).height >= burned.block ? true : undefined));
  await options.payoutFaults?.afterBurn(burned.block);
  const published = await seen(devnet, 'the payout in the mempool or a block', async () => (await paymentsTo(btcd.rpc, payee, beforeBurn + 1))[0], 100);
  const burnBlockToMempoolMs = published.at - produced.at;
  const where = published.value.where === 'mempool' ? "in btcd's mempool" : `in block ${published.value.where}`;
  log(`payout ${published.value.txid} ${where} ${burnBlockToMempoolMs} ms after Serai block ${burned.block}`);

  const outcome = await devnet.seraiBlockOutcome(burned.block);
  const payouts: ScenarioSummary['payouts'] = [];
  for (const planId of outcome.plans) {
    const plan = await devnet.planOutcome(planId);
    const hex = (await btcd.rpc.getRawTransaction(plan.txid)).hex;
    const paid = Transaction.fromHex(hex).outs.filter((o) => bytesToHex(o.script) === payee).reduce((sum, o) => sum + o.value, 0n);
    payouts.push({ planId, txid: plan.txid, hex, paid: paid.toString() });
  }
  log(`payout confirmed: ${payouts.map((p) => p.txid).join(', ')}`);

  const status = await net.seraiStatus();
  const batches: ScenarioSummary['batches'] = [];
  for (const record of status.batches.bitcoin) {
    const result = (await net.coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId('bitcoin', record.id)).result()) as CoordinateBatchResult;
    batches.push(Devnet.batchEvidence(result.signedBatch));
  }
  const sumOfBalances = Object.values(status.balances).reduce((sum, holdings) => sum + BigInt(holdings.bitcoin ?? '0'), 0n);
  const coin = status.coins.bitcoin;
  const paidTotal = payouts.reduce((sum, p) => sum + BigInt(p.paid), 0n);
  const checks = {
    minted: BigInt(coin.minted) === credited,
    supplyMatchesBalances: BigInt(coin.minted) - BigInt(coin.burned) === sumOfBalances,
    paidOnce: payouts.filter((p) => BigInt(p.paid) > 0n).length === 1 && paidTotal <= options.burn && paidTotal > 0n,
  };
  const bitcoinMs = Date.now() - started;
  const ethereum = devnet.ethereum ? await runEthereumScenario(devnet, seraiAccount, options.ethereum ?? SCENARIO_AMOUNTS.ethereum!, log) : undefined;
  const end = await net.seraiStatus();
  return {
    ok: checks.minted && checks.supplyMatchesBalances && checks.paidOnce && (ethereum?.ok ?? true),
    validators: devnet.options.validators.map((v) => ({ name: v.name, offline: v.offline === true })),
    threshold: devnet.options.t,
    seraiKey: keys.keygen.keyPair.substrateKey,
    bitcoinKey: keys.keygen.keyPair.networkKey,
    depositAddress: devnet.depositAddress(),
    seraiAccount,
    batches,
    deposits: [{ txid: deposit.txid, hex: deposit.hex, amount: options.deposit.toString() }],
    burns: [{ from: seraiAccount, amount: options.burn.toString(), address: payeeAddress, seraiBlock: burned.block }],
    payouts,
    balances: end.balances,
    coins: end.coins,
    checks,
    timings: { depositFinalToSignedBatchMs, burnBlockToMempoolMs, totalMs: bitcoinMs },
    ...(ethereum ? { ethereum } : {}),
  };
}
