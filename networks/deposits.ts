/**
 * What a deposit's data comes to, on any chain: an InInstruction for Serai, a refund to the
 * depositor, or (with no address to refund to) a report. Pure, workflow-safe.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import type { ExternalBalance, InInstructionWithBalance } from '../messages/instructions';
import type { Hex } from '../messages/primitives';
import { decodeShorthand } from '../messages/shorthand';

/** Why a deposit's data yields no InInstruction. */
export type InvalidInstruction =
  | { reason: 'no-data' }
  | { reason: 'data-too-long' }
  | { reason: 'malformed-script' }
  | { reason: 'undecodable'; field: string; detail: string }
  /** A valid Shorthand this processor does not execute (Swap, SwapAndAddLiquidity). */
  | { reason: 'unsupported'; shorthand: 'Swap' | 'SwapAndAddLiquidity' }
  /** A coin this network's processor does not hold (an ERC20 the Router was sent but Serai has no coin for). */
  | { reason: 'unknown-coin'; coin: string }
  /** Less than the coin's dust in Serai's units, or more than a Serai amount can hold. */
  | { reason: 'amount-out-of-range'; amount: string };

export type DepositOutcome =
  | {
      kind: 'instruction';
      output: string;
      instruction: InInstructionWithBalance;
      /** Where Serai would send the coins back: the instruction's origin, else the presumed origin. */
      refundTo: Hex | null;
    }
  | { kind: 'refund'; output: string; invalid: InvalidInstruction; refund: { address: Hex; amount: string } }
  /** Invalid data and no address to refund to: reported, never silently dropped. */
  | { kind: 'unusable'; output: string; invalid: InvalidInstruction };

/** A deposit as any chain sees it, for `depositOutcomeOf`. */
export interface Deposit {
  /** The deposit's id on its chain (Bitcoin `txid:vout`, Ethereum `txhash:logIndex`). */
  output: string;
  /** The data the depositor attached, or why there is none to read. */
  data: Uint8Array | InvalidInstruction;
  /** Whom the chain shows as the sender, in the form payments pay (hex), or null if none. */
  presumedOrigin: Hex | null;
  /** The payee a Serai `ExternalAddress` names on this chain (hex), or null if it names none. */
  paymentAddress(encoded: Uint8Array): Hex | null;
  /** What an instruction is credited, once the data is one (the chain's deposit fee taken). */
  credit(): ExternalBalance;
  /** What a refund pays back, in Serai's units. */
  refundAmount: string;
}

/**
 * What a deposit's data asks for, alike on every chain: a `Raw` Shorthand is credited; any other
 * data is refunded to the origin the Shorthand names, else to the presumed origin, or reported
 * when there is neither. Pure.
 */
export function depositOutcomeOf(deposit: Deposit): DepositOutcome {
  let invalid: InvalidInstruction;
  let refundTo = deposit.presumedOrigin;
  if (!(deposit.data instanceof Uint8Array)) {
    invalid = deposit.data;
  } else {
    const decoded = decodeShorthand(deposit.data);
    if (!decoded.ok) {
      invalid = { reason: 'undecodable', field: decoded.error.field, detail: decoded.error.reason };
    } else {
      const { shorthand } = decoded;
      if (shorthand.origin !== null) refundTo = deposit.paymentAddress(hexToBytes(shorthand.origin)) ?? refundTo;
      if (shorthand.kind === 'Raw') return { kind: 'instruction', output: deposit.output, instruction: { instruction: shorthand.instruction, balance: deposit.credit() }, refundTo };
      invalid = { reason: 'unsupported', shorthand: shorthand.kind };
    }
  }
  if (refundTo === null) return { kind: 'unusable', output: deposit.output, invalid };
  return { kind: 'refund', output: deposit.output, invalid, refund: { address: refundTo, amount: deposit.refundAmount } };
}
