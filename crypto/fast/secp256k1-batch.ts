/**
 * Batched affine re-keying of compressed secp256k1 points, `±P + T` for many P and one T, on the
 * float-limb field: square roots by libsecp256k1's addition chain, one inversion for all slopes.
 * Used to prepare key packages (every verifying share moves), where noble's per-point
 * decompress, add and compress cost ~0.4 ms a point.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import * as helpers from './secp256k1-fe';
import * as field from './secp256k1-field';
import type { Fe } from './secp256k1-field';

const { affineAdd, feAdd, feCanonical, feMul, feSqr, feSub } = field;
const { fe, feFromBigint, feFromBytes, feInvert, feIsZero, feToBigint, FE_ONE, FE_SEVEN, FE_ZERO } = helpers;
const Point = secp256k1.Point;

function squareTimes(a: Fe, times: number, out: Fe): void {
  feSqr(a, out);
  for (let i = 1; i < times; i++) feSqr(out, out);
}

/**
 * a^((p+1)/4), a square root of a when one exists (p ≡ 3 mod 4). The exponent's binary form has
 * runs of 1s of lengths 223, 22 and 2; chain of libsecp256k1's secp256k1_fe_sqrt.
 */
export function feSqrtCandidate(a: Fe, out: Fe): void {
  const x2 = fe();
  const x3 = fe();
  const x6 = fe();
  const x9 = fe();
  const x11 = fe();
  const x22 = fe();
  const x44 = fe();
  const x88 = fe();
  const x176 = fe();
  const x220 = fe();
  const x223 = fe();
  const t = fe();
  feSqr(a, x2);
  feMul(x2, a, x2);
  feSqr(x2, x3);
  feMul(x3, a, x3);
  squareTimes(x3, 3, x6);
  feMul(x6, x3, x6);
  squareTimes(x6, 3, x9);
  feMul(x9, x3, x9);
  squareTimes(x9, 2, x11);
  feMul(x11, x2, x11);
  squareTimes(x11, 11, x22);
  feMul(x22, x11, x22);
  squareTimes(x22, 22, x44);
  feMul(x44, x22, x44);
  squareTimes(x44, 44, x88);
  feMul(x88, x44, x88);
  squareTimes(x88, 88, x176);
  feMul(x176, x88, x176);
  squareTimes(x176, 44, x220);
  feMul(x220, x44, x220);
  squareTimes(x220, 3, x223);
  feMul(x223, x3, x223);
  squareTimes(x223, 23, t);
  feMul(t, x22, t);
  squareTimes(t, 6, t);
  feMul(t, x2, t);
  squareTimes(t, 2, out);
}

const P_BYTES = Point.Fp.toBytes(Point.Fp.ORDER);
function belowP(bytes: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 32; i++) {
    const byte = bytes[offset + i]!;
    if (byte !== P_BYTES[i]) return byte < P_BYTES[i]!;
  }
  return false;
}

const canonical = fe();
function isOdd(a: Fe): boolean {
  feCanonical(a, canonical);
  return (canonical[0]! & 1) === 1;
}

/** Strict SEC1 compressed decoding into affine limbs. */
export function decompress(bytes: Uint8Array): { x: Fe; y: Fe } {
  if (bytes.length !== 33 || (bytes[0] !== 0x02 && bytes[0] !== 0x03)) throw new Error('expected a compressed SEC1 point');
  if (!belowP(bytes, 1)) throw new Error('x is not below the field prime');
  const x = feFromBytes(bytes, 1);
  const rhs = fe();
  feSqr(x, rhs);
  feMul(rhs, x, rhs);
  feAdd(rhs, FE_SEVEN, rhs);
  const y = fe();
  feSqrtCandidate(rhs, y);
  const check = fe();
  feSqr(y, check);
  feSub(check, rhs, check);
  if (!feIsZero(check)) throw new Error('point is not on the curve');
  if (isOdd(y) !== (bytes[0] === 0x03)) feSub(FE_ZERO, y, y);
  return { x, y };
}

function compress(x: Fe, y: Fe): Uint8Array {
  const out = new Uint8Array(33);
  out[0] = isOdd(y) ? 0x03 : 0x02;
  out.set(Point.Fp.toBytes(feToBigint(x)), 1);
  return out;
}

/**
 * `±P + shift` for every compressed P, compressed; `shift` null adds nothing. A point equal to
 * ∓shift (sum would be the identity or need a doubling) is left to noble, which handles both.
 */
export function shiftCompressedPoints(points: readonly Uint8Array[], negate: boolean, shift: typeof Point.BASE | null): Uint8Array[] {
  const decoded = points.map((bytes) => {
    const p = decompress(bytes);
    if (negate) feSub(FE_ZERO, p.y, p.y);
    return p;
  });
  if (shift === null) return decoded.map((p) => compress(p.x, p.y));
  const { x: sx, y: sy } = shift.toAffine();
  const tx = feFromBigint(sx);
  const ty = feFromBigint(sy);
  const denominators = decoded.map((p) => {
    const d = fe();
    feSub(p.x, tx, d);
    return d;
  });
  const regular = denominators.map((d) => !feIsZero(d));
  // One inversion: prefix products over the regular points, then back-substitution.
  const prefix: Fe[] = [];
  let running = FE_ONE;
  denominators.forEach((d, i) => {
    if (!regular[i]) return;
    const next = fe();
    feMul(running, d, next);
    prefix.push(next);
    running = next;
  });
  const inverses: Fe[] = new Array<Fe>(decoded.length);
  if (prefix.length > 0) {
    let inverse = feInvert(prefix[prefix.length - 1]!);
    let k = prefix.length - 1;
    for (let i = decoded.length - 1; i >= 0; i--) {
      if (!regular[i]) continue;
      const result = fe();
      if (k > 0) feMul(inverse, prefix[k - 1]!, result);
      else result.set(inverse);
      inverses[i] = result;
      const nextInverse = fe();
      feMul(inverse, denominators[i]!, nextInverse);
      inverse = nextInverse;
      k -= 1;
    }
  }
  return decoded.map((p, i) => {
    if (!regular[i]) {
      const nobleP = Point.fromAffine({ x: feToBigint(p.x), y: feToBigint(p.y) });
      return nobleP.add(shift).toBytes(true);
    }
    const ox = fe();
    const oy = fe();
    affineAdd(p.x, p.y, tx, ty, inverses[i]!, ox, oy);
    return compress(ox, oy);
  });
}
