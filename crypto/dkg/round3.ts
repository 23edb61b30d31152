/**
 * Round 3: decrypt the shares addressed to us, verify them, and assemble the key package in
 * exactly the form noble's `DKG.round3` returns (noble `Key`, noble identifiers, the suite's
 * output adjustment applied).
 *
 * Verification, all against data authenticated in round 2:
 * - the proofs of possession of all ephemeral keys: one random linear combination;
 * - every share s_j against E_j = f_j(self)·G precomputed in round 2: one random linear
 *   combination Σ w_j·s_j·G = Σ w_j·E_j, so one MSM instead of one Feldman evaluation per sender.
 * Only when a batch fails are its members checked one by one, to name the culprits.
 *
 * The shares s_j and Σ w_j·s_j are secret: they are multiplied in constant time
 * (`baseMultipleSecret`); only the public weights w_j go through the variable-time MSM.
 */
import type { CurvePoint } from '@noble/curves/abstract/curve.js';
import type { FrostPublic, FrostSecret, Key } from '@noble/curves/abstract/frost.js';
import { equalBytes } from '@noble/curves/utils.js';

import { publicScalar } from '../fast/public-scalar';
import { baseMultipleSecret, batchWeight, defaultRng, msm, type Rng } from './arithmetic';
import { sessionBinding, type DkgContext } from './context';
import { openShare, possessionClaim, proveBlame } from './encryption';
import { DkgDecodeError, DkgStateError } from './errors';
import { invalidShare, type DkgFault } from './faults';
import { decodeEncryptedShare, type EncryptedShare } from './messages';
import { invalidSchnorrClaims } from './proofs';
import { expectParticipants, messageHash, round1Digest } from './round1-set';
import { assertSameRun } from './round2';
import type { Round2State } from './state';
import type { DkgSuite } from './suite';

export type Round3Output = { readonly ok: true; readonly key: Key } | { readonly ok: false; readonly faults: readonly DkgFault[] };

interface Opened<P> {
  readonly sender: number;
  readonly message: EncryptedShare<P>;
  readonly ecdh: P;
  readonly share: bigint;
}

/**
 * @param round1Others - every other participant's round-1 message, exactly as given to round 2.
 * @param shares - sender -> the encrypted share it addressed to us, exactly n-1.
 * @param rng - draws batch weights and blame-proof nonces.
 */
export function round3<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  context: DkgContext,
  state: Round2State,
  round1Others: ReadonlyMap<number, Uint8Array>,
  shares: ReadonlyMap<number, Uint8Array>,
  rng: Rng = defaultRng,
): Round3Output {
  assertSameRun(context, state);
  if (state.stage !== 'round2') throw new DkgStateError('round 3 needs the round-2 state');
  const self = state.participant;
  const { params } = state;
  const ours = new Set([self]);
  expectParticipants('round1Messages', round1Others, params, ours);
  expectParticipants('shares', shares, params, ours);
  const session = sessionBinding(suite.id, state.context, params);
  const digest = round1Digest(session, params, (p) => messageHash(p === self ? state.message : (round1Others.get(p) as Uint8Array)));
  if (!equalBytes(digest, state.round1Digest)) {
    throw new DkgStateError(`round-1 messages given to round 3 of participant ${self} differ from those authenticated in round 2`);
  }

  const faults: DkgFault[] = [];
  const decoded: EncryptedShare<P>[] = [];
  for (let sender = 1; sender <= params.n; sender++) {
    if (sender === self) continue;
    try {
      decoded.push(decodeEncryptedShare(suite, shares.get(sender) as Uint8Array, sender, self));
    } catch (error) {
      if (!(error instanceof DkgDecodeError)) throw error;
      faults.push(invalidShare(sender, self, null, error.message));
    }
  }
  const badPossession = new Set(invalidSchnorrClaims(suite, decoded.map((m) => possessionClaim(suite, session, m)), rng));
  const ownKey = suite.Point.BASE.multiply(state.encryptionSecret).toBytes();
  const opened: Opened<P>[] = [];
  decoded.forEach((message, index) => {
    if (badPossession.has(index)) {
      faults.push(invalidShare(message.sender, self, null, 'proof of possession does not verify'));
      return;
    }
    const ecdh = message.ephemeralKey.multiply(state.encryptionSecret);
    const result = openShare(suite, session, message, ownKey, ecdh);
    if (result.ok) opened.push({ sender: message.sender, message, ecdh, share: result.share });
    else faults.push(invalidShare(message.sender, self, proveBlame(suite, session, state.encryptionSecret, message, ecdh, rng), result.reason));
  });
  for (const bad of mismatchedShares(suite, state, opened, rng)) {
    faults.push(invalidShare(bad.sender, self, proveBlame(suite, session, state.encryptionSecret, bad.message, bad.ecdh, rng), 'share does not match the sender\'s commitments'));
  }
  if (faults.length > 0) return { ok: false, faults: faults.sort(bySender) };
  return { ok: true, key: assembleKey(suite, state, opened) };
}

function bySender(a: DkgFault, b: DkgFault): number {
  const sender = (f: DkgFault) => (f.kind === 'InvalidShare' ? f.sender : f.participant);
  return sender(a) - sender(b);
}

/** E_j from the round-2 state, which lists them for j = 1..n without ourselves. */
function expectedShare<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, state: Round2State, sender: number): P {
  const bytes = state.expectedShares[sender < state.participant ? sender - 1 : sender - 2];
  if (bytes === undefined) throw new DkgStateError(`round-2 state lacks the expected share of participant ${sender}`);
  return suite.decodePoint(bytes);
}

/**
 * The opened shares with s_j·G != E_j: one weighted batch check, then one by one if it fails.
 * The shares and their weighted sum are secret: s·G is computed in constant time. The weights are
 * fresh public randomness, and E_j public, so Σ w_j·E_j may use the variable-time MSM.
 */
function mismatchedShares<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, state: Round2State, opened: readonly Opened<P>[], rng: Rng): Opened<P>[] {
  if (opened.length === 0) return [];
  const { Point } = suite;
  const { Fn } = Point;
  const expected = opened.map((o) => expectedShare(suite, state, o.sender));
  const weights = opened.map(() => batchWeight(rng));
  const weighted = opened.reduce((sum, o, i) => Fn.add(sum, Fn.mul(weights[i] as bigint, o.share)), 0n);
  if (baseMultipleSecret(Point, weighted).equals(msm(Point, expected, weights.map(publicScalar)))) return [];
  return opened.filter((o, i) => !baseMultipleSecret(Point, o.share).equals(expected[i] as P));
}

/** noble's key package: identifiers are noble's, our own verifying share first as in noble's round 3. */
function assembleKey<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, state: Round2State, opened: readonly Opened<P>[]): Key {
  const { Point } = suite;
  const { Fn } = Point;
  const self = state.participant;
  const secretShare = opened.reduce((sum, o) => Fn.add(sum, o.share), state.ownShare);
  const ownVerifyingShare = state.verifyingShares[self - 1] as Uint8Array;
  if (!Point.BASE.multiply(secretShare).equals(suite.decodePoint(ownVerifyingShare))) {
    throw new DkgStateError(`round-2 state of participant ${self} is inconsistent with the verified shares`);
  }
  const id = (p: number) => suite.frost.Identifier.fromNumber(p);
  const verifyingShares: Record<string, Uint8Array> = { [id(self)]: ownVerifyingShare.slice() };
  for (let p = 1; p <= state.params.n; p++) {
    if (p !== self) verifyingShares[id(p)] = (state.verifyingShares[p - 1] as Uint8Array).slice();
  }
  const publicPackage = {
    signers: { min: state.params.t, max: state.params.n },
    commitments: state.groupCommitments.map((c) => c.slice()),
    verifyingShares,
  } as FrostPublic;
  const secret = { identifier: id(self), signingShare: Fn.toBytes(secretShare) } as FrostSecret;
  return suite.finalizeKey({ public: publicPackage, secret });
}
