/**
 * The account scheduler's JSON boundary (reference ethereum-router.md 7.5: Serai's smart-contract
 * scheduler). A contract holds every coin of the key in one balance per coin, so there are no
 * outputs to choose: payments queue per coin and leave in batches, each one signed call under the
 * contract's next nonce. Everything here lives in workflow state and history, so it is plain JSON:
 * amounts are decimal strings in Serai's units, coins their Serai names, addresses lowercase hex
 * without `0x`.
 */
import type { AmountString, Hex, Payment } from '../types';

/** A coin the contract pays out, in scheduling order. */
export interface AccountCoin {
  /** The coin's Serai name (`ether`, `dai`). */
  readonly coin: string;
  /** No payment is made that would arrive below this. */
  readonly dust: AmountString;
  /** The largest payment accepted. */
  readonly maxAmount: AmountString;
}

export interface AccountSchedulerConfig {
  readonly network: string;
  /** The key this scheduler signs for; bound into every plan id. */
  readonly key: Hex;
  readonly coins: readonly AccountCoin[];
  /** The most gas one batch may need (Serai: 2^24 / 2 = 8,388,608). */
  readonly maxBatchGas: number;
  /** The nonce of this key's first signed call: its own confirmation. */
  readonly firstNonce: number;
  /** Addresses payments may not go to (the contract itself). */
  readonly internalAddresses: readonly Hex[];
}

/** One coin's books. */
export interface AccountBalance {
  readonly coin: string;
  /** What the contract holds for Serai, payments still queued included. */
  readonly balance: AmountString;
  /** Payments not yet in a batch, first in first out. */
  readonly queue: readonly Payment[];
}

export interface AccountSchedulerState {
  readonly version: 1;
  readonly config: AccountSchedulerConfig;
  /** The nonce the next plan takes: plans take nonces one after another, none ever skipped. */
  readonly nextNonce: number;
  /** Whether the plan confirming this key (at `firstNonce`) was made. */
  readonly keyConfirmed: boolean;
  readonly balances: readonly AccountBalance[];
  /** Set once this key named its successor (px, 32-byte hex): it makes no plan again. Absent before. */
  readonly retiredTo?: Hex;
}

/**
 * What a retiring key's scheduler hands its successor's: the contract's balances with the payments
 * still queued (the contract, and what it holds, stay; only the key changes), and the nonce the
 * successor's confirmation takes, right after the retiring key's last call.
 */
export interface AccountHandover {
  readonly firstNonce: number;
  readonly balances: readonly AccountBalance[];
}

/** A payment in a batch: `amount` is what arrives, its fee share taken. */
export interface AccountOut {
  readonly payment: Hex;
  readonly address: Hex;
  readonly amount: AmountString;
}

export type AccountAction =
  /** The key's first call: it makes itself the contract's active key. */
  | { readonly kind: 'confirm-key' }
  /** The retiring key's last call: it names its successor (px, 32-byte hex), which confirms itself next. */
  | { readonly kind: 'set-next-key'; readonly nextKey: Hex }
  /** Pays `outs` in `coin`, and `fee` to whoever publishes the call. `gas` is the most it may need. */
  | { readonly kind: 'execute'; readonly coin: string; readonly fee: AmountString; readonly gas: number; readonly outs: readonly AccountOut[] };

/** One signed call to make, at `nonce`. */
export interface AccountPlan {
  readonly id: Hex;
  readonly network: string;
  readonly key: Hex;
  readonly nonce: number;
  readonly action: AccountAction;
}

/** A payment the scheduler will never make: what would arrive is nothing after its fee share, or less than dust. */
export interface AccountDroppedPayment {
  readonly payment: Payment;
  readonly coin: string;
  readonly reason: 'fee-exceeds-payment' | 'dust-after-fee';
}

/**
 * What a batch costs, from the chain's rules, pure: `gas` for a batch of `outs` payments in `coin`
 * (monotone in `outs`), and the publisher's `fee` for that gas, in the coin, in Serai's units.
 */
export interface BatchCostModel {
  gas(coin: string, outs: number): number;
  fee(coin: string, gas: number): bigint;
}

export interface AccountScheduleResult {
  readonly state: AccountSchedulerState;
  readonly plans: readonly AccountPlan[];
  readonly dropped: readonly AccountDroppedPayment[];
}
