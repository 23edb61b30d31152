/**
 * The failures the processor's activities raise themselves (beyond the typed errors of store/,
 * crypto/, messages/ and the chain seam), by the `type` workflows match and list as non-retryable.
 * Workflow-safe: workflows import it.
 */

/** No key (share) for what is to be signed: the keystore does not hold it; never retryable. */
export const SIGNING_KEY_MISSING = 'SigningKeyMissing';

/** A participant's preprocess or share is malformed; details: `{ participant }`. */
export const INVALID_PARTICIPANT_DATA = 'InvalidParticipantData';

/** The relayed signer set cannot sign (fewer than the threshold, say); the attempt is sat out. */
export const SIGNER_SET_REFUSED = 'SignerSetRefused';

/** The worker has no chain adapter for its network (no node configured). */
export const NETWORK_UNAVAILABLE = 'NetworkUnavailable';

/** Serai confirmed a key pair this processor did not generate, or for another network. */
export class KeyPairMismatchError extends Error {
  static readonly type = 'KeyPairMismatchError';
  override readonly name = KeyPairMismatchError.type;
}
