/**
 * Conversions, predicates and the square-root ratio around the generated arithmetic modulo
 * p = 2^255 − 19 (crypto/fast/ed25519-field.ts).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import * as field from './ed25519-field';
import type { Fe } from './ed25519-field';

const { feCanonical, feMul, feSqr, feSub } = field;
const Fp = ed25519.Point.Fp;
const LIMBS = 11;
const MASK = 0xffffffn;

export const fe = (): Fe => new Float64Array(LIMBS);

export function feFromBigint(value: bigint, out: Fe = fe()): Fe {
  let rest = Fp.create(value);
  for (let k = 0; k < LIMBS; k++) {
    out[k] = Number(rest & MASK);
    rest >>= 24n;
  }
  return out;
}

const canonical = fe();
export function feToBigint(a: Fe): bigint {
  feCanonical(a, canonical);
  let value = 0n;
  for (let k = LIMBS - 1; k >= 0; k--) value = (value << 24n) | BigInt(canonical[k]!);
  return value;
}

/** 32 little-endian bytes at `offset` (a value below 2^256) into limbs. */
export function feFromBytesLE(bytes: Uint8Array, offset: number, out: Fe = fe()): Fe {
  for (let k = 0; k < 10; k++) {
    const at = offset + 3 * k;
    out[k] = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
  }
  out[10] = bytes[offset + 30]! | (bytes[offset + 31]! << 8);
  return out;
}

export function feIsZero(a: Fe): boolean {
  feCanonical(a, canonical);
  return canonical.every((limb) => limb === 0);
}

/** RFC 9496 IS_NEGATIVE: the canonical value is odd. */
export function feIsNegative(a: Fe): boolean {
  feCanonical(a, canonical);
  return (canonical[0]! & 1) === 1;
}

const left = fe();
const right = fe();
export function feEqual(a: Fe, b: Fe): boolean {
  feCanonical(a, left);
  feCanonical(b, right);
  for (let k = 0; k < LIMBS; k++) if (left[k] !== right[k]) return false;
  return true;
}

export const FE_ZERO: Fe = fe();
export const FE_ONE: Fe = feFromBigint(1n);
export const FE_D: Fe = feFromBigint(ed25519.Point.CURVE().d);
export const FE_2D: Fe = feFromBigint(2n * ed25519.Point.CURVE().d);
export const FE_SQRT_M1: Fe = feFromBigint(Fp.pow(2n, (Fp.ORDER - 1n) / 4n));

function squareTimes(a: Fe, times: number, out: Fe): void {
  feSqr(a, out);
  for (let i = 1; i < times; i++) feSqr(out, out);
}

/** x^((p − 5)/8) = x^(2^252 − 3), with the addition chain of ref10 / noble. */
export function fePow22523(x: Fe, out: Fe): void {
  const x2 = fe();
  const b2 = fe();
  const b4 = fe();
  const b5 = fe();
  const b10 = fe();
  const b20 = fe();
  const b40 = fe();
  const b80 = fe();
  const b160 = fe();
  const b240 = fe();
  const b250 = fe();
  const t = fe();
  feSqr(x, x2);
  feMul(x2, x, b2);
  squareTimes(b2, 2, t);
  feMul(t, b2, b4);
  squareTimes(b4, 1, t);
  feMul(t, x, b5);
  squareTimes(b5, 5, t);
  feMul(t, b5, b10);
  squareTimes(b10, 10, t);
  feMul(t, b10, b20);
  squareTimes(b20, 20, t);
  feMul(t, b20, b40);
  squareTimes(b40, 40, t);
  feMul(t, b40, b80);
  squareTimes(b80, 80, t);
  feMul(t, b80, b160);
  squareTimes(b160, 80, t);
  feMul(t, b80, b240);
  squareTimes(b240, 10, t);
  feMul(t, b10, b250);
  squareTimes(b250, 2, t);
  feMul(t, x, out);
}

/** RFC 9496 CT_ABS: the non-negative one of ±a. */
export function feAbs(a: Fe, out: Fe): void {
  if (feIsNegative(a)) feSub(FE_ZERO, a, out);
  else out.set(a);
}

/**
 * RFC 9496 section 4.2 SQRT_RATIO_M1(u, v): r = the non-negative square root of u/v when it
 * exists (wasSquare), else of SQRT_M1·u/v. Public inputs only (variable time).
 */
export function feSqrtRatioM1(u: Fe, v: Fe, r: Fe): boolean {
  const v3 = fe();
  const v7 = fe();
  const t = fe();
  feSqr(v, v3);
  feMul(v3, v, v3); // v³
  feSqr(v3, v7);
  feMul(v7, v, v7); // v⁷
  feMul(u, v7, t);
  fePow22523(t, t); // (u·v⁷)^((p−5)/8)
  feMul(u, v3, r);
  feMul(r, t, r); // r = u·v³·(u·v⁷)^((p−5)/8)
  const check = fe();
  feSqr(r, check);
  feMul(check, v, check);
  const minusU = fe();
  feSub(FE_ZERO, u, minusU);
  const minusUi = fe();
  feMul(minusU, FE_SQRT_M1, minusUi);
  const correctSign = feEqual(check, u);
  const flippedSign = feEqual(check, minusU);
  if (flippedSign || feEqual(check, minusUi)) feMul(r, FE_SQRT_M1, r);
  feAbs(r, r);
  return correctSign || flippedSign;
}

