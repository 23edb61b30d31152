/**
 * Scalar and point arithmetic the DKG needs beyond noble's point methods: non-zero scalars from
 * randomness or hashes, polynomial evaluation, Feldman (VSS) evaluation at a participant index, and
 * "is this linear combination zero" via one multi-scalar multiplication.
 *
 * `msm` and `isBaseMultiple` are variable-time and take only `PublicScalar`s; a secret (a share, a
 * sum of shares, a nonce) goes through `baseMultipleSecret`, noble's constant-time multiply.
 */
import { mulAddUnsafe, pippenger, type CurvePoint, type CurvePointCons } from '@noble/curves/abstract/curve.js';
import { getMinHashLength, mapHashToField } from '@noble/curves/abstract/modular.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { randomBytes } from '@noble/hashes/utils.js';

import type { PublicScalar } from '../fast/public-scalar';
import type { DkgSuite } from './suite';

export type Rng = (bytes: number) => Uint8Array;
export const defaultRng: Rng = (bytes) => randomBytes(bytes);

/** A uniformly distributed scalar in [1, n-1] from at least 1.5 field lengths of input bytes. */
export function nonZeroScalar<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, input: Uint8Array): bigint {
  const { Fn } = suite.Point;
  return Fn.fromBytes(mapHashToField(input, Fn.ORDER, Fn.isLE));
}

export function randomScalar<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, rng: Rng): bigint {
  return nonZeroScalar(suite, rng(Math.max(getMinHashLength(suite.Point.Fn.ORDER), 64)));
}

/** f(x) = c_0 + c_1 x + ... + c_{t-1} x^{t-1} mod the group order (Horner). */
export function evaluatePolynomial(Fn: { add(a: bigint, b: bigint): bigint; mul(a: bigint, b: bigint): bigint }, coefficients: readonly bigint[], x: bigint): bigint {
  let acc = 0n;
  for (let k = coefficients.length - 1; k >= 0; k--) acc = Fn.add(Fn.mul(acc, x), coefficients[k] as bigint);
  return acc;
}

/** k·P for a small positive integer k (a participant index) by double-and-add: public inputs only. */
export function multiplySmall<P extends CurvePoint<bigint, P>>(point: P, k: number): P {
  if (!Number.isSafeInteger(k) || k < 1) throw new RangeError('expected a positive integer');
  let acc = point;
  for (let bit = Math.floor(Math.log2(k)) - 1; bit >= 0; bit--) {
    acc = acc.double();
    if ((k >> bit) & 1) acc = acc.add(point);
  }
  return acc;
}

/**
 * Σ_k x^k·C_k for a small index x, by Horner's rule: each step multiplies by x with a few
 * doublings instead of a full-width scalar multiplication per commitment.
 */
export function evaluateCommitments<P extends CurvePoint<bigint, P>>(commitments: readonly P[], x: number): P {
  const last = commitments.length - 1;
  let acc = commitments[last] as P;
  for (let k = last - 1; k >= 0; k--) acc = multiplySmall(acc, x).add(commitments[k] as P);
  return acc;
}

/**
 * [P(1), ..., P(count)] for P(x) = Σ_k x^k·C_k. The first t = C.length values come from Horner;
 * past them Newton's forward differences give each further value with t-1 additions, instead of
 * a Horner evaluation that costs (t-1)·log2(x) doublings.
 */
export function evaluateCommitmentsFrom1<P extends CurvePoint<bigint, P>>(commitments: readonly P[], count: number): P[] {
  const t = commitments.length;
  const values: P[] = [];
  for (let x = 1; x <= Math.min(count, t); x++) values.push(evaluateCommitments(commitments, x));
  if (count <= t) return values;
  // diagonal[m] = Δ^m P(t - m), the last entry of row m of the difference table of P(1..t).
  let row = values;
  const diagonal: P[] = [row[t - 1] as P];
  for (let m = 1; m < t; m++) {
    row = row.slice(1).map((next, i) => next.subtract(row[i] as P));
    diagonal.push(row[row.length - 1] as P);
  }
  const extended = values.slice();
  for (let x = t + 1; x <= count; x++) {
    // Δ^m P(x - m) = Δ^m P(x - 1 - m) + Δ^(m+1) P(x - 1 - m); Δ^(t-1) P is constant (degree t-1).
    for (let m = t - 2; m >= 0; m--) diagonal[m] = (diagonal[m] as P).add(diagonal[m + 1] as P);
    extended.push(diagonal[0] as P);
  }
  return extended;
}

/** Σ scalars[i]·points[i] for public inputs; scalars in [0, n). Variable time: public scalars only. */
export function msm<P extends CurvePoint<bigint, P>>(Point: CurvePointCons<P>, points: P[], scalars: PublicScalar[]): P {
  // Interleaved wNAF shares one doubling chain as long as the longest scalar, so it profits from the
  // 128-bit batch weights; noble's Pippenger always walks all windows and wins only on large sets.
  return points.length <= 1024 ? mulAddUnsafe(Point, points, scalars) : pippenger(Point, points, scalars);
}

/** Whether sum = scalar·G, using noble's precomputed tables for the base point. Variable time: public scalars only. */
export function isBaseMultiple<P extends CurvePoint<bigint, P>>(Point: CurvePointCons<P>, sum: P, scalar: PublicScalar): boolean {
  return Point.BASE.multiplyUnsafe(scalar).equals(sum);
}

/**
 * scalar·G for a SECRET scalar in [0, n), in constant time (noble's `multiply`, which refuses 0:
 * 0 gives the identity, the one thing this branch reveals).
 */
export function baseMultipleSecret<P extends CurvePoint<bigint, P>>(Point: CurvePointCons<P>, scalar: bigint): P {
  return scalar === 0n ? Point.ZERO : Point.BASE.multiply(scalar);
}

/** A random non-zero 128-bit weight for random-linear-combination batch verification. */
export function batchWeight(rng: Rng): bigint {
  const weight = bytesToNumberBE(rng(16));
  return weight === 0n ? 1n : weight;
}
