/**
 * Typed errors of the DKG. Temporal reports a thrown error's class `name` as its failure type, so
 * every `name` here is part of the API. Messages name fields and participants, never secret bytes.
 *
 * Protocol misbehaviour by another participant is not an error: rounds return it as a `DkgFault`
 * (see `faults.ts`) so the caller can report and blame. Errors are for what the caller got wrong.
 */

/** Base class of every error thrown by `crypto/dkg/`. */
export abstract class DkgError extends Error {}

/** A caller passed a malformed argument; `field` names it. */
export class DkgInputError extends DkgError {
  static readonly type = 'DkgInputError';
  override readonly name = DkgInputError.type;
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`invalid ${field}: ${reason}`);
  }
}

/** What a byte string was supposed to be. */
export type DkgEncodingKind = 'round1' | 'share' | 'blame' | 'state';

/**
 * Bytes did not decode strictly: wrong length, non-canonical or identity point, out-of-range
 * scalar, unknown tag, or a header naming someone else. `participant` is whose message it was
 * (undefined for our own serialized state).
 */
export class DkgDecodeError extends DkgError {
  override readonly name = 'DkgDecodeError';
  constructor(
    readonly kind: DkgEncodingKind,
    readonly participant: number | undefined,
    readonly field: string,
    reason: string,
  ) {
    super(`malformed ${kind}${participant === undefined ? '' : ` from participant ${participant}`}: ${field}: ${reason}`);
  }
}

/**
 * A round was called with a state or messages that do not belong together: a state of another
 * suite, context or participant, or round-1 messages other than those authenticated in round 2.
 */
export class DkgStateError extends DkgError {
  override readonly name = 'DkgStateError';
  constructor(reason: string) {
    super(reason);
  }
}

/**
 * A well-formed message whose proof does not verify in this run: forged, or replayed from another
 * run (network, session, attempt, key, suite or t-of-n). `participant` is its purported author.
 */
export class DkgProofError extends DkgError {
  override readonly name = 'DkgProofError';
  constructor(
    readonly kind: 'round1' | 'share',
    readonly participant: number,
    proof: string,
  ) {
    super(`${kind} message from participant ${participant}: ${proof} does not verify in this DKG run`);
  }
}
