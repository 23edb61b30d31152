/**
 * Each scheme's threshold signatures, from random t-of-n keys, checked by verifiers outside our
 * code: noble schnorr + libsecp256k1 (tiny-secp256k1) for BIP340, bitcoinjs for the BIP341 output
 * keys, a re-statement of the Router's ecrecover check for Ethereum, @scure/sr25519 + polkadot for
 * sr25519, noble + OpenSSL (node:crypto) for Ed25519.
 */
import { createPublicKey, verify as opensslVerify } from 'node:crypto';
import type { Key } from '@noble/curves/abstract/frost.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr, secp256k1, secp256k1_FROST } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, equalBytes, numberToBytesBE } from '@noble/curves/utils.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, concatBytes, randomBytes } from '@noble/hashes/utils.js';
import { cryptoWaitReady, sr25519Verify } from '@polkadot/util-crypto';
import { verify as scureSr25519Verify } from '@scure/sr25519';
import { initEccLib, payments } from 'bitcoinjs-lib';
import * as ecc from 'tiny-secp256k1';
import { outputKeyMap } from '../../../crypto/suites/bip340';
import { isValidRouterKey, routerKeyOffset } from '../../../crypto/suites/ethereum';
import { dealKeys, signWithThreshold } from '../../../crypto/sign/simulate';
import { prepareKey } from '../../../crypto/signing';
import { OUTPUT_KINDS, schemes, type Scheme } from '../../../crypto/suites';

const SecpPoint = secp256k1.Point;
const N = SecpPoint.Fn.ORDER;

function randomInt(min: number, max: number): number {
  return min + (randomBytes(1)[0]! % (max - min + 1));
}

/** A random t-of-n set and a random signer subset of size t..n. */
function randomSetup(scheme: Scheme) {
  const n = randomInt(3, 9);
  const t = Math.floor((2 * n) / 3) + 1;
  const everyone = Array.from({ length: n }, (_, i) => i + 1);
  const shuffled = everyone.sort(() => randomBytes(1)[0]! - 128);
  const signers = shuffled.slice(0, randomInt(t, n)).sort((a, b) => a - b);
  return { t, n, signers, keys: dealKeys(scheme, t, n) };
}

const message = () => randomBytes(randomInt(0, 80));

describe('bip340 (Taproot key path)', () => {
  const scheme = schemes.bip340;
  beforeAll(() => initEccLib(ecc));

  test.each(OUTPUT_KINDS)('random t-of-n signatures for %s keys verify with noble and libsecp256k1', (kind) => {
    for (let round = 0; round < 3; round++) {
      const { keys, signers } = randomSetup(scheme);
      const msg = randomBytes(32);
      const { signature, publicPackage } = signWithThreshold(scheme, keys, signers, msg, kind);
      const outputKey = scheme.groupKeyEncoding(publicPackage);
      expect(outputKey).toHaveLength(32);
      expect(signature).toHaveLength(64);
      expect(schnorr.verify(signature, msg, outputKey)).toBe(true);
      expect(ecc.verifySchnorr(msg, outputKey, signature)).toBe(true);
      expect(scheme.verify(signature, msg, outputKey)).toBe(true);
      const otherMsg = Uint8Array.from(msg);
      otherMsg[0]! ^= 1;
      expect(ecc.verifySchnorr(otherMsg, outputKey, signature)).toBe(false);
    }
  });

  test('output keys are the standard BIP341 tweak (bitcoinjs p2tr) of a distinct internal key per kind', () => {
    const keys = dealKeys(scheme, 3, 4);
    const raw = keys.get(1)!.public;
    const rawKey = SecpPoint.fromBytes(raw.commitments[0]!);
    const outputKeys = new Set<string>();
    for (const kind of OUTPUT_KINDS) {
      const { internalKey } = outputKeyMap(rawKey, kind);
      const expected = payments.p2tr({ internalPubkey: internalKey.toBytes(true).subarray(1) });
      const outputKey = scheme.groupKeyEncoding(scheme.preparePublic(raw, kind));
      expect(bytesToHex(outputKey)).toBe(bytesToHex(expected.pubkey!));
      expect(bytesToHex(expected.output!)).toBe('5120' + bytesToHex(outputKey));
      outputKeys.add(bytesToHex(outputKey));
    }
    expect(outputKeys.size).toBe(OUTPUT_KINDS.length);
    // The external key's internal key is the raw group key itself (x-only).
    expect(bytesToHex(outputKeyMap(rawKey, 'external').internalKey.toBytes(true).subarray(1))).toBe(
      bytesToHex(raw.commitments[0]!.subarray(1)),
    );
  });

  test('prepared shares of any t signers interpolate to the prepared group secret', () => {
    const keys = dealKeys(scheme, 3, 5);
    for (const kind of OUTPUT_KINDS) {
      const prepared = [2, 4, 5].map((p) => prepareKey(scheme, keys.get(p)!, kind));
      const secret = secp256k1_FROST.combineSecret(prepared.map((k) => k.secret), { min: 3, max: 5 });
      const groupKey = prepared[0]!.public.commitments[0]!;
      expect(bytesToHex(SecpPoint.BASE.multiply(bytesToNumberBE(secret)).toBytes(true))).toBe(bytesToHex(groupKey));
      for (const key of prepared) {
        const share = bytesToNumberBE(key.secret.signingShare);
        expect(bytesToHex(SecpPoint.BASE.multiply(share).toBytes(true))).toBe(
          bytesToHex(key.public.verifyingShares[key.secret.identifier]!),
        );
      }
    }
  });

  test('prepared packages come from a content-keyed cache as independent copies equal to the uncached result', () => {
    const keys = dealKeys(scheme, 3, 5);
    const raw = keys.get(1)!.public;
    const first = scheme.preparePublic(raw, 'branch');
    // A structurally equal package (new objects, same bytes) hits the cache and gets its own copy.
    const clone = { ...raw, commitments: raw.commitments.map((c) => Uint8Array.from(c)) };
    const second = scheme.preparePublic(clone, 'branch');
    expect(second).not.toBe(first);
    expect(second.commitments[0]).not.toBe(first.commitments[0]);
    expect(bytesToHex(second.commitments[0]!)).toBe(bytesToHex(first.commitments[0]!));
    first.commitments[0]!.fill(0);
    expect(bytesToHex(scheme.preparePublic(raw, 'branch').commitments[0]!)).toBe(bytesToHex(second.commitments[0]!));
    const { map } = outputKeyMap(SecpPoint.fromBytes(raw.commitments[0]!), 'branch');
    const expected = SecpPoint.fromBytes(raw.commitments[0]!);
    const uncached = (map.negate ? expected.negate() : expected).add(SecpPoint.BASE.multiply(map.offset));
    expect(bytesToHex(second.commitments[0]!)).toBe(bytesToHex(uncached.toBytes(true)));
    expect(bytesToHex(scheme.preparePublic(raw, 'change').commitments[0]!)).not.toBe(bytesToHex(second.commitments[0]!));
  });

  test("keys from noble's secp256k1 DKG sign verifiable Taproot signatures", () => {
    const signers = { min: 3, max: 4 };
    const ids = [1, 2, 3, 4].map((p) => secp256k1_FROST.Identifier.fromNumber(p));
    const round1 = ids.map((id) => secp256k1_FROST.DKG.round1(id, signers));
    const round2 = round1.map((r, i) =>
      secp256k1_FROST.DKG.round2(
        r.secret,
        round1.filter((_, j) => j !== i).map((o) => o.public),
      ),
    );
    const keys = new Map<number, Key>();
    round1.forEach((r, i) => {
      const others = round1.filter((_, j) => j !== i).map((o) => o.public);
      const received = round2.filter((_, j) => j !== i).map((packages) => packages[ids[i]!]!);
      keys.set(i + 1, secp256k1_FROST.DKG.round3(r.secret, others, received));
    });
    const msg = randomBytes(32);
    const { signature, publicPackage } = signWithThreshold(scheme, keys, [1, 3, 4], msg, 'change');
    expect(ecc.verifySchnorr(msg, scheme.groupKeyEncoding(publicPackage), signature)).toBe(true);
  });
});

/** The Router contract's Schnorr.verify, re-stated; `recover` is an ecrecover implementation. */
function routerContractVerify(
  px: Uint8Array,
  msg: Uint8Array,
  signature: Uint8Array,
  recover: (hash: Uint8Array, r: Uint8Array, s: Uint8Array) => Uint8Array | null,
): boolean {
  const c = signature.subarray(0, 32);
  const s = bytesToNumberBE(signature.subarray(32, 64));
  const pxValue = bytesToNumberBE(px);
  const sa = N - ((s * pxValue) % N);
  const ca = N - ((bytesToNumberBE(c) * pxValue) % N);
  if (sa === 0n) return false;
  const R = recover(numberToBytesBE(sa, 32), px, numberToBytesBE(ca, 32));
  if (R === null) return false;
  const address = keccak_256(R.subarray(1)).subarray(12);
  return equalBytes(c, keccak_256(concatBytes(address, px, msg)));
}

const nobleEcrecover = (hash: Uint8Array, r: Uint8Array, s: Uint8Array): Uint8Array | null => {
  try {
    return new secp256k1.Signature(bytesToNumberBE(r), bytesToNumberBE(s), 0).recoverPublicKey(hash).toBytes(false);
  } catch {
    return null;
  }
};
const libsecpEcrecover = (hash: Uint8Array, r: Uint8Array, s: Uint8Array): Uint8Array | null => {
  try {
    return ecc.recover(hash, concatBytes(r, s), 0, false);
  } catch {
    return null;
  }
};

describe('ethereum (Router Schnorr)', () => {
  const scheme = schemes.ethereum;

  test('random t-of-n signatures pass the contract check with noble and libsecp256k1 ecrecover', () => {
    for (let round = 0; round < 6; round++) {
      const { keys, signers } = randomSetup(scheme);
      const msg = message();
      const { signature, publicPackage } = signWithThreshold(scheme, keys, signers, msg);
      const px = scheme.groupKeyEncoding(publicPackage);
      expect(signature).toHaveLength(64);
      expect(routerContractVerify(px, msg, signature, nobleEcrecover)).toBe(true);
      expect(routerContractVerify(px, msg, signature, libsecpEcrecover)).toBe(true);
      expect(scheme.verify(signature, msg, px)).toBe(true);
      const tampered = Uint8Array.from(signature);
      tampered[63]! ^= 1;
      expect(routerContractVerify(px, msg, tampered, nobleEcrecover)).toBe(false);
      expect(scheme.verify(tampered, msg, px)).toBe(false);
      expect(scheme.verify(signature, concatBytes(msg, Uint8Array.of(0)), px)).toBe(false);
    }
  });

  test('the group key gets the smallest offset that makes it a valid Router key (even y, x < n)', () => {
    for (let round = 0; round < 8; round++) {
      const keys = dealKeys(scheme, 2, 3);
      const raw = keys.get(1)!.public;
      const rawKey = SecpPoint.fromBytes(raw.commitments[0]!);
      const offset = routerKeyOffset(rawKey);
      const prepared = SecpPoint.fromBytes(scheme.preparePublic(raw).commitments[0]!);
      expect(prepared.equals(offset === 0n ? rawKey : rawKey.add(SecpPoint.BASE.multiply(offset)))).toBe(true);
      expect(prepared.y % 2n).toBe(0n);
      expect(prepared.x < N).toBe(true);
      for (let smaller = 0n; smaller < offset; smaller++) {
        const candidate = smaller === 0n ? rawKey : rawKey.add(SecpPoint.BASE.multiply(smaller));
        expect(isValidRouterKey(candidate)).toBe(false);
      }
    }
  });
});

describe('sr25519 (Schnorrkel, context "substrate")', () => {
  const scheme = schemes.sr25519;
  beforeAll(async () => {
    await cryptoWaitReady();
  });

  test('random t-of-n signatures verify with @scure/sr25519 and polkadot sr25519Verify', () => {
    for (let round = 0; round < 4; round++) {
      const { keys, signers } = randomSetup(scheme);
      const msg = message();
      const { signature, publicPackage } = signWithThreshold(scheme, keys, signers, msg);
      const publicKey = scheme.groupKeyEncoding(publicPackage);
      expect(signature[63]! & 0x80).toBe(0x80);
      expect(scureSr25519Verify(msg, signature, publicKey)).toBe(true);
      expect(sr25519Verify(msg, signature, publicKey)).toBe(true);
      expect(sr25519Verify(concatBytes(msg, Uint8Array.of(1)), signature, publicKey)).toBe(false);
    }
  });
});

describe('ed25519', () => {
  const scheme = schemes.ed25519;

  test('random t-of-n signatures verify with noble (RFC 8032 strict) and OpenSSL', () => {
    for (let round = 0; round < 4; round++) {
      const { keys, signers } = randomSetup(scheme);
      const msg = message();
      const { signature, publicPackage } = signWithThreshold(scheme, keys, signers, msg);
      const publicKey = scheme.groupKeyEncoding(publicPackage);
      expect(ed25519.verify(signature, msg, publicKey, { zip215: false })).toBe(true);
      const spki = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
        format: 'jwk',
      });
      expect(opensslVerify(null, msg, spki, signature)).toBe(true);
      expect(opensslVerify(null, concatBytes(msg, Uint8Array.of(1)), spki, signature)).toBe(false);
    }
  });
});
