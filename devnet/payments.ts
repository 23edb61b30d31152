import { bytesToHex } from '@noble/hashes/utils.js';
import { Block, Transaction } from 'bitcoinjs-lib';
import type { BitcoinRpc } from '../networks/bitcoin/rpc';

export interface Payment {
  txid: string;
  value: bigint;
  /** The block height, or `mempool`. */
  where: number | 'mempool';
}

/**
 * Every output paying `script` (hex) in btcd's mempool and its blocks from `fromHeight`, each
 * transaction once. The mempool is read before the tip, so a transaction mined in between is still
 * found (in its block): a mempool-only look misses a payout the miner took first.
 */
export async function paymentsTo(rpc: BitcoinRpc, script: string, fromHeight: number): Promise<Payment[]> {
  const found = new Map<string, Payment[]>();
  const collect = (tx: Transaction, where: Payment['where']) => {
    const txid = tx.getId();
    const paying = tx.outs.filter((out) => bytesToHex(out.script) === script).map((out) => ({ txid, value: out.value, where }));
    if (paying.length > 0) found.set(txid, paying);
  };
  for (const txid of await rpc.getRawMempool()) {
    const hex = await rpc.getRawTransactionHex(txid).catch(() => undefined); // mined or evicted since: its block is read below
    if (hex !== undefined) collect(Transaction.fromHex(hex), 'mempool');
  }
  const tip = await rpc.getBlockCount();
  for (let height = fromHeight; height <= tip; height++) {
    for (const tx of Block.fromHex(await rpc.getBlockHex(await rpc.getBlockHash(height))).transactions ?? []) collect(tx, height);
  }
  return [...found.values()].flat();
}
