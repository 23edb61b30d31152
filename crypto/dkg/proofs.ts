/**
 * The zero-knowledge proofs of the DKG, each over a `Transcript` that the caller has already bound
 * to the run (see `context.ts`) and to the statement's roles:
 * - Schnorr proofs (R, z) of knowledge of a discrete log: the proof of knowledge of a participant's
 *   constant coefficient, and the proof of possession of each share's ephemeral encryption key.
 *   Many of them verify together as one random linear combination.
 * - A Chaum-Pedersen DLEq proof (c, s) that log_G(X1) = log_H(X2): a blame proof shows the revealed
 *   ECDH point really is the accuser's encryption key times the sender's ephemeral key.
 */
import type { CurvePoint } from '@noble/curves/abstract/curve.js';

import { publicScalar, type PublicScalar } from '../fast/public-scalar';
import { batchWeight, isBaseMultiple, msm, randomScalar, type Rng } from './arithmetic';
import type { DkgSuite } from './suite';
import type { Transcript } from './transcript';

/** One Schnorr verification equation z·G = R + c·publicKey, challenge already computed. */
export interface SchnorrClaim<P> {
  readonly publicKey: P;
  readonly R: P;
  readonly z: bigint;
  readonly c: bigint;
}

export function schnorrProve<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  secret: bigint,
  nonce: bigint,
  challenge: (R: Uint8Array) => bigint,
): { R: Uint8Array; z: bigint } {
  const { Fn } = suite.Point;
  const R = suite.Point.BASE.multiply(nonce).toBytes();
  return { R, z: Fn.add(nonce, Fn.mul(challenge(R), secret)) };
}

export function schnorrHolds<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, claim: SchnorrClaim<P>): boolean {
  const { Point } = suite;
  const { Fn } = Point;
  // Public: the proof's response z and its challenge c (a hash of public data).
  return msm(Point, [Point.BASE, claim.publicKey, claim.R], [publicScalar(claim.z), publicScalar(Fn.neg(claim.c)), publicScalar(Fn.neg(1n))]).is0();
}

/**
 * Indices of the claims that do not hold. All claims are first checked at once:
 * Σ w_i·R_i + Σ (w_i·c_i)·X_i = (Σ w_i·z_i)·G with independent random 128-bit weights w_i, one MSM
 * (a forged claim passes only with probability 2^-128). Only if that fails is each claim checked
 * on its own, to name the culprits.
 */
export function invalidSchnorrClaims<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, claims: readonly SchnorrClaim<P>[], rng: Rng): number[] {
  if (claims.length === 0) return [];
  const { Point } = suite;
  const { Fn } = Point;
  const points: P[] = [];
  // Public: random batch weights w, the published responses z and challenges c of the proofs.
  const scalars: PublicScalar[] = [];
  let zSum = 0n;
  for (const claim of claims) {
    const w = batchWeight(rng);
    zSum = Fn.add(zSum, Fn.mul(w, claim.z));
    points.push(claim.R, claim.publicKey);
    scalars.push(publicScalar(w), publicScalar(Fn.mul(w, claim.c)));
  }
  if (isBaseMultiple(Point, msm(Point, points, scalars), publicScalar(zSum))) return [];
  const invalid: number[] = [];
  claims.forEach((claim, index) => {
    if (!schnorrHolds(suite, claim)) invalid.push(index);
  });
  return invalid;
}

export interface DleqProof {
  readonly c: bigint;
  readonly s: bigint;
}

/** Appends the statement (X1 = x·G, X2 = x·H) and the commitments, returns the challenge. */
function dleqChallenge<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, transcript: Transcript, X1: P, H: P, X2: P, A1: P, A2: P): bigint {
  return transcript
    .append('X1', X1.toBytes())
    .append('H', H.toBytes())
    .append('X2', X2.toBytes())
    .append('A1', A1.toBytes())
    .append('A2', A2.toBytes())
    .challengeScalar('dleq challenge', suite.Point.Fn);
}

export function dleqProve<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, transcript: Transcript, x: bigint, H: P, rng: Rng): DleqProof {
  const { Point } = suite;
  const { Fn } = Point;
  const r = randomScalar(suite, rng);
  const c = dleqChallenge(suite, transcript, Point.BASE.multiply(x), H, H.multiply(x), Point.BASE.multiply(r), H.multiply(r));
  return { c, s: Fn.add(r, Fn.mul(c, x)) };
}

export function dleqHolds<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, transcript: Transcript, X1: P, H: P, X2: P, proof: DleqProof): boolean {
  const { Point } = suite;
  const { Fn } = Point;
  // Public: the proof's response s and challenge c.
  const s = publicScalar(proof.s);
  const negC = publicScalar(Fn.neg(proof.c));
  const A1 = msm(Point, [Point.BASE, X1], [s, negC]);
  const A2 = msm(Point, [H, X2], [s, negC]);
  // An honest prover's commitments are never the identity, which has no encoding on every curve.
  if (A1.is0() || A2.is0()) return false;
  return dleqChallenge(suite, transcript, X1, H, X2, A1, A2) === proof.c;
}
