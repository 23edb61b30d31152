/**
 * Judging an accusation `InvalidShare(accuser <- accused)` from public data only, so the
 * coordinator and every processor reach the same verdict.
 *
 * The share judged is the one the ACCUSED sent to the ACCUSER (sender = accused, recipient =
 * accuser). The original processor looked up the share in the other direction and swapped the
 * roles again when judging, so every accusation ended up blaming the accused (reference 6.2).
 *
 * Verdict, in order:
 *   accused's round-1 message malformed or its proof of knowledge invalid  -> accused
 *   accuser's round-1 message malformed or its proof of knowledge invalid  -> accuser
 *   share message malformed                                                 -> accused
 *   proof of possession of the ephemeral key invalid                       -> accused
 *   no blame proof, malformed blame proof, or DLEq proof invalid           -> accuser
 *   share does not decrypt, is not a canonical scalar, or fails Feldman    -> accused
 *   otherwise (the share is fine)                                          -> accuser
 *
 * A share whose header names another pair than accused -> accuser is not the disputed message:
 * that is the caller's mistake (the original's), reported as a `DkgInputError`, never a verdict.
 * Coordinators must reject, on receipt, a share whose header does not name its authenticated
 * sender and its recipient (`readShareHeader`), so no sender can mislabel its own share.
 */
import type { CurvePoint } from '@noble/curves/abstract/curve.js';

import { publicScalar } from '../fast/public-scalar';
import { evaluateCommitments, msm } from './arithmetic';
import { sessionBinding, validateContext, validateParams, validateParticipant, type DkgContext, type DkgParams } from './context';
import { blameHolds, openShare, possessionClaim } from './encryption';
import { DkgDecodeError, DkgInputError } from './errors';
import { decodeBlameProof, decodeEncryptedShare, decodeRound1, readShareHeader, type Round1Message } from './messages';
import { schnorrHolds } from './proofs';
import { knowledgeClaim } from './round1';
import type { DkgSuite } from './suite';

export interface BlameVerdict {
  /** The participant at fault: the accused if the accusation is true, else the accuser. */
  readonly faulty: number;
  readonly reason: string;
}

export interface Accusation {
  readonly accuser: number;
  readonly accused: number;
  /** The encrypted share the accused sent to the accuser, as relayed. */
  readonly share: Uint8Array;
  /** The accuser's blame proof, or null if it published none. */
  readonly blame: Uint8Array | null;
}

function verifiedRound1<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  session: Uint8Array,
  params: DkgParams,
  round1Messages: ReadonlyMap<number, Uint8Array>,
  participant: number,
): Round1Message<P> | string {
  const bytes = round1Messages.get(participant);
  if (!(bytes instanceof Uint8Array)) throw new DkgInputError('round1Messages', `missing participant ${participant}`);
  let message: Round1Message<P>;
  try {
    message = decodeRound1(suite, params, bytes, participant);
  } catch (error) {
    if (error instanceof DkgDecodeError) return error.message;
    throw error;
  }
  return schnorrHolds(suite, knowledgeClaim(suite, session, message)) ? message : 'proof of knowledge does not verify';
}

export function verifyBlame<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  context: DkgContext,
  params: DkgParams,
  accusation: Accusation,
  round1Messages: ReadonlyMap<number, Uint8Array>,
): BlameVerdict {
  const ctx = validateContext(context);
  const checked = validateParams(params);
  const accuser = validateParticipant(checked, accusation.accuser, 'accuser');
  const accused = validateParticipant(checked, accusation.accused, 'accused');
  if (accuser === accused) throw new DkgInputError('accused', 'a participant cannot accuse itself');
  if (!(round1Messages instanceof Map)) throw new DkgInputError('round1Messages', 'expected a Map from participant to bytes');
  if (!(accusation.share instanceof Uint8Array)) throw new DkgInputError('share', 'expected bytes');
  if (accusation.blame !== null && !(accusation.blame instanceof Uint8Array)) throw new DkgInputError('blame', 'expected bytes or null');
  const session = sessionBinding(suite.id, ctx, checked);

  const sender = verifiedRound1(suite, session, checked, round1Messages, accused);
  if (typeof sender === 'string') return { faulty: accused, reason: `round-1 message: ${sender}` };
  const recipient = verifiedRound1(suite, session, checked, round1Messages, accuser);
  if (typeof recipient === 'string') return { faulty: accuser, reason: `round-1 message: ${recipient}` };

  const header = readShareHeader(suite, accusation.share);
  if (header !== undefined && (header.sender !== accused || header.recipient !== accuser)) {
    throw new DkgInputError('share', `it is the share from participant ${header.sender} to ${header.recipient}, not from the accused ${accused} to the accuser ${accuser}`);
  }
  let share;
  try {
    share = decodeEncryptedShare(suite, accusation.share, accused, accuser);
  } catch (error) {
    if (error instanceof DkgDecodeError) return { faulty: accused, reason: error.message };
    throw error;
  }
  if (!schnorrHolds(suite, possessionClaim(suite, session, share))) {
    return { faulty: accused, reason: 'proof of possession does not verify' };
  }
  if (accusation.blame === null) return { faulty: accuser, reason: 'no blame proof for a well-formed share' };
  let blame;
  try {
    blame = decodeBlameProof(suite, accusation.blame, accuser);
  } catch (error) {
    if (error instanceof DkgDecodeError) return { faulty: accuser, reason: error.message };
    throw error;
  }
  if (!blameHolds(suite, session, recipient.encryptionKey, share, blame)) {
    return { faulty: accuser, reason: 'blame proof does not verify' };
  }
  const opened = openShare(suite, session, share, recipient.encryptionKeyBytes, blame.ecdh);
  if (!opened.ok) return { faulty: accused, reason: opened.reason };
  const { Point } = suite;
  const expected = evaluateCommitments(sender.commitments, accuser);
  // Public: the accuser disclosed this share by publishing the ECDH point (anyone decrypts it).
  if (!msm(Point, [Point.BASE, expected], [publicScalar(opened.share), publicScalar(Point.Fn.neg(1n))]).is0()) {
    return { faulty: accused, reason: 'share does not match the sender\'s commitments' };
  }
  return { faulty: accuser, reason: 'the share is valid' };
}
