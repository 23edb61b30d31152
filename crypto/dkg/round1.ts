/**
 * Round 1: draw the polynomial (noble's FROST `generateSecretPolynomial`, as noble's own DKG round 1
 * does), an encryption key for this run and a seed for round 2, and broadcast the Feldman
 * commitments, the encryption key and a proof of knowledge of the constant coefficient bound to
 * the run's context, the participant, the commitments and the encryption key.
 */
import { concatBytes } from '@noble/curves/utils.js';
import type { CurvePoint } from '@noble/curves/abstract/curve.js';

import { defaultRng, randomScalar, type Rng } from './arithmetic';
import { sessionBinding, validateContext, validateParams, validateParticipant, type DkgContext, type DkgParams } from './context';
import { encodeRound1, type Round1Message } from './messages';
import { schnorrProve, type SchnorrClaim } from './proofs';
import { SEED_BYTES, type Round1State } from './state';
import type { DkgSuite } from './suite';
import { Transcript } from './transcript';

function knowledgeChallenge<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  session: Uint8Array,
  participant: number,
  commitments: Uint8Array,
  encryptionKey: Uint8Array,
  R: Uint8Array,
): bigint {
  return new Transcript('custody-dkg proof of knowledge')
    .append('session', session)
    .appendU16('participant', participant)
    .append('commitments', commitments)
    .append('encryption key', encryptionKey)
    .append('nonce', R)
    .challengeScalar('challenge', suite.Point.Fn);
}

/** The Schnorr equation of a round-1 message's proof of knowledge, for (batch) verification. */
export function knowledgeClaim<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, session: Uint8Array, message: Round1Message<P>): SchnorrClaim<P> {
  return {
    publicKey: message.commitments[0] as P,
    R: message.proofR,
    z: message.proofZ,
    c: knowledgeChallenge(suite, session, message.participant, message.commitmentsBytes, message.encryptionKeyBytes, message.proofRBytes),
  };
}

export interface Round1Output {
  /** Broadcast to every other participant. */
  readonly message: Uint8Array;
  /** Keep secret: store before broadcasting. */
  readonly state: Round1State;
}

export function round1<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  context: DkgContext,
  params: DkgParams,
  participant: number,
  rng: Rng = defaultRng,
): Round1Output {
  const ctx = validateContext(context);
  const { t, n } = validateParams(params);
  validateParticipant({ t, n }, participant);
  const session = sessionBinding(suite.id, ctx, { t, n });
  const polynomial = suite.frost.utils.generateSecretPolynomial({ min: t, max: n }, undefined, undefined, (bytes = 32) => Uint8Array.from(rng(bytes)));
  const coefficients = polynomial.coefficients;
  const commitments = polynomial.commitment.map((c) => Uint8Array.from(c));
  const encryptionSecret = randomScalar(suite, rng);
  const encryptionKey = suite.Point.BASE.multiply(encryptionSecret).toBytes();
  const seed = rng(SEED_BYTES).slice();
  const commitmentsBytes = concatBytes(...commitments);
  const proof = schnorrProve(suite, coefficients[0] as bigint, randomScalar(suite, rng), (R) =>
    knowledgeChallenge(suite, session, participant, commitmentsBytes, encryptionKey, R),
  );
  const message = encodeRound1(suite, { participant, commitments, proofR: proof.R, proofZ: proof.z, encryptionKey });
  return {
    message,
    state: { stage: 'round1', context: ctx, params: { t, n }, participant, seed, encryptionSecret, coefficients, message },
  };
}
