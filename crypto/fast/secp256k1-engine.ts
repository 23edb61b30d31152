/**
 * The fast secp256k1 group engine of the signing path: strict decoding of uncompressed wire
 * points without BigInt, and the float-limb MSM (crypto/fast/secp256k1-msm.ts).
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { compressSecpWire, SECP_WIRE_LENGTH, SecpPoint } from '../sign/curves';
import type { GroupEngine } from '../sign/suite';
import type { PublicScalar } from './public-scalar';
import * as helpers from './secp256k1-fe';
import * as field from './secp256k1-field';
import { affineFromBigints, msm, type AffinePoint } from './secp256k1-msm';

const { feAdd, feMul, feSqr, feSub } = field;
const { fe, feFromBytes, feIsZero, feToBigint, FE_SEVEN } = helpers;

const P_BYTES = hexToBytes('fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f');

function belowP(bytes: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 32; i++) {
    const byte = bytes[offset + i]!;
    if (byte !== P_BYTES[i]) return byte < P_BYTES[i]!;
  }
  return false;
}

const lhs = fe();
const rhs = fe();
/** y² = x³ + 7 */
function onCurve(point: AffinePoint): boolean {
  feSqr(point.y, lhs);
  feSqr(point.x, rhs);
  feMul(rhs, point.x, rhs);
  feAdd(rhs, FE_SEVEN, rhs);
  feSub(lhs, rhs, lhs);
  return feIsZero(lhs);
}

/** The identity is `null`: it never appears as a decoded point, only as an MSM result. */
export type FastSecpPoint = AffinePoint | null;

export const secp256k1FastEngine: GroupEngine<SecpPoint, FastSecpPoint> = {
  wireLength: SECP_WIRE_LENGTH,
  decodeWire(bytes) {
    if (bytes.length !== SECP_WIRE_LENGTH || bytes[0] !== 0x04) throw new Error('expected a 65-byte uncompressed SEC1 point');
    if (!belowP(bytes, 1) || !belowP(bytes, 33)) throw new Error('coordinate is not below the field prime');
    const point = { x: feFromBytes(bytes, 1), y: feFromBytes(bytes, 33) };
    if (!onCurve(point)) throw new Error('point is not on the curve');
    return point;
  },
  canonicalFromWire: compressSecpWire,
  encodeWire: (point) => point.toBytes(false),
  fromNoble(point) {
    if (point.is0()) return null;
    const { x, y } = point.toAffine();
    return affineFromBigints(x, y);
  },
  toNoble: (point) => (point === null ? SecpPoint.ZERO : SecpPoint.fromAffine({ x: feToBigint(point.x), y: feToBigint(point.y) })),
  msm: (points, scalars) => {
    const nonIdentity: AffinePoint[] = [];
    const used: PublicScalar[] = [];
    points.forEach((point, i) => {
      if (point !== null) {
        nonIdentity.push(point);
        used.push(scalars[i]!);
      }
    });
    return msm(nonIdentity, used);
  },
  isIdentity: (point) => point === null,
  base: affineFromBigints(SecpPoint.BASE.x, SecpPoint.BASE.y),
};
