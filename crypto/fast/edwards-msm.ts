/**
 * Multi-scalar multiplication on extended twisted Edwards coordinates over the float-limb field
 * modulo 2^255 − 19 (crypto/fast/ed25519-field.ts): the point arithmetic shared by the ristretto255
 * and ed25519 engines, which differ only in how they decode and compare points. Interleaved wNAF
 * (Straus); the Edwards addition law is complete on ed25519, so the walk needs no exceptional
 * cases, and tables stay projective (cached form), so no inversions either.
 */
import * as helpers from './ed25519-fe';
import * as field from './ed25519-field';
import type { Fe } from './ed25519-field';
import type { PublicScalar } from './public-scalar';
import { digitsByPosition, recodeNonZero } from './wnaf';

// Bound once: CommonJS import bindings are getters, too slow to call through in these loops.
const { edwardsAddCached, edwardsDouble, edwardsToCached } = field;
const { fe, FE_2D, FE_ONE, FE_ZERO } = helpers;

/** An extended twisted Edwards point (X : Y : Z : T), x = X/Z, y = Y/Z, xy = T/Z. */
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

export const IDENTITY = (): ExtendedPoint => ({ x: fe(), y: Float64Array.from(FE_ONE), z: Float64Array.from(FE_ONE), t: fe() });

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
 * Σ scalars[i]·points[i] for public inputs; scalars below 2^256.
 * Variable time: the scalars must be public (`publicScalar`), never a share or a nonce.
 */
export function msm(points: readonly ExtendedPoint[], scalars: readonly PublicScalar[]): ExtendedPoint {
  const { used, nafs, top } = recodeNonZero(points, scalars, 'Edwards');
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
