/**
 * Encryption of round-2 shares to their recipient, so the coordinator relaying them learns
 * nothing, and the blame proof a recipient publishes when a share is bad.
 *
 * Sender j to recipient l, whose round-1 encryption key is E_l = e_l·G:
 *   fresh k, K = k·G, S = k·E_l (= e_l·K), key = H(run, j, l, E_l, K, S),
 *   ciphertext = ChaCha20-Poly1305(key, zero nonce, AD = run || j || l || K)(share),
 *   proof of possession of k: Schnorr over (run, j, l, K, ciphertext).
 * The key is used for exactly one message, hence the fixed nonce. The proof of possession stops a
 * sender from replaying someone else's K to make the recipient reveal e_l·K for it in a blame.
 *
 * Blame: the recipient reveals S with a DLEq proof that log_G(E_l) = log_K(S); anyone can then
 * derive the key, decrypt, and run the Feldman check against the sender's commitments.
 */
import type { CurvePoint } from '@noble/curves/abstract/curve.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';

import type { Rng } from './arithmetic';
import { decodeScalar } from './bytes';
import { encodeBlameProof, encodeEncryptedShare, type BlameProof, type EncryptedShare } from './messages';
import { dleqHolds, dleqProve, schnorrProve, type SchnorrClaim } from './proofs';
import type { DkgSuite } from './suite';
import { Transcript } from './transcript';

const AEAD_NONCE = new Uint8Array(12);

function u16(value: number): Uint8Array {
  return Uint8Array.of(value >> 8, value & 0xff);
}

function aeadKey(session: Uint8Array, sender: number, recipient: number, recipientKey: Uint8Array, ephemeralKey: Uint8Array, ecdh: Uint8Array): Uint8Array {
  return new Transcript('custody-dkg share encryption key')
    .append('session', session)
    .appendU16('sender', sender)
    .appendU16('recipient', recipient)
    .append('recipient key', recipientKey)
    .append('ephemeral key', ephemeralKey)
    .append('ecdh', ecdh)
    .challengeBytes('key')
    .slice(0, 32);
}

function aeadAssociatedData(session: Uint8Array, sender: number, recipient: number, ephemeralKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(session.length + 4 + ephemeralKey.length);
  out.set(session, 0);
  out.set(u16(sender), session.length);
  out.set(u16(recipient), session.length + 2);
  out.set(ephemeralKey, session.length + 4);
  return out;
}

function possessionChallenge<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  session: Uint8Array,
  sender: number,
  recipient: number,
  ephemeralKey: Uint8Array,
  R: Uint8Array,
  ciphertext: Uint8Array,
): bigint {
  return new Transcript('custody-dkg share proof of possession')
    .append('session', session)
    .appendU16('sender', sender)
    .appendU16('recipient', recipient)
    .append('ephemeral key', ephemeralKey)
    .append('nonce', R)
    .append('ciphertext', ciphertext)
    .challengeScalar('challenge', suite.Point.Fn);
}

export interface ShareEncryption {
  readonly session: Uint8Array;
  readonly sender: number;
  readonly recipient: number;
  readonly recipientKey: Uint8Array;
  /** The secret share f_sender(recipient). */
  readonly share: bigint;
  /** Ephemeral secret k and proof-of-possession nonce; callers derive them, see round 2. */
  readonly ephemeralSecret: bigint;
  readonly proofNonce: bigint;
}

export function encryptShare<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, input: ShareEncryption): Uint8Array {
  const { Point } = suite;
  const recipientKey = suite.decodePoint(input.recipientKey);
  const ephemeralKey = Point.BASE.multiply(input.ephemeralSecret).toBytes();
  const ecdh = recipientKey.multiply(input.ephemeralSecret).toBytes();
  const key = aeadKey(input.session, input.sender, input.recipient, input.recipientKey, ephemeralKey, ecdh);
  const ad = aeadAssociatedData(input.session, input.sender, input.recipient, ephemeralKey);
  const plaintext = Point.Fn.toBytes(input.share);
  const ciphertext = chacha20poly1305(key, AEAD_NONCE, ad).encrypt(plaintext);
  plaintext.fill(0);
  key.fill(0);
  const proof = schnorrProve(suite, input.ephemeralSecret, input.proofNonce, (R) =>
    possessionChallenge(suite, input.session, input.sender, input.recipient, ephemeralKey, R, ciphertext),
  );
  return encodeEncryptedShare(suite, {
    sender: input.sender,
    recipient: input.recipient,
    ephemeralKey,
    proofR: proof.R,
    proofZ: proof.z,
    ciphertext,
  });
}

/** The Schnorr equation of a share's proof of possession, for (batch) verification. */
export function possessionClaim<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, session: Uint8Array, share: EncryptedShare<P>): SchnorrClaim<P> {
  return {
    publicKey: share.ephemeralKey,
    R: share.proofR,
    z: share.proofZ,
    c: possessionChallenge(suite, session, share.sender, share.recipient, share.ephemeralKeyBytes, share.proofRBytes, share.ciphertext),
  };
}

export type OpenedShare = { readonly ok: true; readonly share: bigint } | { readonly ok: false; readonly reason: 'undecryptable' | 'non-canonical share' };

/** Decrypts with the ECDH point S = e·K (computed by the recipient, or revealed in a blame). */
export function openShare<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  session: Uint8Array,
  share: EncryptedShare<P>,
  recipientKey: Uint8Array,
  ecdh: P,
): OpenedShare {
  const key = aeadKey(session, share.sender, share.recipient, recipientKey, share.ephemeralKeyBytes, ecdh.toBytes());
  const ad = aeadAssociatedData(session, share.sender, share.recipient, share.ephemeralKeyBytes);
  let plaintext: Uint8Array;
  try {
    plaintext = chacha20poly1305(key, AEAD_NONCE, ad).decrypt(share.ciphertext);
  } catch {
    return { ok: false, reason: 'undecryptable' };
  } finally {
    key.fill(0);
  }
  const value = decodeScalar(suite, plaintext);
  plaintext.fill(0);
  return value === undefined ? { ok: false, reason: 'non-canonical share' } : { ok: true, share: value };
}

function blameTranscript(session: Uint8Array, accuser: number, accused: number, share: EncryptedShare<unknown>): Transcript {
  return new Transcript('custody-dkg blame: ecdh correctness')
    .append('session', session)
    .appendU16('accuser', accuser)
    .appendU16('accused', accused)
    .append('ephemeral key', share.ephemeralKeyBytes)
    .append('ciphertext', share.ciphertext);
}

/** The recipient's blame proof for `share`: S = e·K and a DLEq proof binding it to E = e·G. */
export function proveBlame<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  session: Uint8Array,
  encryptionSecret: bigint,
  share: EncryptedShare<P>,
  ecdh: P,
  rng: Rng,
): Uint8Array {
  const proof = dleqProve(suite, blameTranscript(session, share.recipient, share.sender, share), encryptionSecret, share.ephemeralKey, rng);
  return encodeBlameProof(suite, { ecdh, c: proof.c, s: proof.s });
}

/** Whether `blame.ecdh` provably equals e·K for the accuser's encryption key E = e·G. */
export function blameHolds<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  session: Uint8Array,
  accuserKey: P,
  share: EncryptedShare<P>,
  blame: BlameProof<P>,
): boolean {
  const transcript = blameTranscript(session, share.recipient, share.sender, share);
  return dleqHolds(suite, transcript, accuserKey, share.ephemeralKey, blame.ecdh, { c: blame.c, s: blame.s });
}
