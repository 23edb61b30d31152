/**
 * What a Router `execute` batch costs, decided without a node so every validator agrees (pure,
 * workflow-safe). Serai runs the Router in a local EVM for this (reference ethereum-router.md 3.2);
 * here each coin has a worst-case gas line, `base + perOut × outs`, measured on anvil and held to
 * by test/integration/ethereum/batch-cost.test.ts: every batch of payees that cost the most (new
 * accounts or token holders, payees whose refusal opens an `owed` entry, a relayer holding none of
 * the token) stays within it, up to the largest batch the cap allows.
 *
 * The publisher's fee is the line's gas at the fee per gas read at a block every validator has,
 * converted into the batch's coin and into Serai's 8 decimals, rounded up so a publisher is never
 * short.
 */
import type { BatchCostModel } from '../../scheduler/account/types';

/** Serai's cap on one batch: half of EIP-7825's per-transaction cap of 2^24. */
export const BATCH_GAS_LIMIT = 8_388_608;

/** A coin's worst-case gas line for `execute`, calldata and the transaction's 21,000 included. */
export interface ExecuteGas {
  readonly base: number;
  readonly perOut: number;
}

/**
 * ETH: an empty batch measures 47,834 gas; the first `owed` entry the Router ever opens adds
 * ~20,000 more; a payment to a new account or to a payee that refuses it measures 35,800.
 */
export const ETH_EXECUTE_GAS: ExecuteGas = { base: 70_000, perOut: 38_000 };
/**
 * An OpenZeppelin ERC20 (the devnet's DAI): an empty batch paying a relayer that holds none of the
 * token measures 75,001; a payment to a new holder 27,000.
 */
export const OZ_ERC20_EXECUTE_GAS: ExecuteGas = { base: 80_000, perOut: 30_000 };

/** 10^10 wei (or token base units at 18 decimals) make one unit at Serai's 8 decimals. */
const SERAI_UNIT = 10n ** 10n;

export interface RouterCoinCost {
  /** The coin's Serai name, as the scheduler names it. */
  readonly coin: string;
  readonly gas: ExecuteGas;
  /** How many of the coin's base units one wei buys (ETH: 1; a token: its agreed price in ETH). */
  readonly unitsPerWei: bigint;
}

export class BatchCostError extends Error {
  override readonly name = 'BatchCostError';
}

/** The scheduler's cost model for the Router at `feePerGas` wei. */
export function routerCostModel(feePerGas: bigint, coins: readonly RouterCoinCost[]): BatchCostModel {
  if (feePerGas < 0n) throw new BatchCostError(`fee per gas must be non-negative, got ${feePerGas}`);
  const byCoin = new Map(coins.map((c) => [c.coin, c]));
  const costOf = (coin: string): RouterCoinCost => {
    const found = byCoin.get(coin);
    if (found === undefined) throw new BatchCostError(`no execute cost is known for coin ${coin}`);
    return found;
  };
  return {
    gas: (coin, outs) => {
      const { base, perOut } = costOf(coin).gas;
      return base + perOut * outs;
    },
    fee: (coin, gas) => ceilDiv(BigInt(gas) * feePerGas * costOf(coin).unitsPerWei, SERAI_UNIT),
  };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
