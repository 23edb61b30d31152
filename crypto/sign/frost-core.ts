/**
 * RFC 9591 round two and aggregation, computed like noble's `signShare`/`aggregate` (same
 * binding factors, group commitment, challenge, share and signature bytes) but with the
 * public-point work done by the suite's `GroupEngine` in a few multi-scalar multiplications.
 *
 * The engine is variable-time, so only public scalars reach it (each wrapped in `publicScalar`
 * where it is passed, with the reason it is public). The secret share and the nonces never leave
 * `signShare`'s scalar arithmetic; their commitments are made with noble's constant-time multiply.
 *
 * noble stays the reference: tests compare every output here with noble's for the same inputs.
 */
import type { IField } from '@noble/curves/abstract/modular.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { concatBytes, randomBytes } from '@noble/hashes/utils.js';
import { publicScalar, type PublicScalar } from '../fast/public-scalar';
import { InconsistentSigningInputError, InvalidSignatureSharesError, MalformedParticipantDataError, SigningInputError } from './errors';
import type { NoblePoint, SuiteSpec } from './suite';

/** The signers' commitments, decoded, sorted by participant. */
export interface CommitmentSet<E> {
  readonly participants: readonly number[];
  readonly hiding: readonly E[];
  readonly binding: readonly E[];
  /** RFC 9591 `encode_group_commitment_list`: id || D || E per signer, in canonical encodings. */
  readonly encodedList: Uint8Array;
}

/** What every signer derives identically from the public inputs of one signing session. */
export interface Session<P, E> {
  readonly bindingFactors: readonly bigint[];
  readonly groupCommitment: E;
  readonly R: P;
  readonly challenge: bigint;
  /** The group key after suite normalization (even y for BIP340). */
  readonly groupKey: P;
  /** −1 when BIP340 negates the key package because the group key has odd y, else 1. */
  readonly keySign: 1n | -1n;
  /** −1 when BIP340 negates the nonces because R has odd y, else 1. */
  readonly nonceSign: 1n | -1n;
}

export interface OwnShareInput<P> {
  readonly participant: number;
  readonly secretShare: bigint;
  readonly hidingNonce: bigint;
  readonly bindingNonce: bigint;
  /** The (prepared) group public key, commitments[0] of the public package. */
  readonly groupKey: P;
}

export interface FrostCore<P, E> {
  decodeCommitments(entries: ReadonlyMap<number, Uint8Array>): CommitmentSet<E>;
  session(groupKey: P, set: CommitmentSet<E>, msg: Uint8Array): Session<P, E>;
  signShare(own: OwnShareInput<P>, set: CommitmentSet<E>, msg: Uint8Array): bigint;
  /**
   * Sums the shares and verifies the signature. On failure, names every participant whose share
   * fails its verification equation (`InvalidSignatureSharesError`).
   */
  aggregate(
    groupKey: P,
    verifyingShare: (participant: number) => P,
    set: CommitmentSet<E>,
    msg: Uint8Array,
    shares: ReadonlyMap<number, bigint>,
  ): Uint8Array;
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** λ_i = Π_{j≠i} x_j / (x_j − x_i), RFC 9591 section 4.2. */
function lagrange(Fn: IField<bigint>, ids: readonly bigint[], id: bigint): bigint {
  let num = Fn.ONE;
  let den = Fn.ONE;
  for (const x of ids) {
    if (x === id) continue;
    num = Fn.mul(num, x);
    den = Fn.mul(den, Fn.sub(x, id));
  }
  return Fn.div(num, den);
}

export function createFrostCore<P extends NoblePoint<P>, E>(spec: SuiteSpec<P, E>): FrostCore<P, E> {
  const { Fn, engine, hasOddY } = spec;
  const dst = (suffix: string) => utf8(spec.contextString + suffix);
  const H1_DST = dst('rho');
  const H4_PREFIX = dst('msg');
  const H5_PREFIX = dst('com');
  const H1 = (msg: Uint8Array) => spec.hashToScalar(msg, H1_DST);
  const H4 = (msg: Uint8Array) => spec.hash(concatBytes(H4_PREFIX, msg));
  const H5 = (msg: Uint8Array) => spec.hash(concatBytes(H5_PREFIX, msg));
  const serializeId = (participant: number) => Fn.toBytes(BigInt(participant));
  const evenY = (point: P): P => (hasOddY !== undefined && hasOddY(point) ? point.negate() : point);

  function decodeCommitments(entries: ReadonlyMap<number, Uint8Array>): CommitmentSet<E> {
    const participants = [...entries.keys()].sort((a, b) => a - b);
    const hiding: E[] = [];
    const binding: E[] = [];
    const encoded: Uint8Array[] = [];
    const width = engine.wireLength;
    for (const participant of participants) {
      const bytes = entries.get(participant)!;
      if (!(bytes instanceof Uint8Array) || bytes.length !== 2 * width) {
        throw new MalformedParticipantDataError(participant, 'commitments', `expected ${2 * width} bytes`);
      }
      const hidingBytes = bytes.subarray(0, width);
      const bindingBytes = bytes.subarray(width);
      try {
        hiding.push(engine.decodeWire(hidingBytes));
        binding.push(engine.decodeWire(bindingBytes));
      } catch (error) {
        throw new MalformedParticipantDataError(participant, 'commitments', (error as Error).message);
      }
      encoded.push(serializeId(participant), engine.canonicalFromWire(hidingBytes), engine.canonicalFromWire(bindingBytes));
    }
    return { participants, hiding, binding, encodedList: concatBytes(...encoded) };
  }

  function session(groupKey: P, set: CommitmentSet<E>, msg: Uint8Array): Session<P, E> {
    const normalizedKey = evenY(groupKey);
    const rhoPrefix = concatBytes(normalizedKey.toBytes(true), H4(msg), H5(set.encodedList));
    const bindingFactors = set.participants.map((p) => H1(concatBytes(rhoPrefix, serializeId(p))));
    // R = Σ D_i + Σ ρ_i·E_i. Public: 1, and each ρ_i = H1(group key, H4(msg), H5(commitment list), i)
    // hashes only public data.
    const ones = set.hiding.map(() => publicScalar(Fn.ONE));
    const groupCommitment = engine.msm([...set.hiding, ...set.binding], [...ones, ...bindingFactors.map(publicScalar)]);
    if (engine.isIdentity(groupCommitment)) {
      throw new SigningInputError('commitments', 'the group commitment is the identity');
    }
    const R = engine.toNoble(groupCommitment);
    const nonceSign = hasOddY !== undefined && hasOddY(R) ? -1n : 1n;
    const keySign = hasOddY !== undefined && hasOddY(groupKey) ? -1n : 1n;
    const challenge = spec.challenge(R, normalizedKey, msg);
    return { bindingFactors, groupCommitment, R, challenge, groupKey: normalizedKey, keySign, nonceSign };
  }

  function signShare(own: OwnShareInput<P>, set: CommitmentSet<E>, msg: Uint8Array): bigint {
    const index = set.participants.indexOf(own.participant);
    if (index < 0) {
      throw new SigningInputError('commitments', `no commitments from this signer (participant ${own.participant})`);
    }
    const s = session(own.groupKey, set, msg);
    const secret = s.keySign === 1n ? own.secretShare : Fn.neg(own.secretShare);
    const sign = (n: bigint) => (s.nonceSign === 1n ? n : Fn.neg(n));
    const ids = set.participants.map(BigInt);
    const lambda = lagrange(Fn, ids, BigInt(own.participant));
    const bound = Fn.mul(sign(own.bindingNonce), s.bindingFactors[index]!);
    return Fn.add(Fn.add(sign(own.hidingNonce), bound), Fn.mul(Fn.mul(lambda, secret), s.challenge));
  }

  function aggregate(
    groupKey: P,
    verifyingShare: (participant: number) => P,
    set: CommitmentSet<E>,
    msg: Uint8Array,
    shares: ReadonlyMap<number, bigint>,
  ): Uint8Array {
    const s = session(groupKey, set, msg);
    let z = Fn.ZERO;
    for (const participant of set.participants) z = Fn.add(z, shares.get(participant)!);
    // z·G − c·PK == R (both with even y for BIP340, as noble's Basic.verify adjusts them).
    // Public: z sums the signature shares every signer sent us (and is the signature's own scalar);
    // c hashes R, the group key and the message.
    const zG_minus_cPK = engine.msm([engine.base, engine.fromNoble(s.groupKey)], [publicScalar(z), publicScalar(Fn.neg(s.challenge))]);
    if (engine.toNoble(zG_minus_cPK).equals(evenY(s.R))) return spec.encodeSignature(s.R, z);
    const cheaters = identifyCheaters(s, set, verifyingShare, shares);
    if (cheaters.length === 0) throw new InconsistentSigningInputError();
    throw new InvalidSignatureSharesError(cheaters);
  }

  /**
   * Group testing with random linear combinations: a subset passes when
   * Σ w_i·(z_i·G − D_i − ρ_i·E_i − c·λ_i·V_i) = 0 for random 128-bit w_i (a false pass has
   * probability 2^-128); a failing subset is halved until single shares remain, which are checked
   * with w = 1, i.e. exactly noble's `verifyShare` equation.
   */
  function identifyCheaters(
    s: Session<P, E>,
    set: CommitmentSet<E>,
    verifyingShare: (participant: number) => P,
    shares: ReadonlyMap<number, bigint>,
  ): number[] {
    const ids = set.participants.map(BigInt);
    const terms = set.participants.map((participant, i) => {
      const share = verifyingShare(participant);
      return {
        participant,
        z: shares.get(participant)!,
        hiding: set.hiding[i]!,
        binding: set.binding[i]!,
        rho: s.bindingFactors[i]!,
        verifyingShare: engine.fromNoble(s.keySign === 1n ? share : share.negate()),
        cLambda: Fn.mul(s.challenge, lagrange(Fn, ids, ids[i]!)),
      };
    });
    type Term = (typeof terms)[number];
    const nonceSign = (n: bigint) => (s.nonceSign === 1n ? n : Fn.neg(n));
    // Public, all of it: the signature shares z_i (sent to us by their signers), the batch weights w
    // (fresh verifier randomness that only has to be unpredictable until the shares are fixed, which
    // they are), the binding factors ρ_i, and c·λ_i (a public challenge times the Lagrange
    // coefficient of public indices).
    const holds = (subset: readonly Term[], weighted: boolean): boolean => {
      const points: E[] = [engine.base];
      let zSum = Fn.ZERO;
      const scalars: PublicScalar[] = [];
      for (const term of subset) {
        const w = weighted ? bytesToNumberBE(randomBytes(16)) + 1n : Fn.ONE;
        zSum = Fn.add(zSum, Fn.mul(w, term.z));
        points.push(term.hiding, term.binding, term.verifyingShare);
        scalars.push(
          publicScalar(Fn.neg(nonceSign(w))),
          publicScalar(Fn.neg(nonceSign(Fn.mul(w, term.rho)))),
          publicScalar(Fn.neg(Fn.mul(w, term.cLambda))),
        );
      }
      return engine.isIdentity(engine.msm(points, [publicScalar(zSum), ...scalars]));
    };
    const cheaters: number[] = [];
    const search = (subset: readonly Term[]): void => {
      if (subset.length === 1) {
        if (!holds(subset, false)) cheaters.push(subset[0]!.participant);
        return;
      }
      if (holds(subset, true)) return;
      const half = subset.length >> 1;
      search(subset.slice(0, half));
      search(subset.slice(half));
    };
    search(terms);
    return cheaters;
  }

  return { decodeCommitments, session, signShare, aggregate };
}
