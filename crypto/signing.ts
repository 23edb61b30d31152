/**
 * Threshold signing in the steps the processor persists between activities:
 *
 *   prepareKey    once per key (and output kind): BIP341 tweak / Router offset on public + secret
 *   commit        preprocess: fresh nonces (secret bytes for the nonce ledger) + commitments
 *   signShare     with every signer's commitments and the message: this signer's share
 *   aggregate     with every share: the final signature, or InvalidSignatureSharesError naming
 *                 every participant whose share is invalid
 *
 * Participants are the key set's indices 1..n (noble identifiers `Identifier.fromNumber(i)`).
 * Everything received from peers is decoded strictly; failures are typed errors naming the
 * participant (crypto/sign/errors.ts). Pure: no I/O, no Temporal.
 */
import type { FrostPublic, Key } from '@noble/curves/abstract/frost.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import type { Preprocess } from './sign/backend';
import type { OutputKind, Scheme } from './suites/types';

export type { Preprocess } from './sign/backend';

/** The key a signer signs with for `kind`: the prepared public package and its prepared share. */
export function prepareKey(scheme: Scheme, key: Key, kind?: OutputKind): Key {
  return { public: scheme.preparePublic(key.public, kind), secret: scheme.prepareSecret(key.secret, key.public, kind) };
}

/** Fresh RFC 9591 nonces for one signing attempt. Store `nonces` (secret), send `commitments`. */
export function commit(scheme: Scheme, secret: Key['secret'], rng?: (bytes: number) => Uint8Array): Preprocess {
  return scheme.backend.commit(secret, rng);
}

/**
 * This signer's share. `commitments` maps every signer of this attempt (this one included) to
 * the commitments it sent. Nonces must never sign two different (commitments, message) pairs:
 * the nonce ledger binds them to `signingDigest(...)` of the first call.
 */
export function signShare(
  scheme: Scheme,
  key: Key,
  nonces: Uint8Array,
  commitments: ReadonlyMap<number, Uint8Array>,
  msg: Uint8Array,
): Uint8Array {
  return scheme.backend.signShare(key, nonces, commitments, msg);
}

/** The final signature, in the format of the scheme's outside verifiers (64 bytes for all four). */
export function aggregate(
  scheme: Scheme,
  pub: FrostPublic,
  commitments: ReadonlyMap<number, Uint8Array>,
  msg: Uint8Array,
  shares: ReadonlyMap<number, Uint8Array>,
): Uint8Array {
  return scheme.finalizeSignature(scheme.backend.aggregate(pub, commitments, msg, shares), msg, pub);
}

/**
 * SHA-256 over everything a share depends on: scheme, group key, message and each signer's
 * commitments. The nonce ledger binds nonces to this digest.
 */
export function signingDigest(
  scheme: Scheme,
  pub: FrostPublic,
  commitments: ReadonlyMap<number, Uint8Array>,
  msg: Uint8Array,
): Uint8Array {
  const u32 = (n: number) => {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, n, false);
    return out;
  };
  const field = (bytes: Uint8Array) => concatBytes(u32(bytes.length), bytes);
  const parts = [field(new TextEncoder().encode(scheme.id)), field(pub.commitments[0]!), field(msg)];
  for (const participant of [...commitments.keys()].sort((a, b) => a - b)) {
    parts.push(u32(participant), field(commitments.get(participant)!));
  }
  return sha256(concatBytes(...parts));
}
