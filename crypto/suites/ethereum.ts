/**
 * Schnorr signatures for the Ethereum Router (reference 3.4), as a FROST suite on noble's
 * `createFROST` with the Router's challenge:
 *   c = keccak256(address(R) || px || message),  s = r + c·x,  signature = c || s (64 bytes),
 * where address(R) is the last 20 bytes of keccak256(x(R) || y(R)) and px = x(A) of a key A with
 * even y and x < n. A group key is made valid by adding G until it is (the offset rule of
 * reference 3.4), applied to every share.
 */
import { createFROST, type FrostPublic } from '@noble/curves/abstract/frost.js';
import { secp256k1, secp256k1_hasher } from '@noble/curves/secp256k1.js';
import { bytesToHex, bytesToNumberBE, concatBytes, equalBytes } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { createSigningBackend } from '../sign/backend';
import { secp256k1Hashes, SecpPoint } from '../sign/curves';
import { SigningInputError } from '../sign/errors';
import type { GroupEngine, SuiteSpec } from '../sign/suite';
import { offsetPublic, offsetSecret, type KeyOffset } from './key-offset';
import { rejectKind } from './no-preparation';
import { memoize, memoizedPreparation } from './preparation-cache';
import type { Scheme } from './types';

const Fn = SecpPoint.Fn;
const N = Fn.ORDER;
/** How far the offset search may walk; each step succeeds with probability ~1/2. */
const MAX_KEY_OFFSET = 256n;

export const ROUTER_CONTEXT_STRING = 'FROST-secp256k1-SHA256-EthereumRouter-v1';

/** The 20-byte Ethereum address of a point: keccak256 of its uncompressed x || y, last 20 bytes. */
export function ethereumAddress(point: SecpPoint): Uint8Array {
  return keccak_256(point.toBytes(false).subarray(1)).subarray(12);
}

/** The Router's key rule: even y and x below the group order (the contract stores px as a scalar). */
export function isValidRouterKey(point: SecpPoint): boolean {
  if (point.is0()) return false;
  const { x, y } = point.toAffine();
  return (y & 1n) === 0n && x < N;
}

export function routerKeyOffset(groupKey: SecpPoint): bigint {
  let candidate = groupKey;
  for (let offset = 0n; offset <= MAX_KEY_OFFSET; offset++) {
    if (isValidRouterKey(candidate)) return offset;
    candidate = candidate.add(SecpPoint.BASE);
  }
  throw new SigningInputError('pub.commitments[0]', 'no valid Router key within the offset bound');
}

/** The px the Router holds for a group key (a compressed point): the key offset to the key rule, its x. */
export function routerPxOfGroupKey(groupKey: Uint8Array): Uint8Array {
  const point = SecpPoint.fromBytes(groupKey);
  const offset = routerKeyOffset(point);
  return pxOf(offset === 0n ? point : point.add(SecpPoint.BASE.multiply(offset)));
}

/** keccak256(address(R) || px || message): the unreduced challenge the contract compares. */
export function routerChallengeBytes(R: SecpPoint, px: Uint8Array, msg: Uint8Array): Uint8Array {
  return keccak_256(concatBytes(ethereumAddress(R), px, msg));
}

const pxOf = (key: SecpPoint): Uint8Array => Fn.toBytes(key.toAffine().x);

function routerChallenge(R: SecpPoint, PK: SecpPoint, msg: Uint8Array): bigint {
  return Fn.create(bytesToNumberBE(routerChallengeBytes(R, pxOf(PK), msg)));
}

/**
 * The Router's `Schnorr.verify(px, message, c, s)` re-stated: with Q the group order,
 * sa = Q − s·px, ca = Q − c·px (mod Q), R = ecrecover(sa, 27, px, ca) = s·G − c·A, and the
 * signature holds iff c == keccak256(address(R) || px || message).
 */
export function verifyRouterSignature(signature: Uint8Array, msg: Uint8Array, px: Uint8Array): boolean {
  if (signature.length !== 64 || px.length !== 32) return false;
  const pxValue = bytesToNumberBE(px);
  if (pxValue === 0n || pxValue >= N) return false;
  const c = signature.subarray(0, 32);
  const s = bytesToNumberBE(signature.subarray(32));
  const sa = N - Fn.create(s * pxValue);
  const ca = N - Fn.create(bytesToNumberBE(c) * pxValue);
  if (sa === 0n || ca === N) return false; // the contract reverts; ecrecover rejects s = 0 mod n
  try {
    const recovered = new secp256k1.Signature(pxValue, ca, 0).recoverPublicKey(Fn.toBytes(Fn.create(sa)));
    return equalBytes(c, routerChallengeBytes(recovered, px, msg));
  } catch {
    return false; // ecrecover returns address(0): the contract reverts
  }
}

export const routerFrost = createFROST({
  name: ROUTER_CONTEXT_STRING,
  Point: secp256k1.Point,
  hashToScalar: secp256k1_hasher.hashToScalar,
  hash: sha256,
  challenge: routerChallenge,
});

export function routerSpec<E>(engine: GroupEngine<SecpPoint, E>): SuiteSpec<SecpPoint, E> {
  return {
    contextString: ROUTER_CONTEXT_STRING,
    Point: SecpPoint,
    Fn,
    ...secp256k1Hashes,
    challenge: routerChallenge,
    encodeSignature: (R, z) => concatBytes(R.toBytes(true), Fn.toBytes(z)),
    engine,
  };
}

const cachedOffset = memoize((groupKeyHex) => routerKeyOffset(SecpPoint.fromHex(groupKeyHex)));

function offsetOf(pub: FrostPublic): KeyOffset {
  return { negate: false, offset: cachedOffset(bytesToHex(pub.commitments[0]!)) };
}

const preparePublic = memoizedPreparation('ethereum', (pub: FrostPublic) => offsetPublic(pub, offsetOf(pub)));

export function createEthereumScheme<E>(engine: GroupEngine<SecpPoint, E>): Scheme {
  return {
    id: 'ethereum',
    frost: routerFrost,
    backend: createSigningBackend(routerSpec(engine), routerFrost),
    preparePublic(pub, kind) {
      rejectKind(kind);
      return preparePublic(pub, undefined);
    },
    prepareSecret(secret, pub, kind) {
      rejectKind(kind);
      return offsetSecret(secret, offsetOf(pub));
    },
    groupKeyEncoding: (pub) => pxOf(SecpPoint.fromBytes(pub.commitments[0]!)),
    finalizeSignature(frostSignature, msg, pub) {
      const R = SecpPoint.fromBytes(frostSignature.subarray(0, 33));
      const px = pxOf(SecpPoint.fromBytes(pub.commitments[0]!));
      return concatBytes(routerChallengeBytes(R, px, msg), frostSignature.subarray(33));
    },
    verify: (signature, msg, groupKey) => verifyRouterSignature(signature, msg, groupKey),
  };
}

