/**
 * The fast ed25519 group engine of the ed25519 signing path: RFC 8032 strict decoding with the
 * prime-order subgroup check RFC 9591 requires, on the float-limb field of
 * crypto/fast/ed25519-field.ts, and the Edwards MSM of crypto/fast/edwards-msm.ts.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { EdwardsPoint } from '../sign/curves';
import type { GroupEngine } from '../sign/suite';
import * as helpers from './ed25519-fe';
import * as field from './ed25519-field';
import { IDENTITY, msm, type ExtendedPoint } from './edwards-msm';
import { publicScalar } from './public-scalar';

const { feAdd, feMul, feSqr, feSub } = field;
const { fe, feEqual, feFromBigint, feFromBytesLE, feIsNegative, feIsZero, feSqrtRatioM1, feToBigint, FE_D, FE_ONE, FE_ZERO } = helpers;

/** The prime order L of the subgroup: public, a constant of the curve. */
const ORDER = publicScalar(EdwardsPoint.Fn.ORDER);

function nonCanonicalY(bytes: Uint8Array): boolean {
  // y (the low 255 bits) ≥ p = 2^255 − 19: 0x7fff…ff with a low byte ≥ 0xed.
  if ((bytes[31]! & 0x7f) !== 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (bytes[i] !== 0xff) return false;
  return bytes[0]! >= 0xed;
}

/** Edwards identity: X = 0 and Y = Z. */
export const isEdwardsIdentity = (p: ExtendedPoint): boolean => feIsZero(p.x) && feEqual(p.y, p.z);

/** [L]P is the identity: P has no component of order 2, 4 or 8 (variable time; P is public). */
export const isTorsionFree = (p: ExtendedPoint): boolean => isEdwardsIdentity(msm([p], [ORDER]));

/**
 * RFC 8032 section 5.1.3 decoding, strict: refuses y ≥ p, a y with no x on the curve, and the
 * encoding of x = 0 with the sign bit set (noble's `fromBytes(bytes, false)` accepts exactly the
 * same strings). Then refuses the identity and any point outside the prime-order subgroup.
 */
export function decodeEd25519(bytes: Uint8Array): ExtendedPoint {
  if (bytes.length !== 32) throw new Error('expected a 32-byte ed25519 encoding');
  if (nonCanonicalY(bytes)) throw new Error('non-canonical ed25519 encoding');
  const sign = bytes[31]! >> 7;
  const y = feFromBytesLE(bytes, 0);
  y[10] = y[10]! & 0x7fff; // the top limb holds bits 240..255; bit 255 is x's sign
  const yy = fe();
  feSqr(y, yy);
  const u = fe();
  feSub(yy, FE_ONE, u); // u = y² − 1
  const v = fe();
  feMul(yy, FE_D, v);
  feAdd(v, FE_ONE, v); // v = d·y² + 1
  const x = fe();
  if (!feSqrtRatioM1(u, v, x)) throw new Error('invalid ed25519 encoding: no point with this y');
  const xIsZero = feIsZero(x);
  if (xIsZero && sign === 1) throw new Error('invalid ed25519 encoding: x = 0 with the sign bit set');
  if ((feIsNegative(x) ? 1 : 0) !== sign) feSub(FE_ZERO, x, x);
  if (xIsZero && feEqual(y, FE_ONE)) throw new Error('the identity is not a valid commitment');
  const t = fe();
  feMul(x, y, t);
  const point = { x, y, z: Float64Array.from(FE_ONE), t };
  if (!isTorsionFree(point)) throw new Error('point is not in the prime-order subgroup');
  return point;
}

export const ed25519FastEngine: GroupEngine<EdwardsPoint, ExtendedPoint> = {
  wireLength: 32,
  decodeWire: decodeEd25519,
  // Strict decoding accepts one encoding per point.
  canonicalFromWire: (bytes) => bytes,
  encodeWire: (point) => point.toBytes(),
  fromNoble(point) {
    if (point.is0()) return IDENTITY();
    const { x, y } = point.toAffine();
    const out = { x: feFromBigint(x), y: feFromBigint(y), z: Float64Array.from(FE_ONE), t: fe() };
    feMul(out.x, out.y, out.t);
    return out;
  },
  toNoble: (p) => (isEdwardsIdentity(p) ? EdwardsPoint.ZERO : new ed25519.Point(feToBigint(p.x), feToBigint(p.y), feToBigint(p.z), feToBigint(p.t))),
  msm,
  isIdentity: isEdwardsIdentity,
  base: decodeEd25519(EdwardsPoint.BASE.toBytes()),
};
