/**
 * Supply accounting per coin. The invariant: everything ever minted minus everything ever burned
 * is exactly what the accounts hold (burned coins leave the accounts at `burn` time, before the
 * block that carries the burn to the processors).
 */
import type { ExternalCoin } from '../../messages/networks';
import { EXTERNAL_COINS, type SeraiChainState } from './state';

export interface CoinReport {
  minted: string;
  burned: string;
  /** minted - burned: the coin's total supply on Serai. */
  supply: string;
  /** The sum of every account's balance. */
  balances: string;
  /** Deposited in included Batches but not minted (unsupported instruction or supply overflow). */
  unminted: string;
}

export function balanceSum(state: SeraiChainState, coin: ExternalCoin): bigint {
  let sum = 0n;
  for (const account of Object.values(state.balances)) sum += BigInt(account[coin] ?? '0');
  return sum;
}

/** Per coin: minted, burned, supply, the sum of balances and what was deposited but not minted. */
export function totals(state: SeraiChainState): Record<ExternalCoin, CoinReport> {
  const report = {} as Record<ExternalCoin, CoinReport>;
  for (const coin of EXTERNAL_COINS) {
    const { minted, burned, unminted } = state.coins[coin];
    report[coin] = {
      minted,
      burned,
      supply: (BigInt(minted) - BigInt(burned)).toString(),
      balances: balanceSum(state, coin).toString(),
      unminted,
    };
  }
  return report;
}

/** The first coin whose supply differs from the sum of balances, described; undefined if none. */
export function supplyProblem(state: SeraiChainState): { coin: ExternalCoin; reason: string } | undefined {
  for (const [coin, report] of Object.entries(totals(state)) as [ExternalCoin, CoinReport][]) {
    if (report.supply !== report.balances) {
      return { coin, reason: `minted - burned is ${report.supply} but the balances sum to ${report.balances}` };
    }
  }
  return undefined;
}
