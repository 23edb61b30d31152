/**
 * The scenario's Ethereum half: ETH and the devnet DAI deposited into the key's Router, each
 * signed into a Batch and minted on Serai, then burned to two fresh addresses and paid by `execute`
 * calls the validators threshold-signed and a relayer published. The summary carries what anyone
 * needs to re-verify it offline: the Router and its key `px`, every Batch, every deposit and every
 * signed Router call as raw transactions with their hashes, each call's signed message with (c, s).
 */
import { Wallet } from 'ethers';
import { coordinatorBatchWorkflowId } from './coordinator/defs';
import { Devnet } from './devnet';
import { ETHEREUM_COINS, signedRouterCalls, type EthereumCoinName, type RawEthereumTransaction, type SignedRouterCallEvidence } from './ethereum';

/** Per coin: the deposit (18 decimals) and the burn (Serai's 8 decimals). */
export type EthereumScenarioAmounts = Record<EthereumCoinName, { deposit: bigint; burn: bigint }>;

/** Serai's units are 8 decimals; ETH and DAI have 18. */
const WEI_PER_UNIT = 10n ** 10n;

export interface EthereumScenarioSummary {
  ok: boolean;
  chainId: number;
  /** The Serai key of the Ethereum set (the Batches verify under it). */
  seraiKey: string;
  /** The Router's key: the group key's x coordinate, as `seraiKey()` returns it. */
  px: string;
  router: string;
  dai: string;
  batches: ReturnType<typeof Devnet.batchEvidence>[];
  deposits: (RawEthereumTransaction & { coin: EthereumCoinName; amount: string })[];
  burns: { coin: EthereumCoinName; amount: string; address: string; seraiBlock: number }[];
  /** Every call the Router ran under the key's signature, by nonce: the key's confirmation, then the executes. */
  signedCalls: SignedRouterCallEvidence[];
  /** Each payee's balance after the payouts. */
  received: Record<string, string>;
  checks: { minted: boolean; supplyMatchesBalances: boolean; paidOnce: boolean; noncesInOrder: boolean };
  timings: { depositFinalToSignedBatchMs: number; burnBlockToMempoolMs: number; totalMs: number };
}

export async function runEthereumScenario(devnet: Devnet, seraiAccount: string, amounts: EthereumScenarioAmounts, log: (line: string) => void): Promise<EthereumScenarioSummary> {
  const started = Date.now();
  const ethereum = devnet.ethereum!;
  const { provider } = ethereum;
  const { net } = devnet;
  const keys = await devnet.keysOf('ethereum');
  const router = devnet.routerAddress();
  const coins = Object.keys(amounts) as EthereumCoinName[];

  const deposits: EthereumScenarioSummary['deposits'] = [];
  const batches: EthereumScenarioSummary['batches'] = [];
  let depositFinalToSignedBatchMs = 0;
  for (const coin of coins) {
    const amount = amounts[coin].deposit;
    log(`deposit ${amount} base units of ${coin} into the Router ${router} for ${seraiAccount} ...`);
    const sent = await devnet.depositEthereum(coin, amount, seraiAccount);
    deposits.push({ ...sent, coin, amount: amount.toString() });
    const finalAt = await devnet.waitFor(`Ethereum block ${sent.height} finalized`, async () => ((await provider.getBlock('finalized'))!.number >= sent.height ? Date.now() : undefined), 300_000, 200);
    const batch = await devnet.signedBatchOfEthereum(sent);
    const closed = (await net.coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId('ethereum', batch.signedBatch.batch.id)).describe()).closeTime!;
    const ms = closed.getTime() - finalAt;
    if (coin === coins[0]) depositFinalToSignedBatchMs = ms;
    log(`${coin} deposit ${sent.hash} in block ${sent.height}: Batch ${batch.signedBatch.batch.id} signed by ${batch.signers.join(', ')} ${ms} ms after the block was finalized`);
  }
  const credited = (coin: EthereumCoinName) => amounts[coin].deposit / WEI_PER_UNIT;
  await devnet.waitFor('sriETH and sriDAI minted', async () => {
    const held = (await net.seraiStatus()).balances[seraiAccount] ?? {};
    return coins.every((coin) => BigInt(held[ETHEREUM_COINS[coin]] ?? '0') === credited(coin)) ? true : undefined;
  });
  log(`Serai minted ${coins.map((coin) => `${credited(coin)} units of ${ETHEREUM_COINS[coin]}`).join(' and ')} to ${seraiAccount}`);

  const payees = Object.fromEntries(coins.map((coin) => [coin, Wallet.createRandom().address])) as Record<EthereumCoinName, string>;
  const before = await provider.getBlockNumber();
  const burns: EthereumScenarioSummary['burns'] = [];
  for (const coin of coins) {
    const burned = await devnet.burnEthereum(seraiAccount, coin, amounts[coin].burn, payees[coin]);
    burns.push({ coin, amount: amounts[coin].burn.toString(), address: payees[coin], seraiBlock: burned.block });
    log(`burn ${amounts[coin].burn} units of ${ETHEREUM_COINS[coin]} to ${payees[coin]} in Serai block ${burned.block}`);
  }
  const firstBlock = Math.min(...burns.map((b) => b.seraiBlock));
  const produced = await devnet.waitFor(`Serai block ${firstBlock}`, async () => ((await net.seraiStatus()).height >= firstBlock ? Date.now() : undefined), 300_000, 100);
  const published = await devnet.waitFor('an execute in the mempool or a block', async () => ((await ethereum.executeSeen(router, before)) ? Date.now() : undefined), 300_000, 100);
  const burnBlockToMempoolMs = published - produced;
  log(`an execute reached anvil ${burnBlockToMempoolMs} ms after Serai block ${firstBlock}`);

  for (const block of new Set(burns.map((b) => b.seraiBlock))) {
    const outcome = await devnet.seraiBlockOutcome(block, 300_000, undefined, 'ethereum');
    for (const planId of outcome.plans) {
      const plan = await devnet.planOutcome(planId, 300_000, 'ethereum');
      log(`plan ${planId} completed: Router call ${plan.txid}`);
    }
  }

  const signedCalls = await signedRouterCalls(provider, router, keys.activationHeight);
  const received: Record<string, string> = {};
  let paidOnce = true;
  for (const coin of coins) {
    const balance = await ethereum.balanceOf(coin, payees[coin]);
    received[payees[coin]] = balance.toString();
    const paying = signedCalls.filter((call) => call.execute?.outs.some((out) => out.to.toLowerCase() === payees[coin].toLowerCase()));
    // One execute pays the payee, with one out of what it now holds, which with the relayer's fee is exactly its burn.
    const only = paying.length === 1 && paying[0]!.execute!.outs.length === 1 ? paying[0]!.execute! : undefined;
    paidOnce &&= only !== undefined && BigInt(only.outs[0]!.amount) === balance && balance + BigInt(only.fee) === amounts[coin].burn * WEI_PER_UNIT;
  }
  const status = await net.seraiStatus();
  const report = (coin: EthereumCoinName) => status.coins[ETHEREUM_COINS[coin]];
  const held = (coin: EthereumCoinName) => Object.values(status.balances).reduce((sum, holdings) => sum + BigInt(holdings[ETHEREUM_COINS[coin]] ?? '0'), 0n);
  const checks = {
    minted: coins.every((coin) => BigInt(report(coin).minted) === credited(coin)),
    supplyMatchesBalances: coins.every((coin) => BigInt(report(coin).minted) - BigInt(report(coin).burned) === held(coin)),
    paidOnce,
    noncesInOrder: signedCalls.every((call, index) => call.nonce === index + 1),
  };
  for (const batch of status.batches.ethereum) {
    const result = await net.coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId('ethereum', batch.id)).result();
    batches.push(Devnet.batchEvidence((result as { signedBatch: Parameters<typeof Devnet.batchEvidence>[0] }).signedBatch));
  }
  return {
    ok: Object.values(checks).every(Boolean),
    chainId: ethereum.anvil.chainId,
    seraiKey: keys.keygen.keyPair.substrateKey,
    px: (await ethereum.routerKey(router)).replace(/^0x/, ''),
    router,
    dai: ethereum.daiAddress,
    batches,
    deposits,
    burns,
    signedCalls,
    received,
    checks,
    timings: { depositFinalToSignedBatchMs, burnBlockToMempoolMs, totalMs: Date.now() - started },
  };
}
