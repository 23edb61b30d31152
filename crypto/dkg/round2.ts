/**
 * Round 2: verify everyone's round-1 broadcast, then send each other participant its share of our
 * polynomial, encrypted to its round-1 encryption key.
 *
 * Round 2 is deterministic given the round-1 state and the round-1 messages: the ephemeral keys
 * and nonces derive from the state's secret seed and the digest of the round-1 transcript, so a
 * retry after a crash re-sends byte-identical shares, and an equivocated transcript gets fresh
 * keys. Everything round 3 needs that follows publicly from round 1 is precomputed here and kept
 * in the round-2 state, so round 3 never re-reads the n·t commitments.
 */
import type { CurvePoint } from '@noble/curves/abstract/curve.js';

import { defaultRng, evaluatePolynomial, nonZeroScalar, type Rng } from './arithmetic';
import { sessionBinding, validateContext, type DkgContext } from './context';
import { encryptShare } from './encryption';
import { DkgStateError } from './errors';
import type { InvalidCommitments } from './faults';
import type { Round1Message } from './messages';
import { expectParticipants, expectedShares, groupPublic, verifyRound1Set, type GroupPublic, type VerifiedRound1Set } from './round1-set';
import type { Round1State, Round2State, StateHeader } from './state';
import type { DkgSuite } from './suite';
import { Transcript } from './transcript';

export type Round2Output =
  | {
      readonly ok: true;
      /** Recipient participant to the encrypted share for it; send each to its recipient. */
      readonly shares: ReadonlyMap<number, Uint8Array>;
      /** Keep secret: store before sending the shares. */
      readonly state: Round2State;
    }
  | { readonly ok: false; readonly faults: readonly InvalidCommitments[] };

export function assertSameRun(expected: DkgContext, state: StateHeader): void {
  const ctx = validateContext(expected);
  const got = state.context;
  if (ctx.network !== got.network || ctx.session !== got.session || ctx.attempt !== got.attempt || ctx.key !== got.key) {
    throw new DkgStateError(`state of participant ${state.participant} belongs to another DKG run`);
  }
}

function roundTwoSecret<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, seed: Uint8Array, digest: Uint8Array, recipient: number, label: string): bigint {
  const bytes = new Transcript('custody-dkg round 2 randomness')
    .append('seed', seed)
    .append('round 1 digest', digest)
    .appendU16('recipient', recipient)
    .challengeBytes(label);
  return nonZeroScalar(suite, bytes);
}

/** Round 2 for one participant against an already verified round-1 set and its group data. */
export function round2FromSet<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  state: Round1State,
  set: VerifiedRound1Set<P>,
  group: GroupPublic,
): { shares: Map<number, Uint8Array>; state: Round2State } {
  const self = state.participant;
  const { Fn } = suite.Point;
  const shares = new Map<number, Uint8Array>();
  for (let recipient = 1; recipient <= state.params.n; recipient++) {
    if (recipient === self) continue;
    const message = set.messages.get(recipient) as Round1Message<P>;
    shares.set(
      recipient,
      encryptShare(suite, {
        session: set.session,
        sender: self,
        recipient,
        recipientKey: message.encryptionKeyBytes,
        share: evaluatePolynomial(Fn, state.coefficients, BigInt(recipient)),
        ephemeralSecret: roundTwoSecret(suite, state.seed, set.digest, recipient, 'ephemeral key'),
        proofNonce: roundTwoSecret(suite, state.seed, set.digest, recipient, 'proof nonce'),
      }),
    );
  }
  return {
    shares,
    state: {
      stage: 'round2',
      context: state.context,
      params: state.params,
      participant: self,
      ownShare: evaluatePolynomial(Fn, state.coefficients, BigInt(self)),
      encryptionSecret: state.encryptionSecret,
      round1Digest: set.digest,
      groupCommitments: group.groupCommitments,
      verifyingShares: group.verifyingShares,
      expectedShares: expectedShares(suite, set, self),
      message: state.message,
    },
  };
}

/**
 * @param others - every other participant's round-1 message (participant -> bytes), exactly n-1.
 * @param rng - only draws the batch-verification weights; the output does not depend on it.
 */
export function round2<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  context: DkgContext,
  state: Round1State,
  others: ReadonlyMap<number, Uint8Array>,
  rng: Rng = defaultRng,
): Round2Output {
  assertSameRun(context, state);
  if (state.stage !== 'round1') throw new DkgStateError('round 2 needs the round-1 state');
  expectParticipants('round1Messages', others, state.params, new Set([state.participant]));
  const session = sessionBinding(suite.id, state.context, state.params);
  const all = new Map(others).set(state.participant, state.message);
  const verified = verifyRound1Set(suite, session, state.params, all, new Set([state.participant]), rng);
  if (!verified.ok) return verified;
  return { ok: true, ...round2FromSet(suite, state, verified.set, groupPublic(suite, verified.set)) };
}
