/**
 * What a Bitcoin deposit asks for: its data decoded as a `Shorthand` into an InInstruction, or,
 * when the data is missing or invalid, a refund to its origin (or, without an origin, a record
 * that the deposit is unusable). Pure and deterministic: every validator decides alike.
 *
 * Addresses travel to and from Serai as `ExternalAddress` bytes holding Serai's Bitcoin address
 * encoding, SCALE `enum { P2PKH([u8;20]), P2SH([u8;20]), P2WPKH([u8;20]), P2WSH([u8;32]), P2TR([u8;32]) }`
 * (`substrate/client/src/networks/bitcoin.rs`). Inside this system an address is its output
 * script (hex), which is what payments and refunds pay to.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

import * as scale from '../../messages/scale';
import { ScaleReader } from '../../messages/scale-decode';
import { depositOutcomeOf, type DepositOutcome, type InvalidInstruction } from '../deposits';
import type { DataStatus, ScannedOutput } from './scan';

/**
 * `COST_TO_AGGREGATE` (reference section 5): the deposit fee Serai credits less, twice this per
 * External output, for the cost of later spending it.
 */
export const COST_TO_AGGREGATE = 800n;
export const DEPOSIT_FEE = 2n * COST_TO_AGGREGATE;

type AddressKind = 'P2PKH' | 'P2SH' | 'P2WPKH' | 'P2WSH' | 'P2TR';
const ADDRESS_KINDS: readonly AddressKind[] = ['P2PKH', 'P2SH', 'P2WPKH', 'P2WSH', 'P2TR'];
const PROGRAM_LENGTH: Readonly<Record<AddressKind, number>> = { P2PKH: 20, P2SH: 20, P2WPKH: 20, P2WSH: 32, P2TR: 32 };

/** The script's address kind and program, when Serai can encode it as an address. */
function addressOf(script: Uint8Array): { kind: AddressKind; program: Uint8Array } | null {
  const [b0, b1, b2] = script;
  if (script.length === 25 && b0 === 0x76 && b1 === 0xa9 && b2 === 0x14 && script[23] === 0x88 && script[24] === 0xac) {
    return { kind: 'P2PKH', program: script.subarray(3, 23) };
  }
  if (script.length === 23 && b0 === 0xa9 && b1 === 0x14 && script[22] === 0x87) return { kind: 'P2SH', program: script.subarray(2, 22) };
  if (script.length === 22 && b0 === 0x00 && b1 === 0x14) return { kind: 'P2WPKH', program: script.subarray(2) };
  if (script.length === 34 && b0 === 0x00 && b1 === 0x20) return { kind: 'P2WSH', program: script.subarray(2) };
  if (script.length === 34 && b0 === 0x51 && b1 === 0x20) return { kind: 'P2TR', program: script.subarray(2) };
  return null;
}

function scriptOf(kind: AddressKind, program: Uint8Array): Uint8Array {
  const hex = bytesToHex(program);
  switch (kind) {
    case 'P2PKH':
      return hexToBytes(`76a914${hex}88ac`);
    case 'P2SH':
      return hexToBytes(`a914${hex}87`);
    case 'P2WPKH':
      return hexToBytes(`0014${hex}`);
    case 'P2WSH':
      return hexToBytes(`0020${hex}`);
    case 'P2TR':
      return hexToBytes(`5120${hex}`);
  }
}

/** Whether a refund can pay this script: Serai can only name these five kinds of address. */
export function isRefundableScript(script: Uint8Array): boolean {
  return addressOf(script) !== null;
}

/** Serai's encoding of the address of `script` (the content of an ExternalAddress), or null. */
export function encodeAddress(script: Uint8Array): Uint8Array | null {
  const address = addressOf(script);
  return address === null ? null : scale.variant(ADDRESS_KINDS.indexOf(address.kind), address.program);
}

/** The output script an encoded address names, or null when the bytes are not exactly one. */
export function decodeAddress(encoded: Uint8Array): Uint8Array | null {
  try {
    const reader = new ScaleReader(encoded);
    const kind = ADDRESS_KINDS[reader.variant('address', ADDRESS_KINDS.length)] as AddressKind;
    const program = reader.fixedBytes('address', PROGRAM_LENGTH[kind]);
    reader.end('address');
    return scriptOf(kind, program);
  } catch {
    return null;
  }
}

/** The output script (hex) an encoded address names, the form payments pay, or null. */
export function paymentScript(encoded: Uint8Array): string | null {
  const script = decodeAddress(encoded);
  return script === null ? null : bytesToHex(script);
}

export type { DepositOutcome, InvalidInstruction } from '../deposits';

function missingData(status: DataStatus): InvalidInstruction {
  switch (status) {
    case 'oversized':
      return { reason: 'data-too-long' };
    case 'malformed':
      return { reason: 'malformed-script' };
    default:
      return { reason: 'no-data' };
  }
}

/** The outcome of one External output; other kinds are not deposits and yield null. */
export function depositOutcome(output: ScannedOutput): DepositOutcome | null {
  if (output.kind !== 'external') return null;
  return depositOutcomeOf({
    output: output.id,
    data: output.data === null ? missingData(output.dataStatus) : hexToBytes(output.data),
    presumedOrigin: output.presumedOrigin,
    paymentAddress: paymentScript,
    credit: () => {
      const amount = BigInt(output.amount) - DEPOSIT_FEE;
      // The scanner drops outputs below DUST (10 000 sat), far above the deposit fee.
      if (amount < 0n) throw new RangeError(`deposit ${output.id}: ${output.amount} sat is below the deposit fee`);
      return { coin: 'bitcoin', amount: amount.toString() };
    },
    refundAmount: output.amount,
  });
}

/** The outcomes of a block's deposits, in output order. */
export function depositOutcomes(outputs: readonly ScannedOutput[]): DepositOutcome[] {
  return outputs.flatMap((output) => depositOutcome(output) ?? []);
}
