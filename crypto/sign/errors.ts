/**
 * Typed errors of threshold signing.
 *
 * Temporal reports a thrown error's class name as the failure type, so class names are API.
 * Messages name fields and participants, never secret bytes (shares, nonces).
 */

/** Base class of every error thrown by the signing API. */
export abstract class SigningError extends Error {}

/** A caller-side argument is malformed (own key, own nonces, message, options). */
export class SigningInputError extends SigningError {
  override readonly name = 'SigningInputError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`invalid ${field}: ${reason}`);
  }
}

/** Bytes received from a participant (commitments, signature share) failed strict decoding. */
export class MalformedParticipantDataError extends SigningError {
  override readonly name = 'MalformedParticipantDataError';
  constructor(
    readonly participant: number,
    readonly field: 'commitments' | 'share' | 'verifyingShare',
    readonly reason: string,
  ) {
    super(`participant ${participant} sent malformed ${field}: ${reason}`);
  }
}

/** Fewer signers than the threshold, more than the key set, or signers outside the key set. */
export class SignerSetError extends SigningError {
  override readonly name = 'SignerSetError';
  constructor(
    readonly reason: string,
    readonly participants: readonly number[] = [],
  ) {
    super(participants.length > 0 ? `${reason}: ${participants.join(', ')}` : reason);
  }
}

/**
 * The aggregate signature did not verify and these participants' shares are invalid.
 * Every listed participant provably cheated: their share fails its own verification equation.
 */
export class InvalidSignatureSharesError extends SigningError {
  override readonly name = 'InvalidSignatureSharesError';
  constructor(readonly participants: readonly number[]) {
    super(`invalid signature shares from participants ${participants.join(', ')}`);
  }
}

/**
 * The aggregate signature did not verify, yet every share verifies: the inputs are inconsistent
 * (for example a public package that does not belong to this key). Nobody can be blamed.
 */
export class InconsistentSigningInputError extends SigningError {
  override readonly name = 'InconsistentSigningInputError';
  constructor() {
    super('aggregate signature is invalid although every share verifies: inconsistent public package or commitments');
  }
}
