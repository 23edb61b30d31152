/**
 * The groups the DKG runs on, each tied to the noble FROST object whose keys it produces.
 *
 * A suite knows how to decode points and scalars strictly (canonical, exact length, identity and
 * small-order points rejected: the same rules as noble's FROST `parsePoint`) and how noble's own
 * DKG round 3 adjusts its output (`finalizeKey`; only the Taproot suite changes anything).
 */
import type { CurvePoint, CurvePointCons } from '@noble/curves/abstract/curve.js';
import type { FROST, FrostPublic, FrostSecret, Key } from '@noble/curves/abstract/frost.js';
import { ed25519, ed25519_FROST, ristretto255, ristretto255_FROST } from '@noble/curves/ed25519.js';
import { schnorr, schnorr_FROST, secp256k1, secp256k1_FROST } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';

/**
 * A point of any suite's group. Suites differ in their point classes; the DKG only uses the
 * methods common to all, so every suite is a `DkgSuite<DkgPoint>` and callers can hold any of them.
 */
export interface DkgPoint extends CurvePoint<bigint, DkgPoint> {
  toBytes(compressed?: boolean): Uint8Array;
}

export type DkgSuiteId = 'secp256k1' | 'secp256k1-taproot' | 'ristretto255' | 'ed25519';

export interface DkgSuite<P extends CurvePoint<bigint, P> = DkgPoint> {
  readonly id: DkgSuiteId;
  /** First byte of every message and state of this suite. */
  readonly tag: number;
  readonly frost: FROST;
  readonly Point: CurvePointCons<P>;
  readonly pointBytes: number;
  readonly scalarBytes: number;
  /** Decodes a canonical, non-identity point of the prime-order group; throws otherwise. */
  decodePoint(bytes: Uint8Array): P;
  /** What noble's `DKG.round3` does to its output after computing it (its `adjustDKG`). */
  finalizeKey(key: Key): Key;
}

function strictDecoder<P extends CurvePoint<bigint, P>>(Point: CurvePointCons<P>, length: number) {
  return (bytes: Uint8Array): P => {
    if (bytes.length !== length) throw new Error(`expected ${length} bytes`);
    // fromBytes rejects non-canonical encodings (x >= p, non-canonical ristretto/edwards forms).
    const point = Point.fromBytes(bytes);
    point.assertValidity();
    if (point.is0()) throw new Error('identity point');
    if (!point.isTorsionFree()) throw new Error('point outside the prime-order subgroup');
    return point;
  };
}

const unchanged = (key: Key): Key => key;

export const secp256k1Suite: DkgSuite<DkgPoint> = Object.freeze({
  id: 'secp256k1',
  tag: 0x01,
  frost: secp256k1_FROST,
  Point: secp256k1.Point,
  pointBytes: 33,
  scalarBytes: 32,
  decodePoint: strictDecoder(secp256k1.Point, 33),
  finalizeKey: unchanged,
});

/**
 * noble's `schnorr_FROST` tweaks its DKG output for Taproot: it makes the group key's y even
 * (negating every commitment, verifying share and the secret share if it was odd), then adds the
 * BIP-341 TapTweak of the empty script tree to the group key, every verifying share and the
 * secret share. Reproduced here from noble's public pieces so our fast round 3 matches its output.
 */
function taprootFinalize(key: Key): Key {
  const { Point } = secp256k1;
  const { Fn } = Point;
  const groupKey = Point.fromBytes(key.public.commitments[0] as Uint8Array);
  const odd = (groupKey.y & 1n) === 1n;
  const evenPoint = (bytes: Uint8Array) => (odd ? Point.fromBytes(bytes).negate() : Point.fromBytes(bytes));
  const evenGroupKey = odd ? groupKey.negate() : groupKey;
  const tweak = bytesToNumberBE(schnorr.utils.taggedHash('TapTweak', schnorr.utils.pointToBytes(evenGroupKey), new Uint8Array(0)));
  if (!Fn.isValid(tweak)) throw new Error('TapTweak out of range');
  const tweakPoint = Point.BASE.multiply(tweak);
  const commitments = key.public.commitments.map((c, i) => {
    const point = evenPoint(c as Uint8Array);
    return (i === 0 ? point.add(tweakPoint) : point).toBytes();
  });
  const verifyingShares: Record<string, Uint8Array> = {};
  for (const [id, share] of Object.entries(key.public.verifyingShares)) {
    verifyingShares[id] = evenPoint(share as Uint8Array).add(tweakPoint).toBytes();
  }
  const share = Fn.fromBytes(key.secret.signingShare as Uint8Array);
  const signingShare = Fn.toBytes(Fn.add(odd ? Fn.neg(share) : share, tweak));
  const publicPackage = { signers: { ...key.public.signers }, commitments, verifyingShares } as FrostPublic;
  const secret = { identifier: key.secret.identifier, signingShare } as FrostSecret;
  return { public: publicPackage, secret };
}

/** BIP340/Taproot keys: noble's `schnorr_FROST`, whose DKG output carries the empty-tree TapTweak. */
export const secp256k1TaprootSuite: DkgSuite<DkgPoint> = Object.freeze({
  id: 'secp256k1-taproot',
  tag: 0x02,
  frost: schnorr_FROST,
  Point: secp256k1.Point,
  pointBytes: 33,
  scalarBytes: 32,
  decodePoint: strictDecoder(secp256k1.Point, 33),
  finalizeKey: taprootFinalize,
});

export const ristretto255Suite: DkgSuite<DkgPoint> = Object.freeze({
  id: 'ristretto255',
  tag: 0x03,
  frost: ristretto255_FROST,
  Point: ristretto255.Point,
  pointBytes: 32,
  scalarBytes: 32,
  decodePoint: strictDecoder(ristretto255.Point, 32),
  finalizeKey: unchanged,
});

export const ed25519Suite: DkgSuite<DkgPoint> = Object.freeze({
  id: 'ed25519',
  tag: 0x04,
  frost: ed25519_FROST,
  Point: ed25519.Point,
  pointBytes: 32,
  scalarBytes: 32,
  decodePoint: strictDecoder(ed25519.Point, 32),
  finalizeKey: unchanged,
});
