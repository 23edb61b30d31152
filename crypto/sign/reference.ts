/**
 * noble's own `signShare` / `aggregate` on our byte formats: the reference the accelerated path
 * is compared with (tests) and timed against (bench).
 */
import type { FrostPublic, Key } from '@noble/curves/abstract/frost.js';
import type { Scheme } from '../suites/types';
import { InvalidSignatureSharesError } from './errors';

function nobleCommitmentList(scheme: Scheme, commitments: ReadonlyMap<number, Uint8Array>) {
  return [...commitments].map(([participant, bytes]) => scheme.backend.nobleCommitments(participant, bytes));
}

export function referenceSignShare(
  scheme: Scheme,
  key: Key,
  nonces: Uint8Array,
  commitments: ReadonlyMap<number, Uint8Array>,
  msg: Uint8Array,
): Uint8Array {
  // noble zeroes the nonce object it is given; give it a copy.
  const nobleNonces = scheme.backend.nobleNonces(nonces);
  return scheme.frost.signShare(key.secret, key.public, nobleNonces, nobleCommitmentList(scheme, commitments), msg);
}

export function referenceAggregate(
  scheme: Scheme,
  pub: FrostPublic,
  commitments: ReadonlyMap<number, Uint8Array>,
  msg: Uint8Array,
  shares: ReadonlyMap<number, Uint8Array>,
): Uint8Array {
  const sigShares = Object.fromEntries([...shares].map(([p, share]) => [scheme.backend.identifierOf(p), share]));
  let signature: Uint8Array;
  try {
    signature = scheme.frost.aggregate(pub, nobleCommitmentList(scheme, commitments), msg, sigShares);
  } catch (error) {
    const cheaters = (error as { cheaters?: string[] }).cheaters;
    if (cheaters === undefined || cheaters.length === 0) throw error;
    throw new InvalidSignatureSharesError(
      cheaters.map((id) => scheme.backend.participantOf(id, 'cheater')).sort((a, b) => a - b),
    );
  }
  return scheme.finalizeSignature(signature, msg, pub);
}
