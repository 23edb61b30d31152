/**
 * Checks of single public messages with public data only, for whoever relays them (the coordinator
 * can refuse a bad message on receipt) and for tests. They throw typed errors naming the author.
 */
import type { CurvePoint } from '@noble/curves/abstract/curve.js';

import { sessionBinding, validateContext, validateParams, validateParticipant, type DkgContext, type DkgParams } from './context';
import { possessionClaim } from './encryption';
import { DkgInputError, DkgProofError } from './errors';
import { decodeEncryptedShare, decodeRound1 } from './messages';
import { schnorrHolds } from './proofs';
import { knowledgeClaim } from './round1';
import type { DkgSuite } from './suite';

function binding<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, context: DkgContext, params: DkgParams): { session: Uint8Array; params: DkgParams } {
  const checked = validateParams(params);
  return { session: sessionBinding(suite.id, validateContext(context), checked), params: checked };
}

/** Throws `DkgDecodeError` or `DkgProofError` (naming `participant`) unless the message is valid in this run. */
export function checkRound1Message<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, context: DkgContext, params: DkgParams, participant: number, bytes: Uint8Array): void {
  const run = binding(suite, context, params);
  validateParticipant(run.params, participant);
  const message = decodeRound1(suite, run.params, bytes, participant);
  if (!schnorrHolds(suite, knowledgeClaim(suite, run.session, message))) throw new DkgProofError('round1', participant, 'proof of knowledge');
}

/** Throws `DkgDecodeError` or `DkgProofError` (naming `sender`) unless the share message is valid in this run. */
export function checkEncryptedShare<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  context: DkgContext,
  params: DkgParams,
  sender: number,
  recipient: number,
  bytes: Uint8Array,
): void {
  const run = binding(suite, context, params);
  validateParticipant(run.params, sender, 'sender');
  validateParticipant(run.params, recipient, 'recipient');
  if (sender === recipient) throw new DkgInputError('recipient', 'a participant sends no share to itself');
  const share = decodeEncryptedShare(suite, bytes, sender, recipient);
  if (!schnorrHolds(suite, possessionClaim(suite, run.session, share))) throw new DkgProofError('share', sender, 'proof of possession');
}
