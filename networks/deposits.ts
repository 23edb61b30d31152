/**
 * What a deposit's data comes to, on any chain: an InInstruction for Serai, a refund to the
 * depositor, or (with no address to refund to) a report. Types only, workflow-safe.
 */
import type { InInstructionWithBalance } from '../messages/instructions';
import type { Hex } from '../messages/primitives';

/** Why a deposit's data yields no InInstruction. */
export type InvalidInstruction =
  | { reason: 'no-data' }
  | { reason: 'data-too-long' }
  | { reason: 'malformed-script' }
  | { reason: 'undecodable'; field: string; detail: string }
  /** A valid Shorthand this processor does not execute (Swap, SwapAndAddLiquidity). */
  | { reason: 'unsupported'; shorthand: 'Swap' | 'SwapAndAddLiquidity' };

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
