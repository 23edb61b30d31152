/**
 * The fast ristretto255 group engine of the sr25519 signing path: RFC 9496 decoding on the
 * float-limb field of crypto/fast/ed25519-field.ts, and the Edwards MSM of crypto/fast/edwards-msm.ts
 * on the decoded representatives.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { RistrettoPoint } from '../sign/curves';
import type { GroupEngine } from '../sign/suite';
import * as helpers from './ed25519-fe';
import * as field from './ed25519-field';
import { IDENTITY, msm, type ExtendedPoint } from './edwards-msm';

const { feAdd, feMul, feSqr, feSub } = field;
const { fe, feAbs, feFromBytesLE, feIsNegative, feIsZero, feSqrtRatioM1, feToBigint, FE_D, FE_ONE, FE_ZERO } = helpers;

function nonCanonical(bytes: Uint8Array): boolean {
  // s ≥ p = 2^255 − 19: top bit set, or 0x7fff…ff with a low byte ≥ 0xed.
  if (bytes[31]! > 0x7f) return true;
  if (bytes[31] !== 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (bytes[i] !== 0xff) return false;
  return bytes[0]! >= 0xed;
}

/** RFC 9496 section 4.3.1 DECODE; rejects non-canonical, negative and invalid encodings and the identity. */
export function decodeRistretto(bytes: Uint8Array): ExtendedPoint {
  if (bytes.length !== 32) throw new Error('expected a 32-byte ristretto255 encoding');
  if (nonCanonical(bytes)) throw new Error('non-canonical ristretto255 encoding');
  const s = feFromBytesLE(bytes, 0);
  if (feIsNegative(s)) throw new Error('negative ristretto255 encoding');
  const ss = fe();
  feSqr(s, ss);
  const u1 = fe();
  feSub(FE_ONE, ss, u1);
  const u2 = fe();
  feAdd(FE_ONE, ss, u2);
  const u2Squared = fe();
  feSqr(u2, u2Squared);
  const v = fe();
  feSqr(u1, v);
  feMul(v, FE_D, v);
  feSub(FE_ZERO, v, v);
  feSub(v, u2Squared, v); // v = −d·u1² − u2²
  const product = fe();
  feMul(v, u2Squared, product);
  const invSqrt = fe();
  const wasSquare = feSqrtRatioM1(FE_ONE, product, invSqrt);
  const denX = fe();
  feMul(invSqrt, u2, denX);
  const denY = fe();
  feMul(invSqrt, denX, denY);
  feMul(denY, v, denY);
  const x = fe();
  feAdd(s, s, x);
  feMul(x, denX, x);
  feAbs(x, x);
  const y = fe();
  feMul(u1, denY, y);
  const t = fe();
  feMul(x, y, t);
  if (!wasSquare || feIsNegative(t) || feIsZero(y)) throw new Error('invalid ristretto255 encoding');
  if (feIsZero(x)) throw new Error('the identity is not a valid commitment');
  return { x, y, z: Float64Array.from(FE_ONE), t };
}

/** A ristretto255 element is the identity iff its representative has X = 0 or Y = 0 (RFC 9496 EQUALS). */
export const isRistrettoIdentity = (p: ExtendedPoint): boolean => feIsZero(p.x) || feIsZero(p.y);

export const ristretto255FastEngine: GroupEngine<RistrettoPoint, ExtendedPoint> = {
  wireLength: 32,
  decodeWire: decodeRistretto,
  canonicalFromWire: (bytes) => bytes,
  encodeWire: (point) => point.toBytes(),
  // Through the canonical encoding: noble keeps the Edwards representative private.
  fromNoble: (point) => (point.is0() ? IDENTITY() : decodeRistretto(point.toBytes())),
  toNoble: (p) =>
    isRistrettoIdentity(p)
      ? RistrettoPoint.ZERO
      : new RistrettoPoint(new ed25519.Point(feToBigint(p.x), feToBigint(p.y), feToBigint(p.z), feToBigint(p.t))),
  msm,
  isIdentity: isRistrettoIdentity,
  base: decodeRistretto(RistrettoPoint.BASE.toBytes()),
};
