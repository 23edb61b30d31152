/** Ed25519 signatures as noble's `ed25519_FROST` produces them (RFC 9591 FROST(Ed25519, SHA-512)). */
import { ed25519, ed25519_FROST } from '@noble/curves/ed25519.js';
import { concatBytes } from '@noble/curves/utils.js';
import { createSigningBackend } from '../sign/backend';
import { EdwardsPoint, sha512Hashes } from '../sign/curves';
import type { GroupEngine, SuiteSpec } from '../sign/suite';
import { noPreparation } from './no-preparation';
import type { Scheme } from './types';

const Fn = EdwardsPoint.Fn;
const EMPTY = new Uint8Array(0);

export function ed25519Spec<E>(engine: GroupEngine<EdwardsPoint, E>): SuiteSpec<EdwardsPoint, E> {
  return {
    contextString: 'FROST-ED25519-SHA512-v1',
    Point: EdwardsPoint,
    Fn,
    ...sha512Hashes,
    // RFC 9591 keeps H2 undecorated for Ed25519: the RFC 8032 challenge SHA-512(R || A || M).
    challenge: (R, PK, msg) => sha512Hashes.hashToScalar(concatBytes(R.toBytes(), PK.toBytes(), msg), EMPTY),
    encodeSignature: (R, z) => concatBytes(R.toBytes(), Fn.toBytes(z)),
    engine,
  };
}

export function createEd25519Scheme<E>(engine: GroupEngine<EdwardsPoint, E>): Scheme {
  return {
    id: 'ed25519',
    frost: ed25519_FROST,
    backend: createSigningBackend(ed25519Spec(engine), ed25519_FROST),
    ...noPreparation,
    groupKeyEncoding: (pub) => Uint8Array.from(pub.commitments[0]!),
    finalizeSignature: (frostSignature) => frostSignature,
    verify(signature, msg, groupKey) {
      try {
        return ed25519.verify(signature, msg, groupKey, { zip215: false });
      } catch {
        return false;
      }
    },
  };
}

