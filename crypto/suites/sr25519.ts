/**
 * sr25519 (Schnorrkel) signatures with signing context `substrate`, as a FROST suite on
 * ristretto255 (reference 3.5): noble's `createFROST` with Schnorrkel's Merlin challenge
 *   t = Transcript("SigningContext"); t.append("", "substrate"); t.append("sign-bytes", msg);
 *   t.append("proto-name", "Schnorr-sig"); t.append("sign:pk", A); t.append("sign:R", R);
 *   c = wide-reduce(t.challenge("sign:c", 64 bytes)),
 * and the final signature R || s with Schnorrkel's marker bit (byte 63 |= 0x80).
 */
import { createFROST } from '@noble/curves/abstract/frost.js';
import { ristretto255 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, concatBytes } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { verify as sr25519Verify } from '@scure/sr25519';
import { MerlinTranscript } from '../merlin';
import { createSigningBackend } from '../sign/backend';
import { RistrettoPoint, sha512Hashes } from '../sign/curves';
import type { GroupEngine, SuiteSpec } from '../sign/suite';
import { noPreparation } from './no-preparation';
import type { Scheme } from './types';

const Fn = RistrettoPoint.Fn;
export const SUBSTRATE_SIGNING_CONTEXT = 'substrate';
/** Distinct from plain ristretto255 FROST so binding factors and nonces never coincide across the two. */
export const SCHNORRKEL_CONTEXT_STRING = 'FROST-RISTRETTO255-SHA512-Schnorrkel-substrate-v1';

export function schnorrkelChallenge(R: RistrettoPoint, PK: RistrettoPoint, msg: Uint8Array): bigint {
  const transcript = new MerlinTranscript('SigningContext')
    .appendMessage('', SUBSTRATE_SIGNING_CONTEXT)
    .appendMessage('sign-bytes', msg)
    .appendMessage('proto-name', 'Schnorr-sig')
    .appendMessage('sign:pk', PK.toBytes())
    .appendMessage('sign:R', R.toBytes());
  return Fn.create(bytesToNumberLE(transcript.challengeBytes('sign:c', 64)));
}

export const schnorrkelFrost = createFROST({
  name: SCHNORRKEL_CONTEXT_STRING,
  Point: ristretto255.Point,
  validatePoint: (point) => point.assertValidity(),
  hash: sha512,
  challenge: schnorrkelChallenge,
});

export function sr25519Spec<E>(engine: GroupEngine<RistrettoPoint, E>): SuiteSpec<RistrettoPoint, E> {
  return {
    contextString: SCHNORRKEL_CONTEXT_STRING,
    Point: RistrettoPoint,
    Fn,
    ...sha512Hashes,
    challenge: schnorrkelChallenge,
    encodeSignature: (R, z) => concatBytes(R.toBytes(), Fn.toBytes(z)),
    engine,
  };
}

export function createSr25519Scheme<E>(engine: GroupEngine<RistrettoPoint, E>): Scheme {
  return {
    id: 'sr25519',
    frost: schnorrkelFrost,
    backend: createSigningBackend(sr25519Spec(engine), schnorrkelFrost),
    ...noPreparation,
    groupKeyEncoding: (pub) => Uint8Array.from(pub.commitments[0]!),
    finalizeSignature(frostSignature) {
      const signature = Uint8Array.from(frostSignature);
      // s < L < 2^253, so the top bit is free for Schnorrkel's marker.
      signature[63] = signature[63]! | 0x80;
      return signature;
    },
    verify(signature, msg, groupKey) {
      try {
        return sr25519Verify(msg, signature, groupKey);
      } catch {
        return false;
      }
    },
  };
}

