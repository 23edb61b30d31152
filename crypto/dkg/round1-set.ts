/**
 * The set of all n round-1 messages of a run: decoded strictly, proofs of knowledge verified in one
 * batch, hashed into a digest that round 3 checks its input against, and what follows from it
 * publicly (the group's commitments and verifying shares, and what each share must equal).
 */
import { normalizeZ, type CurvePoint } from '@noble/curves/abstract/curve.js';

import { evaluateCommitments, evaluateCommitmentsFrom1, type Rng } from './arithmetic';
import type { DkgParams } from './context';
import { DkgDecodeError, DkgInputError } from './errors';
import { invalidCommitments, type InvalidCommitments } from './faults';
import { decodeRound1, type Round1Message } from './messages';
import { invalidSchnorrClaims } from './proofs';
import { knowledgeClaim } from './round1';
import type { DkgSuite } from './suite';
import { sha512, Transcript } from './transcript';

export interface VerifiedRound1Set<P> {
  readonly session: Uint8Array;
  readonly params: DkgParams;
  /** Participant (1..n) to its decoded message. */
  readonly messages: ReadonlyMap<number, Round1Message<P>>;
  readonly messageHashes: ReadonlyMap<number, Uint8Array>;
  readonly digest: Uint8Array;
}

export type Round1SetResult<P> = { readonly ok: true; readonly set: VerifiedRound1Set<P> } | { readonly ok: false; readonly faults: InvalidCommitments[] };

export function messageHash(bytes: Uint8Array): Uint8Array {
  return sha512(bytes);
}

/** Digest of the whole round-1 transcript, from each participant's message hash. */
export function round1Digest(session: Uint8Array, params: DkgParams, hashOf: (participant: number) => Uint8Array): Uint8Array {
  const transcript = new Transcript('custody-dkg round 1 transcript').append('session', session);
  for (let p = 1; p <= params.n; p++) transcript.appendU16('participant', p).append('message hash', hashOf(p));
  return transcript.challengeBytes('digest');
}

/** Checks that `messages` holds exactly the participants 1..n except `excluded`. */
export function expectParticipants(field: string, messages: ReadonlyMap<number, Uint8Array>, params: DkgParams, excluded: ReadonlySet<number>): void {
  if (!(messages instanceof Map)) throw new DkgInputError(field, 'expected a Map from participant to bytes');
  for (const [participant, bytes] of messages) {
    if (!Number.isInteger(participant) || participant < 1 || participant > params.n) {
      throw new DkgInputError(field, `participant ${String(participant)} is not in 1..${params.n}`);
    }
    if (excluded.has(participant)) throw new DkgInputError(field, `participant ${participant} is one of ours`);
    if (!(bytes instanceof Uint8Array)) throw new DkgInputError(field, `participant ${participant}: expected bytes`);
  }
  for (let p = 1; p <= params.n; p++) {
    if (!excluded.has(p) && !messages.has(p)) throw new DkgInputError(field, `missing participant ${p}`);
  }
}

/**
 * Decodes and verifies all n round-1 messages. `trusted` are our own participants, whose messages
 * we produced and whose proofs need no checking. Any fault is returned, naming the participant.
 */
export function verifyRound1Set<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  session: Uint8Array,
  params: DkgParams,
  all: ReadonlyMap<number, Uint8Array>,
  trusted: ReadonlySet<number>,
  rng: Rng,
): Round1SetResult<P> {
  const faults: InvalidCommitments[] = [];
  const messages = new Map<number, Round1Message<P>>();
  const hashes = new Map<number, Uint8Array>();
  for (let p = 1; p <= params.n; p++) {
    const bytes = all.get(p) as Uint8Array;
    try {
      messages.set(p, decodeRound1(suite, params, bytes, p));
      hashes.set(p, messageHash(bytes));
    } catch (error) {
      if (!(error instanceof DkgDecodeError)) throw error;
      faults.push(invalidCommitments(p, error.message));
    }
  }
  const toVerify = [...messages.values()].filter((m) => !trusted.has(m.participant));
  const claims = toVerify.map((m) => knowledgeClaim(suite, session, m));
  for (const index of invalidSchnorrClaims(suite, claims, rng)) {
    faults.push(invalidCommitments((toVerify[index] as Round1Message<P>).participant, 'proof of knowledge does not verify'));
  }
  if (faults.length > 0) return { ok: false, faults: faults.sort((a, b) => a.participant - b.participant) };
  const digest = round1Digest(session, params, (p) => hashes.get(p) as Uint8Array);
  return { ok: true, set: { session, params, messages, messageHashes: hashes, digest } };
}

/** Encodes many projective points with one shared inversion where the curve allows it. */
export function encodePoints<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, points: readonly P[]): Uint8Array[] {
  const affine = points.length > 1 && points[0]?.Z !== undefined ? normalizeZ(suite.Point, [...points]) : points;
  return affine.map((p) => p.toBytes());
}

export interface GroupPublic {
  /** M_k = Σ_j C_{j,k}; M_0 is the group key. */
  readonly groupCommitments: Uint8Array[];
  /** V_l = Σ_k l^k·M_k for l = 1..n (index l-1). */
  readonly verifyingShares: Uint8Array[];
}

export function groupPublic<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, set: VerifiedRound1Set<P>): GroupPublic {
  const { t, n } = set.params;
  const merged: P[] = Array.from({ length: t }, () => suite.Point.ZERO);
  for (const message of set.messages.values()) {
    for (let k = 0; k < t; k++) merged[k] = (merged[k] as P).add(message.commitments[k] as P);
  }
  return { groupCommitments: encodePoints(suite, merged), verifyingShares: encodePoints(suite, evaluateCommitmentsFrom1(merged, n)) };
}

/** For each sender j != participant (ascending): Σ_k participant^k·C_{j,k}, i.e. f_j(participant)·G. */
export function expectedShares<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, set: VerifiedRound1Set<P>, participant: number): Uint8Array[] {
  const points: P[] = [];
  for (let j = 1; j <= set.params.n; j++) {
    if (j !== participant) points.push(evaluateCommitments((set.messages.get(j) as Round1Message<P>).commitments, participant));
  }
  return encodePoints(suite, points);
}
