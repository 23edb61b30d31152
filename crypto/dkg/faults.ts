/**
 * Misbehaviour of other participants that a round detected. Faults are returned, not thrown: the
 * processor reports them to the coordinator, and each names whom to blame (an `InvalidShare` may
 * still turn out to be the accuser's fault: see `verifyBlame`).
 */

/** A participant's round-1 broadcast is malformed or its proof of knowledge does not verify. */
export interface InvalidCommitments {
  readonly kind: 'InvalidCommitments';
  readonly participant: number;
  readonly reason: string;
}

/**
 * The share `sender` encrypted to `recipient` (one of ours) is bad. `blame` is the recipient's
 * blame proof (ECDH point + DLEq), or null when the fault is visible in the public message itself
 * (malformed, or a proof of possession that does not verify).
 */
export interface InvalidShare {
  readonly kind: 'InvalidShare';
  readonly sender: number;
  readonly recipient: number;
  readonly blame: Uint8Array | null;
  readonly reason: string;
}

export type DkgFault = InvalidCommitments | InvalidShare;

export function invalidCommitments(participant: number, reason: string): InvalidCommitments {
  return { kind: 'InvalidCommitments', participant, reason };
}

export function invalidShare(sender: number, recipient: number, blame: Uint8Array | null, reason: string): InvalidShare {
  return { kind: 'InvalidShare', sender, recipient, blame, reason };
}
