/**
 * What a Router deposit (its `InInstruction` event) asks for: the same decision as on every chain
 * (networks/deposits.ts), with Ethereum's amounts. Coins on Ethereum have 18 decimals and Serai's
 * have 8, so a deposit is credited `amount / 10^10` and the remainder (below 10^10 base units) stays
 * in the Router, uncredited: reported with the outcome so the books can count it. A coin Serai has
 * no coin for, an amount below the coin's dust or beyond a Serai amount is reported, never credited
 * and never refunded (a refund would pay out a coin or an amount the books do not hold). Pure.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { MAX_DATA_LEN } from '../../messages/limits';
import type { ExternalCoin } from '../../messages/networks';
import { depositOutcomeOf, type DepositOutcome, type InvalidInstruction } from '../deposits';
import { decodeEthereumAddress, payeeOf } from './address';

/** 18 decimals on Ethereum, 8 on Serai. */
export const SERAI_UNIT = 10n ** 10n;
const U64_MAX = 2n ** 64n - 1n;

/** A coin the Router holds for Serai. */
export interface RouterCoin {
  coin: Extract<ExternalCoin, 'ether' | 'dai'>;
  /** The least deposit credited, in Serai's units (reference: 0.0015 ETH, 5 DAI). */
  dust: bigint;
}

/** An `InInstruction` event of the Router, as the feed reads it. */
export interface RouterDeposit {
  /** `txhash:logIndex`, unique per event. */
  id: string;
  /** The sender (0x address): the presumed origin. */
  from: string;
  /** address(0) for ETH, else the token (0x address). */
  coin: string;
  /** In the coin's base units (wei), decimal. */
  amount: string;
  /** The instruction bytes, hex with 0x. */
  instruction: string;
}

export interface RouterDepositOutcome {
  outcome: DepositOutcome;
  /** Base units left in the Router uncredited (the whole amount when nothing is credited or refunded). */
  uncredited: string;
}

/** Serai's amount of `amount` base units and the remainder below it. */
export function toSeraiAmount(amount: bigint): { serai: bigint; remainder: bigint } {
  return { serai: amount / SERAI_UNIT, remainder: amount % SERAI_UNIT };
}

/** The base units a Serai amount pays out. */
export function fromSeraiAmount(serai: bigint): bigint {
  return serai * SERAI_UNIT;
}

/**
 * The outcome of one Router deposit. `coins` maps each coin's address (lowercase 0x hex; address(0)
 * for ETH) to the Serai coin it is.
 */
export function routerDepositOutcome(deposit: RouterDeposit, coins: ReadonlyMap<string, RouterCoin>): RouterDepositOutcome {
  const amount = BigInt(deposit.amount);
  const coin = coins.get(deposit.coin.toLowerCase());
  const reported = (invalid: InvalidInstruction): RouterDepositOutcome => ({
    outcome: { kind: 'unusable', output: deposit.id, invalid },
    uncredited: amount.toString(),
  });
  if (coin === undefined) return reported({ reason: 'unknown-coin', coin: deposit.coin.toLowerCase() });
  const { serai, remainder } = toSeraiAmount(amount);
  if (serai < coin.dust || serai > U64_MAX) return reported({ reason: 'amount-out-of-range', amount: deposit.amount });
  const outcome = depositOutcomeOf({
    output: deposit.id,
    data: instructionData(deposit.instruction),
    presumedOrigin: payeeOf(deposit.from),
    paymentAddress: decodeEthereumAddress,
    credit: () => ({ coin: coin.coin, amount: serai.toString() }),
    refundAmount: serai.toString(),
  });
  return { outcome, uncredited: (outcome.kind === 'unusable' ? amount : remainder).toString() };
}

/** The instruction's bytes, or why it has none to read (an event's data is never odd or non-hex). */
function instructionData(hex: string): Uint8Array | InvalidInstruction {
  const bytes = hexToBytes(hex.replace(/^0x/i, ''));
  if (bytes.length === 0) return { reason: 'no-data' };
  if (bytes.length > MAX_DATA_LEN) return { reason: 'data-too-long' };
  return bytes;
}
