/**
 * Bitcoin Taproot key-path signatures: noble's `schnorr_FROST` (BIP340 challenge, even-y nonces
 * and keys) with output keys derived from the DKG's raw group key.
 *
 * Output keys. For kind K of a multisig with raw group key P:
 *   P0 = P lifted to even y,
 *   I  = P0 + t_K·G lifted to even y, with t_K = taggedHash(OUTPUT_KIND_TAG, x(P0) || K),
 *        except I = P0 for the External key,
 *   Q  = I + taggedHash("TapTweak", x(I))·G   (BIP341 with an empty script tree, as BIP86),
 * and the output script is OP_1 x(Q).
 *
 * This departs from the original processor (reference 3.3) on purpose. There, Q was P plus an
 * ad-hoc offset with G added until y was even, used directly as the output key: nobody could show
 * from Q alone that it had no script path, and the derivation was a loop rather than a formula.
 * Here every output key is a standard BIP341 key-path-only key over a published internal key, so
 * wallets and auditors can check it has no hidden script path, and each kind's key is a fixed,
 * distinct function of P that the scanner recomputes from the group key alone.
 *
 * Input: the untweaked key of a secp256k1 DKG (noble's `secp256k1_FROST` shape). noble's
 * `schnorr_FROST.DKG` already applies the BIP341 tweak to its output; such keys must not be
 * prepared again.
 */
import type { FrostPublic, FrostSecret } from '@noble/curves/abstract/frost.js';
import { schnorr, schnorr_FROST } from '@noble/curves/secp256k1.js';
import { bytesToHex, bytesToNumberBE, concatBytes } from '@noble/curves/utils.js';
import { createSigningBackend } from '../sign/backend';
import { secp256k1Hashes, SecpPoint } from '../sign/curves';
import { SigningInputError } from '../sign/errors';
import type { GroupEngine, SuiteSpec } from '../sign/suite';
import { composeOffsets, offsetPoint, offsetPublic, offsetSecret, type KeyOffset } from './key-offset';
import { memoize, memoizedPreparation } from './preparation-cache';
import type { OutputKind, Scheme } from './types';

/** BIP340 tagged-hash tag of the output-kind offsets. Changing it moves every derived address. */
export const OUTPUT_KIND_TAG = 'SeraiProcessor/OutputKind';

const Fn = SecpPoint.Fn;
const { taggedHash } = schnorr.utils;
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const hasOddY = (point: SecpPoint): boolean => (point.y & 1n) === 1n;
const xOnly = (point: SecpPoint): Uint8Array => point.toBytes(true).subarray(1);

/** A tagged hash as a scalar; BIP341 rejects (rather than reduces) values >= n. */
function tweakScalar(hash: Uint8Array, what: string): bigint {
  const value = bytesToNumberBE(hash);
  if (!Fn.isValid(value)) throw new SigningInputError(what, 'tweak hash is not below the group order');
  return value;
}

const toEven = (point: SecpPoint): KeyOffset => ({ negate: hasOddY(point), offset: 0n });

/** The share map taking the raw key P to the output key Q of `kind`, and the internal key I. */
export function outputKeyMap(rawGroupKey: SecpPoint, kind: OutputKind): { map: KeyOffset; internalKey: SecpPoint } {
  let map = toEven(rawGroupKey);
  let internalKey = offsetPoint(rawGroupKey, map);
  if (kind !== 'external') {
    const t = tweakScalar(taggedHash(OUTPUT_KIND_TAG, xOnly(internalKey), utf8(kind)), 'kind');
    const shifted = internalKey.add(SecpPoint.BASE.multiply(t));
    map = composeOffsets(composeOffsets(map, { negate: false, offset: t }), toEven(shifted));
    internalKey = offsetPoint(shifted, toEven(shifted));
  }
  const tapTweak = tweakScalar(taggedHash('TapTweak', xOnly(internalKey)), 'kind');
  return { map: composeOffsets(map, { negate: false, offset: tapTweak }), internalKey };
}

/** The x-only Taproot output key of `kind` from the raw group key alone: what anyone who knows the key can derive. */
export function outputKeyOfGroupKey(rawGroupKey: Uint8Array, kind: OutputKind): Uint8Array {
  const point = SecpPoint.fromBytes(rawGroupKey);
  return xOnly(offsetPoint(point, outputKeyMap(point, kind).map));
}

const cachedMap = memoize((key) => {
  const [groupKeyHex, kind] = key.split(':') as [string, OutputKind];
  return outputKeyMap(SecpPoint.fromHex(groupKeyHex), kind).map;
});

function mapOf(pub: FrostPublic, kind: OutputKind = 'external'): KeyOffset {
  return cachedMap(`${bytesToHex(pub.commitments[0]!)}:${kind}`);
}

const preparePublic = memoizedPreparation('bip340', (pub: FrostPublic, kind: OutputKind | undefined) =>
  offsetPublic(pub, mapOf(pub, kind)),
);

function bip340Challenge(R: SecpPoint, PK: SecpPoint, msg: Uint8Array): bigint {
  return Fn.create(bytesToNumberBE(taggedHash('BIP0340/challenge', xOnly(R), xOnly(PK), msg)));
}

export function bip340Spec<E>(engine: GroupEngine<SecpPoint, E>): SuiteSpec<SecpPoint, E> {
  return {
    contextString: 'FROST-secp256k1-SHA256-TR-v1',
    Point: SecpPoint,
    Fn,
    ...secp256k1Hashes,
    challenge: bip340Challenge,
    hasOddY,
    // schnorr_FROST drops the SEC1 prefix: the signature is x(R) || z.
    encodeSignature: (R, z) => concatBytes(xOnly(R), Fn.toBytes(z)),
    engine,
  };
}

export function createBip340Scheme<E>(engine: GroupEngine<SecpPoint, E>): Scheme {
  return {
    id: 'bip340',
    frost: schnorr_FROST,
    backend: createSigningBackend(bip340Spec(engine), schnorr_FROST),
    preparePublic,
    prepareSecret: (secret: FrostSecret, pub, kind) => offsetSecret(secret, mapOf(pub, kind)),
    groupKeyEncoding: (pub) => xOnly(SecpPoint.fromBytes(pub.commitments[0]!)),
    finalizeSignature: (frostSignature) => frostSignature,
    verify(signature, msg, groupKey) {
      try {
        return schnorr.verify(signature, msg, groupKey);
      } catch {
        return false;
      }
    },
  };
}

