/**
 * The fee rate from several recent blocks: the pure median, then against btcd blocks whose
 * transactions pay fees this test chose, read back through the node (spent values from txindex or
 * from the window's own blocks).
 */
import type { z } from 'zod';
import { Block, Transaction } from 'bitcoinjs-lib';

import { BitcoinNetwork } from '../../../networks/bitcoin/chain';
import { feeRateOf, feeSample, FeeRateInputError, MIN_FEE_RATE, sampleTransactions } from '../../../networks/bitcoin/fee-rate';
import { BitcoinRpc, type CallOptions } from '../../../networks/bitcoin/rpc';
import { useBtcd } from '../../support/chains';
import { RegtestWallet, type Utxo } from '../../support/bitcoin-wallet';

describe('feeRateOf', () => {
  const sample = (fee: number, vsize: number) => ({ fee: BigInt(fee), vsize });

  test('the upper median of fee/vsize, rounded up to a whole sat/vB', () => {
    expect(feeRateOf([sample(1000, 200), sample(3000, 200), sample(2001, 200)])).toBe(11); // 10.005 -> 11
    expect(feeRateOf([sample(900, 100), sample(100, 100), sample(400, 100), sample(500, 100)])).toBe(5);
    expect(feeRateOf([sample(1_000_000, 141)])).toBe(7093);
  });

  test('never below the floor, which is also the answer without samples', () => {
    expect(feeRateOf([])).toBe(MIN_FEE_RATE);
    expect(feeRateOf([sample(0, 200), sample(10, 200), sample(10, 200)])).toBe(1);
    expect(feeRateOf([sample(500, 100)], 8)).toBe(8);
  });
});

describe('sampling and per-transaction fees', () => {
  function blockOf(count: number): Block {
    const block = new Block();
    const coinbase = new Transaction();
    coinbase.addInput(new Uint8Array(32), 0xffffffff);
    block.transactions = [coinbase];
    for (let i = 0; i < count; i++) {
      const tx = new Transaction();
      tx.addInput(new Uint8Array(32).fill(i + 1), 0);
      tx.addOutput(Uint8Array.of(0x51), BigInt(i));
      block.transactions.push(tx);
    }
    return block;
  }

  test('samples are spread evenly over the block, coinbase excluded', () => {
    const block = blockOf(100);
    const values = (max: number) => sampleTransactions(block, max).map((tx) => Number(tx.outs[0]?.value));
    expect(values(4)).toEqual([0, 25, 50, 75]);
    expect(values(100)).toHaveLength(100);
    expect(values(1000)).toHaveLength(100);
    expect(sampleTransactions(blockOf(0), 10)).toEqual([]);
  });

  test('a transaction whose spent value is unknown, or that creates more than it spends, is a typed error', () => {
    const tx = blockOf(3).transactions?.[3] as Transaction;
    expect(() => feeSample(tx, () => undefined)).toThrow(FeeRateInputError);
    expect(() => feeSample(tx, () => 1n)).toThrow(`fee of ${tx.getId()}: creates more than it spends`);
    expect(feeSample(tx, () => 1_002n)).toEqual({ fee: 1_000n, vsize: tx.virtualSize() });
  });
});

/** Counts the calls a BitcoinRpc makes (the node behind it is real). */
class CountingRpc extends BitcoinRpc {
  calls: string[] = [];
  override call<Schema extends z.ZodType>(method: string, params: readonly unknown[], schema: Schema, options?: CallOptions): Promise<z.output<Schema>> {
    this.calls.push(method);
    return super.call(method, params, schema, options);
  }
}

describe('fee rate from btcd blocks', () => {
  const btcd = useBtcd();
  let wallet: RegtestWallet;
  let pool: Utxo[] = [];

  beforeAll(async () => {
    const node = btcd();
    const key = node.miningKey;
    if (!key) throw new Error('expected a generated mining key');
    await node.activateSoftForks();
    wallet = new RegtestWallet(node, [key]);
    const [coinbase] = await wallet.coinbases(1, 1);
    if (!coinbase) throw new Error('expected a mature coinbase');
    const split = wallet.pay([coinbase], Array.from({ length: 30 }, () => ({ script: key.outputScript, value: 100_000_000n })), 10_000n, key);
    await wallet.send(split);
    await node.mine(1);
    pool = wallet.ownOutputs(split).filter((utxo) => utxo.value === 100_000_000n);
  });

  /** A one-input payment to ourselves at `satPerVbyte` (the fee is exact for the signed size). */
  function payAt(satPerVbyte: number, input: Utxo): { tx: Transaction; rate: number } {
    const key = btcd().miningKey;
    if (!key) throw new Error('expected a generated mining key');
    const draft = wallet.pay([input], [{ script: key.outputScript, value: 1_000_000n }], 0n, key);
    const fee = BigInt(Math.ceil(satPerVbyte * draft.virtualSize()));
    const tx = wallet.pay([input], [{ script: key.outputScript, value: 1_000_000n }], fee, key);
    return { tx, rate: Number(fee) / tx.virtualSize() };
  }

  test('the median over the last blocks, not the tip block alone; cached until the tip changes; floor on empty blocks', async () => {
    const rpc = new CountingRpc(btcd().rpcCredentials);
    const network = new BitcoinNetwork(rpc, { feeRateBlocks: 3 });
    const rates: number[] = [];
    // Block 1: nine cheap transactions. Blocks 2 and 3: three expensive ones each, block 3's
    // spending outputs created in block 2 (their values come from the window, not txindex).
    const cheap = [2, 2, 3, 3, 3, 4, 4, 5, 6].map((rate) => payAt(rate, pool.shift() as Utxo));
    for (const { tx } of cheap) await wallet.send(tx);
    await btcd().mine(1);
    rates.push(...cheap.map((p) => p.rate));
    const expensive = [40, 50, 60].map((rate) => payAt(rate, pool.shift() as Utxo));
    for (const { tx } of expensive) await wallet.send(tx);
    await btcd().mine(1);
    rates.push(...expensive.map((p) => p.rate));
    const chained = [45, 55, 65].map((rate, i) => payAt(rate, wallet.ownOutputs((expensive[i] as { tx: Transaction }).tx)[1] as Utxo));
    for (const { tx } of chained) await wallet.send(tx);
    await btcd().mine(1);
    rates.push(...chained.map((p) => p.rate));

    const sorted = [...rates].sort((a, b) => a - b);
    const expected = Math.ceil(sorted[Math.floor(sorted.length / 2)] as number);
    expect(expected).toBeLessThan(10); // a single-block median (block 3) would be 55
    rpc.calls = [];
    expect(await network.feeRate()).toBe(expected);
    // Every spent value outside the window is in one transaction (the split), fetched once.
    expect(rpc.calls.filter((method) => method === 'getrawtransaction')).toHaveLength(1);

    rpc.calls = [];
    expect(await network.feeRate()).toBe(expected);
    expect(rpc.calls).toEqual(['getbestblockhash']);

    await btcd().mine(3);
    expect(await network.feeRate()).toBe(MIN_FEE_RATE);
  });
});
