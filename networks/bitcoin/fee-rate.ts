/**
 * The fee rate to build transactions with, from the transactions of several recent blocks (the
 * original used one block's median, reference section 6.20). Pure: the caller fetches blocks and
 * the values of the outputs their transactions spend.
 *
 * Method: from each of the last N blocks, up to K transactions (evenly spaced, coinbase excluded)
 * are sampled; each one's fee is the value it spends minus the value it creates, and its rate
 * fee / vsize. The estimate is the upper median of all sampled rates, rounded up to a whole
 * sat/vB, and never below the floor of 1 sat/vB. btcd has no getblockstats, so the spent values
 * come from the blocks themselves or from getrawtransaction (txindex).
 */
import type { Block, Transaction } from 'bitcoinjs-lib';

import { outpointOf, type Outpoint } from './scan';

export const MIN_FEE_RATE = 1;
export const DEFAULT_FEE_RATE_BLOCKS = 6;
export const DEFAULT_FEE_RATE_SAMPLES_PER_BLOCK = 40;

export interface FeeSample {
  fee: bigint;
  vsize: number;
}

/** The value an outpoint holds, or undefined when the caller does not know it. */
export type PrevoutValues = (outpoint: Outpoint) => bigint | undefined;

export class FeeRateInputError extends Error {
  override readonly name = 'FeeRateInputError';
  constructor(
    readonly txid: string,
    reason: string,
  ) {
    super(`fee of ${txid}: ${reason}`);
  }
}

/** Up to `max` non-coinbase transactions of the block, evenly spaced over it. */
export function sampleTransactions(block: Block, max: number): Transaction[] {
  const candidates = (block.transactions ?? []).filter((tx) => !tx.isCoinbase());
  if (candidates.length <= max) return candidates;
  return Array.from({ length: max }, (_, i) => candidates[Math.floor((i * candidates.length) / max)] as Transaction);
}

/** The outpoints a transaction spends. */
export function spentOutpoints(tx: Transaction): Outpoint[] {
  return tx.ins.map(outpointOf);
}

export function feeSample(tx: Transaction, prevoutValues: PrevoutValues): FeeSample {
  let spent = 0n;
  for (const input of tx.ins) {
    const value = prevoutValues(outpointOf(input));
    if (value === undefined) throw new FeeRateInputError(tx.getId(), `the value of ${outpointOf(input).txid}:${input.index} was not supplied`);
    spent += value;
  }
  const created = tx.outs.reduce((sum, out) => sum + out.value, 0n);
  if (created > spent) throw new FeeRateInputError(tx.getId(), 'creates more than it spends');
  return { fee: spent - created, vsize: tx.virtualSize() };
}

/** ceil(upper median of fee/vsize), at least `floor`; `floor` when there are no samples. */
export function feeRateOf(samples: readonly FeeSample[], floor: number = MIN_FEE_RATE): number {
  if (samples.length === 0) return floor;
  // Compared as fractions (a.fee/a.vsize vs b.fee/b.vsize), exactly.
  const sorted = [...samples].sort((a, b) => {
    const left = a.fee * BigInt(b.vsize);
    const right = b.fee * BigInt(a.vsize);
    return left < right ? -1 : left > right ? 1 : 0;
  });
  const median = sorted[Math.floor(sorted.length / 2)] as FeeSample;
  const vsize = BigInt(median.vsize);
  const rate = Number((median.fee + vsize - 1n) / vsize);
  return Math.max(floor, rate);
}
