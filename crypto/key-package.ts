/**
 * Byte encodings of noble's FROST key packages, for the keystore. Deterministic (sorted identifiers)
 * so the same public package always encodes to the same bytes on every validator.
 */
import type { FrostPublic, FrostSecret } from '@noble/curves/abstract/frost.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

export class KeyPackageDecodeError extends Error {
  override readonly name = 'KeyPackageDecodeError';
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();
const HEX = /^(?:[0-9a-f]{2})+$/;

export function encodeFrostPublic(pub: FrostPublic): Uint8Array {
  const verifyingShares = Object.keys(pub.verifyingShares)
    .sort()
    .map((id) => [id, bytesToHex(pub.verifyingShares[id]!)]);
  return textEncoder.encode(
    JSON.stringify({ min: pub.signers.min, max: pub.signers.max, commitments: pub.commitments.map(bytesToHex), verifyingShares }),
  );
}

export function decodeFrostPublic(bytes: Uint8Array): FrostPublic {
  const value = parse(bytes, 'public package') as { min?: unknown; max?: unknown; commitments?: unknown; verifyingShares?: unknown };
  const { min, max, commitments, verifyingShares } = value;
  if (!Number.isInteger(min) || !Number.isInteger(max) || !Array.isArray(commitments) || !Array.isArray(verifyingShares)) {
    throw new KeyPackageDecodeError('public package: missing signers, commitments or verifying shares');
  }
  return {
    signers: { min: min as number, max: max as number },
    commitments: commitments.map((c) => hex(c, 'commitment')),
    verifyingShares: Object.fromEntries(
      verifyingShares.map((entry) => {
        if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw new KeyPackageDecodeError('public package: bad verifying share');
        return [entry[0], hex(entry[1], 'verifying share')];
      }),
    ),
  };
}

export function encodeFrostSecret(secret: FrostSecret): Uint8Array {
  return textEncoder.encode(JSON.stringify({ identifier: secret.identifier, signingShare: bytesToHex(secret.signingShare) }));
}

export function decodeFrostSecret(bytes: Uint8Array): FrostSecret {
  const value = parse(bytes, 'secret share') as { identifier?: unknown; signingShare?: unknown };
  if (typeof value.identifier !== 'string') throw new KeyPackageDecodeError('secret share: missing identifier');
  return { identifier: value.identifier, signingShare: hex(value.signingShare, 'signing share') };
}

function parse(bytes: Uint8Array, what: string): object {
  try {
    const value: unknown = JSON.parse(textDecoder.decode(bytes));
    if (typeof value === 'object' && value !== null) return value;
  } catch {
    // fall through to the typed error, which never echoes the bytes (they may be secret)
  }
  throw new KeyPackageDecodeError(`${what}: not a key package encoding`);
}

function hex(value: unknown, what: string): Uint8Array<ArrayBuffer> {
  if (typeof value !== 'string' || !HEX.test(value)) throw new KeyPackageDecodeError(`${what}: expected hex bytes`);
  return Uint8Array.from(hexToBytes(value));
}
