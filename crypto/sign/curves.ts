/**
 * The three FROST groups: noble's point classes and their RFC 9591 hashes, and noble's own
 * secp256k1 group engine (a reference for the fast engines of crypto/fast, which the suites run on).
 *
 * Commitment wire format: secp256k1 points travel as 65-byte uncompressed SEC1 (0x04 || x || y),
 * not compressed. Decompressing costs a square root per point, which at 67 signers was about a
 * third of noble's share time; an uncompressed point is validated with one curve-equation check.
 * The compressed form that RFC 9591 hashes is derived from it without arithmetic (y's parity).
 * ristretto255 and ed25519 points are 32 bytes, strictly decoded (canonical, not the identity,
 * and for ed25519 in the prime-order subgroup), as noble's FROST requires.
 */
import { mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import { ed25519, ristretto255 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { secp256k1HashToScalar, sha256, sha512, sha512HashToScalar } from './hashes';
import type { GroupEngine } from './suite';

export const SecpPoint = secp256k1.Point;
export type SecpPoint = typeof secp256k1.Point.BASE;
export const RistrettoPoint = ristretto255.Point;
export type RistrettoPoint = typeof ristretto255.Point.BASE;
export const EdwardsPoint = ed25519.Point;
export type EdwardsPoint = typeof ed25519.Point.BASE;

export const SECP_WIRE_LENGTH = 65;

/** RFC 9591 FROST(secp256k1, SHA-256): H1..H3 are hash_to_field with expand_message_xmd. */
export const secp256k1Hashes = { hash: sha256, hashToScalar: secp256k1HashToScalar };

/** RFC 9591 H1/H2/H3 for ristretto255 and ed25519: SHA-512(dst || msg) as a little-endian integer mod L. */
export const sha512Hashes = { hash: sha512, hashToScalar: sha512HashToScalar };

/** The compressed SEC1 encoding of a valid uncompressed one: parity of y, then x. */
export function compressSecpWire(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(33);
  out[0] = 0x02 | (bytes[64]! & 1);
  out.set(bytes.subarray(1, 33), 1);
  return out;
}

export function decodeSecpWire(bytes: Uint8Array): SecpPoint {
  if (bytes.length !== SECP_WIRE_LENGTH || bytes[0] !== 0x04) throw new Error('expected a 65-byte uncompressed SEC1 point');
  return SecpPoint.fromBytes(bytes);
}

/** secp256k1 on noble's own point arithmetic: the reference engine. */
export const secp256k1NobleEngine: GroupEngine<SecpPoint, SecpPoint> = {
  wireLength: SECP_WIRE_LENGTH,
  decodeWire: decodeSecpWire,
  canonicalFromWire: compressSecpWire,
  encodeWire: (point) => point.toBytes(false),
  fromNoble: (point) => point,
  toNoble: (point) => point,
  msm: (points, scalars) => mulAddUnsafe(SecpPoint, [...points], [...scalars]),
  isIdentity: (point) => point.is0(),
  base: SecpPoint.BASE,
};
