/**
 * Ethereum addresses as Serai names them: an `ExternalAddress` holding `0x00 ‖ address[20]` (an
 * account), or `0x01 ‖ gas_limit u32 LE ‖ initcode` (code to deploy and call, which this Router does
 * not pay: such an address names no payee here). Inside this system an Ethereum payee is its
 * 20-byte address as lowercase hex without 0x, the form payments and refunds carry. Pure.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ScaleReader } from '../../messages/scale-decode';

const ACCOUNT = 0;
const CODE = 1;
const ADDRESS_LENGTH = 20;

/** The payee (20-byte hex) an encoded Serai address names, or null when it names no account. */
export function decodeEthereumAddress(encoded: Uint8Array): string | null {
  try {
    const reader = new ScaleReader(encoded);
    if (reader.variant('address', CODE + 1) !== ACCOUNT) return null;
    const address = reader.fixedBytes('address', ADDRESS_LENGTH);
    reader.end('address');
    return bytesToHex(address);
  } catch {
    return null;
  }
}

/** Serai's encoding of an account (20-byte hex, with or without 0x, any case). */
export function encodeEthereumAddress(address: string): Uint8Array {
  const hex = address.replace(/^0x/i, '').toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(hex)) throw new RangeError(`not a 20-byte Ethereum address: ${JSON.stringify(address)}`);
  return Uint8Array.of(ACCOUNT, ...hexToBytes(hex));
}

/** The payee form of an address as a node or ethers prints it (0x, checksummed or not). */
export function payeeOf(address: string): string {
  return bytesToHex(encodeEthereumAddress(address).subarray(1));
}
