import type { FROST, FrostPublic, FrostSecret } from '@noble/curves/abstract/frost.js';
import type { SigningBackend } from '../sign/backend';

/** The signature schemes the processor signs with. */
export type SchemeId = 'bip340' | 'ethereum' | 'sr25519' | 'ed25519';
/** Plain RFC 9591 suites (no external verifier format); used for the RFC vectors and as building blocks. */
export type Rfc9591SuiteId = 'frost-secp256k1' | 'frost-ristretto255';

/**
 * Which of a Bitcoin multisig's output keys (reference section 1: External, Branch, Change,
 * Forwarded). `external` is the key deposits are paid to.
 */
export type OutputKind = 'external' | 'branch' | 'change' | 'forward';
export const OUTPUT_KINDS: readonly OutputKind[] = ['external', 'branch', 'change', 'forward'];

export interface Scheme {
  readonly id: SchemeId | Rfc9591SuiteId;
  /** noble's FROST for this suite: the reference every share and signature is checked against. */
  readonly frost: FROST;
  /** Strict byte-level signing on the accelerated core (see crypto/signing.ts for the API). */
  readonly backend: SigningBackend;
  /**
   * Key preparation on the public package (BIP341 tweak, Router offset). Applied with the same
   * `kind` to the public package and to every participant's secret share, the prepared shares
   * are a valid sharing of the prepared group key.
   */
  preparePublic(pub: FrostPublic, kind?: OutputKind): FrostPublic;
  /** `pub` is the raw (unprepared) public package the secret share belongs to. */
  prepareSecret(secret: FrostSecret, pub: FrostPublic, kind?: OutputKind): FrostSecret;
  /** The group key as outside verifiers and chains take it, from a prepared public package. */
  groupKeyEncoding(pub: FrostPublic): Uint8Array;
  /** From the suite's FROST signature (noble `aggregate` bytes) to the format outside verifiers accept. */
  finalizeSignature(frostSignature: Uint8Array, msg: Uint8Array, pub: FrostPublic): Uint8Array;
  /** Verifies a final signature with a verifier independent of the FROST code. Never throws. */
  verify(signature: Uint8Array, msg: Uint8Array, groupKey: Uint8Array): boolean;
}
