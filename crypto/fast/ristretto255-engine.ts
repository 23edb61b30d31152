/**
 * The fast ristretto255 group engine of the sr25519 signing path: RFC 9496 decoding and an
 * interleaved wNAF (Straus) MSM on extended twisted Edwards coordinates, both on the float-limb
 * field of crypto/fast/ed25519-field.ts. The Edwards addition law is complete on ed25519, so the
 * walk needs no exceptional cases; tables stay projective (cached form), so no inversions either.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { RistrettoPoint } from '../sign/curves';
import type { GroupEngine } from '../sign/suite';
import * as helpers from './ed25519-fe';
import * as field from './ed25519-field';
import type { Fe } from './ed25519-field';
import type { PublicScalar } from './public-scalar';
import { digitsByPosition, wnaf, type Naf } from './wnaf';

// Bound once: CommonJS import bindings are getters, too slow to call through in these loops.
const { edwardsAddCached, edwardsDouble, edwardsToCached, feAdd, feMul, feSqr, feSub } = field;
const { fe, feAbs, feFromBytesLE, feIsNegative, feIsZero, feSqrtRatioM1, feToBigint, FE_2D, FE_D, FE_ONE, FE_ZERO } = helpers;

/** An extended twisted Edwards representative (X : Y : Z : T) of a ristretto255 element. */
export interface ExtendedPoint {
  readonly x: Fe;
  readonly y: Fe;
  readonly z: Fe;
  readonly t: Fe;
}

const S0 = fe();
const S1 = fe();
const S2 = fe();
const S3 = fe();

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

const IDENTITY = (): ExtendedPoint => ({ x: fe(), y: Float64Array.from(FE_ONE), z: Float64Array.from(FE_ONE), t: fe() });

/** Cached odd multiples: entry j holds (Y+X, Y−X, 2Z, 2dT, −2dT) of (2j+1)·P. */
type Table = Fe[];

function cached(p: ExtendedPoint, take: () => Fe): Fe[] {
  const out = [take(), take(), take(), take(), take()];
  edwardsToCached(p.x, p.y, p.z, p.t, FE_2D, FE_ZERO, out[0]!, out[1]!, out[2]!, out[3]!, out[4]!);
  return out;
}

function buildTables(points: readonly ExtendedPoint[], sizes: readonly number[]): Table[] {
  const total = sizes.reduce((sum, size) => sum + 5 * size, 0);
  // One allocation for every element of every table.
  const arena = new Float64Array(11 * total);
  let used = 0;
  const take = (): Fe => arena.subarray(11 * used, 11 * ++used);
  const twice = { x: fe(), y: fe(), z: fe(), t: fe() };
  const running = { x: fe(), y: fe(), z: fe(), t: fe() };
  return points.map((p, i) => {
    const table: Table = cached(p, take);
    if (sizes[i]! > 1) {
      twice.x.set(p.x);
      twice.y.set(p.y);
      twice.z.set(p.z);
      twice.t.set(p.t);
      edwardsDouble(twice.x, twice.y, twice.z, twice.t, S0, S1, S2, S3);
      const two = cached(twice, fe);
      running.x.set(p.x);
      running.y.set(p.y);
      running.z.set(p.z);
      running.t.set(p.t);
      for (let j = 1; j < sizes[i]!; j++) {
        edwardsAddCached(running.x, running.y, running.z, running.t, two[0]!, two[1]!, two[2]!, two[3]!, S0, S1, S2, S3);
        table.push(...cached(running, take));
      }
    }
    return table;
  });
}

/**
 * Σ scalars[i]·points[i] for public inputs; scalars in [0, L).
 * Variable time: the scalars must be public (`publicScalar`), never a share or a nonce.
 */
export function msm(points: readonly ExtendedPoint[], scalars: readonly PublicScalar[]): ExtendedPoint {
  if (points.length !== scalars.length) throw new Error('ristretto255 MSM: points and scalars differ in length');
  const used: ExtendedPoint[] = [];
  const nafs: Naf[] = [];
  let top = -1;
  for (let i = 0; i < points.length; i++) {
    if (scalars[i] === 0n) continue;
    const naf = wnaf(scalars[i]!);
    used.push(points[i]!);
    nafs.push(naf);
    top = Math.max(top, naf.top);
  }
  const acc = IDENTITY();
  if (used.length === 0) return acc;
  const tables = buildTables(
    used,
    nafs.map((naf) => (naf.largest + 1) >> 1),
  );
  const byPosition = digitsByPosition(nafs, top);
  for (let position = top; position >= 0; position--) {
    edwardsDouble(acc.x, acc.y, acc.z, acc.t, S0, S1, S2, S3);
    for (const event of byPosition[position]!) {
      const table = tables[event >> 6]!;
      const d = (event & 63) - 32;
      const entry = 5 * ((d < 0 ? -d : d) >> 1);
      // −Q in cached form swaps Y+X and Y−X and negates 2dT.
      const ypx = table[d < 0 ? entry + 1 : entry]!;
      const ymx = table[d < 0 ? entry : entry + 1]!;
      const t2d = table[d < 0 ? entry + 4 : entry + 3]!;
      edwardsAddCached(acc.x, acc.y, acc.z, acc.t, ypx, ymx, table[entry + 2]!, t2d, S0, S1, S2, S3);
    }
  }
  return acc;
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
