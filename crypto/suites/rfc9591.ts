/**
 * Plain RFC 9591 suites, FROST(secp256k1, SHA-256) and FROST(ristretto255, SHA-512): no
 * chain-specific challenge, signature R || z as noble encodes it. They carry the RFC test vectors
 * through the same signing path the processor's schemes use.
 */
import { ristretto255_FROST } from '@noble/curves/ed25519.js';
import { secp256k1_FROST } from '@noble/curves/secp256k1.js';
import { concatBytes } from '@noble/curves/utils.js';
import { createSigningBackend } from '../sign/backend';
import { RistrettoPoint, secp256k1Hashes, SecpPoint, sha512Hashes } from '../sign/curves';
import type { GroupEngine, SuiteSpec } from '../sign/suite';
import { noPreparation } from './no-preparation';
import type { Scheme } from './types';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export function frostSecp256k1Spec<E>(engine: GroupEngine<SecpPoint, E>): SuiteSpec<SecpPoint, E> {
  const contextString = 'FROST-secp256k1-SHA256-v1';
  const H2 = utf8(contextString + 'chal');
  const Fn = SecpPoint.Fn;
  return {
    contextString,
    Point: SecpPoint,
    Fn,
    ...secp256k1Hashes,
    challenge: (R, PK, msg) => secp256k1Hashes.hashToScalar(concatBytes(R.toBytes(true), PK.toBytes(true), msg), H2),
    encodeSignature: (R, z) => concatBytes(R.toBytes(true), Fn.toBytes(z)),
    engine,
  };
}

export function frostRistretto255Spec<E>(engine: GroupEngine<RistrettoPoint, E>): SuiteSpec<RistrettoPoint, E> {
  const contextString = 'FROST-RISTRETTO255-SHA512-v1';
  const H2 = utf8(contextString + 'chal');
  const Fn = RistrettoPoint.Fn;
  return {
    contextString,
    Point: RistrettoPoint,
    Fn,
    ...sha512Hashes,
    challenge: (R, PK, msg) => sha512Hashes.hashToScalar(concatBytes(R.toBytes(), PK.toBytes(), msg), H2),
    encodeSignature: (R, z) => concatBytes(R.toBytes(), Fn.toBytes(z)),
    engine,
  };
}

/** Verification of a plain suite is noble's own single-key verify (no external format exists). */
function plainScheme(id: Scheme['id'], frost: Scheme['frost'], backend: Scheme['backend']): Scheme {
  return {
    id,
    frost,
    backend,
    ...noPreparation,
    groupKeyEncoding: (pub) => Uint8Array.from(pub.commitments[0]!),
    finalizeSignature: (frostSignature) => frostSignature,
    verify(signature, msg, groupKey) {
      try {
        return frost.verify(signature, msg, groupKey);
      } catch {
        return false;
      }
    },
  };
}

export function createFrostSecp256k1Scheme<E>(engine: GroupEngine<SecpPoint, E>): Scheme {
  return plainScheme('frost-secp256k1', secp256k1_FROST, createSigningBackend(frostSecp256k1Spec(engine), secp256k1_FROST));
}

export function createFrostRistretto255Scheme<E>(engine: GroupEngine<RistrettoPoint, E>): Scheme {
  return plainScheme(
    'frost-ristretto255',
    ristretto255_FROST,
    createSigningBackend(frostRistretto255Spec(engine), ristretto255_FROST),
  );
}

