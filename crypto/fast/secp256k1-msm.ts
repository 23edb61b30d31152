/**
 * Multi-scalar multiplication Σ kᵢ·Pᵢ on secp256k1 over public inputs (variable time), on the
 * float-limb field of crypto/fast/secp256k1-field.ts.
 *
 * Interleaved width-6 wNAF (Straus): each point gets a table of odd multiples P, 3P, …, 31P in
 * affine coordinates, built for all points at once with one batched inversion per multiple; one
 * Jacobian accumulator then walks the 257 bit positions with one doubling each and a mixed
 * (Jacobian + affine) addition per non-zero digit. Tables only grow as large as a scalar's largest
 * digit needs, so the hiding commitments of FROST (scalar 1) cost one addition each.
 *
 * Exceptional additions (accumulator = ±table entry) are handled: the fast walk skips the check,
 * and since such an addition forces Z = 0 for the rest of the walk, a final Z ≠ 0 proves none
 * happened; otherwise the walk is redone with every addition checked.
 */
import * as field from './secp256k1-field';
import * as helpers from './secp256k1-fe';
import type { Fe } from './secp256k1-field';
import type { PublicScalar } from './public-scalar';
import { digitsByPosition, recodeNonZero } from './wnaf';

// Bound once: the compiled CommonJS form reads imported bindings through getters on every call,
// which in these loops would cost as much as the field arithmetic itself.
const { affineAdd, affineDouble, feAdd, feMul, feMulSmall, feSqr, feSub, jacobianAddAffine, jacobianDouble } = field;
const { fe, feCopy, feFromBigint, feInvert, feIsZero, FE_ONE, FE_ZERO } = helpers;

export interface AffinePoint {
  readonly x: Fe;
  readonly y: Fe;
}

class Jacobian {
  readonly x = fe();
  readonly y = fe();
  readonly z = fe();
  infinity = true;
}

// Scratch registers; the module is synchronous, so one set suffices.
const A = fe();
const B = fe();
const C = fe();
const D = fe();
const E = fe();
const F = fe();
const H = fe();
const R = fe();
const T1 = fe();
const T2 = fe();
const S0 = fe();
const S1 = fe();
const S2 = fe();
const S3 = fe();

/** p ← 2p (dbl-2009-l, a = 0). secp256k1 has no point of order 2, so y ≠ 0. */
function double(p: Jacobian): void {
  if (p.infinity) return;
  feSqr(p.x, A);
  feSqr(p.y, B);
  feSqr(B, C);
  feAdd(p.x, B, T1);
  feSqr(T1, T1);
  feSub(T1, A, T1);
  feSub(T1, C, T1);
  feAdd(T1, T1, D);
  feMulSmall(A, 3, E);
  feSqr(E, F);
  feMul(p.y, p.z, T2);
  feAdd(T2, T2, p.z);
  feAdd(D, D, T1);
  feSub(F, T1, p.x);
  feSub(D, p.x, T1);
  feMul(E, T1, T1);
  feMulSmall(C, 8, T2);
  feSub(T1, T2, p.y);
}

/**
 * p ← p + (qx, qy) (madd-2007-bl). Unchecked, an exceptional input (p = ±q) yields Z = 0;
 * checked, it doubles or returns the identity instead.
 */
function addAffine(p: Jacobian, qx: Fe, qy: Fe, checked: boolean): void {
  if (p.infinity) {
    p.x.set(qx);
    p.y.set(qy);
    p.z.set(FE_ONE);
    p.infinity = false;
    return;
  }
  const Z1Z1 = A;
  const U2 = B;
  const S2 = C;
  feSqr(p.z, Z1Z1);
  feMul(qx, Z1Z1, U2);
  feMul(p.z, Z1Z1, T1);
  feMul(qy, T1, S2);
  feSub(U2, p.x, H);
  feSub(S2, p.y, T1);
  feAdd(T1, T1, R);
  if (checked && feIsZero(H)) {
    if (feIsZero(R)) double(p);
    else p.infinity = true;
    return;
  }
  const HH = D;
  const I = E;
  const J = F;
  feSqr(H, HH);
  feMulSmall(HH, 4, I);
  feMul(H, I, J);
  const V = I;
  feMul(p.x, I, V); // I is not needed after V
  feAdd(p.z, H, T1);
  feSqr(T1, T1);
  feSub(T1, Z1Z1, T1);
  feSub(T1, HH, p.z);
  feMul(p.y, J, T2);
  feAdd(T2, T2, T2);
  feSqr(R, T1);
  feSub(T1, J, T1);
  feSub(T1, V, T1);
  feSub(T1, V, p.x);
  feSub(V, p.x, T1);
  feMul(R, T1, T1);
  feSub(T1, T2, p.y);
}

/** Inverts values[0..count) in place with one field inversion (Montgomery's trick); all non-zero. */
function batchInvertInPlace(values: readonly Fe[], count: number, prefix: readonly Fe[]): void {
  if (count === 0) return;
  prefix[0]!.set(values[0]!);
  for (let i = 1; i < count; i++) feMul(prefix[i - 1]!, values[i]!, prefix[i]!);
  if (feIsZero(prefix[count - 1]!)) throw new Error('secp256k1 MSM: exceptional point while building tables');
  const inverse = feInvert(prefix[count - 1]!);
  for (let i = count - 1; i > 0; i--) {
    feMul(inverse, prefix[i - 1]!, T1);
    feMul(inverse, values[i]!, inverse);
    values[i]!.set(T1);
  }
  values[0]!.set(inverse);
}

/** Odd multiples 1P, 3P, …, (2·size − 1)P of every point, affine; x, y, −y of entry j at 3j.. */
type Table = Fe[];

// Table elements are reused from one MSM to the next (the MSM is synchronous and never
// re-entered): a 67-point MSM needs ~3,500 of them, and allocating them each time cost more in
// garbage collection than building the tables.
const pool: Fe[] = [];
let poolUsed = 0;
function take(): Fe {
  if (poolUsed === pool.length) pool.push(fe());
  return pool[poolUsed++]!;
}

interface PendingOperation {
  /** 2·(x, y) when `double`, else (x, y) + (qx, qy). */
  readonly double: boolean;
  readonly x: Fe;
  readonly y: Fe;
  readonly qx: Fe;
  readonly qy: Fe;
  readonly outX: Fe;
  readonly outY: Fe;
}

/** Runs independent affine additions and doublings with one field inversion for all of them. */
function runBatch(operations: readonly PendingOperation[], denominators: Fe[], prefix: Fe[]): void {
  while (denominators.length < operations.length) denominators.push(fe());
  while (prefix.length < operations.length) prefix.push(fe());
  operations.forEach((op, n) => {
    if (op.double) feAdd(op.y, op.y, denominators[n]!);
    else feSub(op.x, op.qx, denominators[n]!);
  });
  batchInvertInPlace(denominators, operations.length, prefix);
  operations.forEach((op, n) => {
    if (op.double) affineDouble(op.x, op.y, denominators[n]!, op.outX, op.outY);
    else affineAdd(op.x, op.y, op.qx, op.qy, denominators[n]!, op.outX, op.outY);
  });
}

/**
 * All tables at once, in stages that each cost one batched inversion: stage k adds 2^(k−1)·P to
 * the odd multiples below 2^(k−1) and doubles 2^(k−1)·P, so 1P..31P take five inversions.
 */
function buildTables(points: readonly AffinePoint[], sizes: readonly number[]): Table[] {
  poolUsed = 0;
  const tables: Table[] = points.map((p) => [p.x, p.y, take()]);
  const helpers: AffinePoint[] = [...points]; // 2^(k−1)·P of each point for the current stage
  const denominators: Fe[] = [];
  const prefix: Fe[] = [];
  const largest = Math.max(1, ...sizes);
  for (let half = 1; half < 2 * largest - 1; half *= 2) {
    // half = 2^(k−1): multiples half+1 .. 2·half−1 (odd) come from odd m < half plus half·P.
    const operations: PendingOperation[] = [];
    const nextHelpers: AffinePoint[] = [...helpers];
    points.forEach((_, i) => {
      const maxMultiple = 2 * sizes[i]! - 1;
      if (half === 1) {
        if (maxMultiple > 1) {
          const doubled = { x: take(), y: take() };
          operations.push({ double: true, x: points[i]!.x, y: points[i]!.y, qx: FE_ZERO, qy: FE_ZERO, outX: doubled.x, outY: doubled.y });
          nextHelpers[i] = doubled;
        }
        return;
      }
      const helper = helpers[i]!;
      const table = tables[i]!;
      for (let m = half + 1; m < 2 * half && m <= maxMultiple; m += 2) {
        const base = 3 * ((m - half) >> 1);
        const x = take();
        const y = take();
        operations.push({ double: false, x: table[base]!, y: table[base + 1]!, qx: helper.x, qy: helper.y, outX: x, outY: y });
        table.push(x, y, take());
      }
      if (maxMultiple > 2 * half) {
        const doubled = { x: take(), y: take() };
        operations.push({ double: true, x: helper.x, y: helper.y, qx: FE_ZERO, qy: FE_ZERO, outX: doubled.x, outY: doubled.y });
        nextHelpers[i] = doubled;
      }
    });
    runBatch(operations, denominators, prefix);
    helpers.splice(0, helpers.length, ...nextHelpers);
  }
  for (const table of tables) {
    for (let e = 0; e < table.length; e += 3) feSub(FE_ZERO, table[e + 1]!, table[e + 2]!);
  }
  return tables;
}

function walk(tables: readonly Table[], byPosition: readonly number[][], checked: boolean): Jacobian {
  const acc = new Jacobian();
  for (let position = byPosition.length - 1; position >= 0; position--) {
    if (!acc.infinity) {
      if (checked) double(acc);
      else jacobianDouble(acc.x, acc.y, acc.z, S0, S1, S2, S3);
    }
    for (const event of byPosition[position]!) {
      const table = tables[event >> 6]!;
      const d = (event & 63) - 32;
      const entry = 3 * ((d < 0 ? -d : d) >> 1);
      const qy = table[d < 0 ? entry + 2 : entry + 1]!;
      if (checked || acc.infinity) addAffine(acc, table[entry]!, qy, checked);
      else jacobianAddAffine(acc.x, acc.y, acc.z, table[entry]!, qy, S0, S1, S2, S3);
    }
  }
  return acc;
}

/**
 * Σ scalars[i]·points[i] for public inputs; scalars in [0, n). Returns null for the identity.
 * Variable time: the scalars must be public (`publicScalar`), never a share or a nonce.
 */
export function msm(points: readonly AffinePoint[], scalars: readonly PublicScalar[]): AffinePoint | null {
  const { used, nafs, top } = recodeNonZero(points, scalars, 'secp256k1');
  if (used.length === 0) return null;
  const tables = buildTables(
    used,
    nafs.map((naf) => (naf.largest + 1) >> 1),
  );
  const byPosition = digitsByPosition(nafs, top);
  let acc = walk(tables, byPosition, false);
  if (!acc.infinity && feIsZero(acc.z)) acc = walk(tables, byPosition, true);
  if (acc.infinity) return null;
  const zInv = feInvert(acc.z);
  const zInv2 = fe();
  feSqr(zInv, zInv2);
  const x = fe();
  feMul(acc.x, zInv2, x);
  feMul(zInv2, zInv, zInv2);
  const y = fe();
  feMul(acc.y, zInv2, y);
  return { x, y };
}

export const affineFromBigints = (x: bigint, y: bigint): AffinePoint => ({ x: feFromBigint(x), y: feFromBigint(y) });
export const copyAffine = (p: AffinePoint): AffinePoint => ({ x: feCopy(p.x), y: feCopy(p.y) });
