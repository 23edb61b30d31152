/**
 * Conversions and predicates around the generated secp256k1 field arithmetic
 * (crypto/fast/secp256k1-field.ts): limbs ⇄ bigint/bytes, zero test, inversion.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import * as field from './secp256k1-field';
import type { Fe } from './secp256k1-field';

const { feCanonical } = field;

const Fp = secp256k1.Point.Fp;
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

const scratch = fe();
export function feToBigint(a: Fe): bigint {
  feCanonical(a, scratch);
  let value = 0n;
  for (let k = LIMBS - 1; k >= 0; k--) value = (value << 24n) | BigInt(scratch[k]!);
  return value;
}

/** 32 big-endian bytes at `offset` (a value below 2^256, not necessarily below p) into limbs. */
export function feFromBytes(bytes: Uint8Array, offset: number, out: Fe = fe()): Fe {
  const at = (i: number) => bytes[offset + i]!;
  for (let k = 0; k < 10; k++) {
    const end = offset + 31 - 3 * k;
    out[k] = bytes[end]! | (bytes[end - 1]! << 8) | (bytes[end - 2]! << 16);
  }
  out[10] = at(1) | (at(0) << 8);
  return out;
}

export function feIsZero(a: Fe): boolean {
  feCanonical(a, scratch);
  for (let k = 0; k < LIMBS; k++) if (scratch[k] !== 0) return false;
  return true;
}

export function feIsOdd(a: Fe): boolean {
  feCanonical(a, scratch);
  return (scratch[0]! & 1) === 1;
}

export function feCopy(a: Fe, out: Fe = fe()): Fe {
  out.set(a);
  return out;
}

/** 1/a; a must be non-zero. Through BigInt: one inversion per MSM step is cheap next to the float work. */
export function feInvert(a: Fe, out: Fe = fe()): Fe {
  return feFromBigint(Fp.inv(feToBigint(a)), out);
}

export const FE_ZERO: Fe = fe();
export const FE_ONE: Fe = feFromBigint(1n);
export const FE_SEVEN: Fe = feFromBigint(7n);
