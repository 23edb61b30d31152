/**
 * The signing API: equality with noble's own functions, identifiable abort, strict decoding of
 * everything a peer sends, signer-set rules, and the properties the nonce ledger relies on.
 */
import type { Key } from '@noble/curves/abstract/frost.js';
import { ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import { bytesToHex, concatBytes, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import {
  InvalidSignatureSharesError,
  MalformedParticipantDataError,
  SignerSetError,
  SigningInputError,
} from '../../../crypto/sign/errors';
import { referenceAggregate, referenceSignShare } from '../../../crypto/sign/reference';
import { dealKeys, signAll } from '../../../crypto/sign/simulate';
import { aggregate, commit, signingDigest, signShare } from '../../../crypto/signing';
import { OUTPUT_KINDS, rfc9591Suites, schemes, type Scheme } from '../../../crypto/suites';

const allSchemes: Scheme[] = [...Object.values(schemes), ...Object.values(rfc9591Suites)];
const byId = allSchemes.map((scheme) => [scheme.id, scheme] as const);
const msg = new TextEncoder().encode('withdraw 1 BTC to bc1q...');

function caught(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

/** A 3-of-5 session signed by 1, 2, 4 (and 5 when `signers` says so). */
function session(scheme: Scheme, signers: number[] = [1, 2, 4]) {
  const keys = dealKeys(scheme, 3, 5);
  const run = signAll(scheme, keys, signers, msg);
  return { ...run, pub: run.keys.get(signers[0]!)!.public };
}

describe.each(byId)('%s', (_id, scheme) => {
  test("shares and signatures equal noble's signShare/aggregate for the same inputs", () => {
    const kinds = scheme.id === 'bip340' ? OUTPUT_KINDS : [undefined];
    for (const kind of kinds) {
      for (const [t, n, count] of [
        [2, 3, 2],
        [3, 5, 4],
        [5, 7, 7],
      ] as const) {
        const keys = dealKeys(scheme, t, n);
        const signers = Array.from({ length: count }, (_, i) => n - i).sort((a, b) => a - b);
        const message = randomBytes(1 + (randomBytes(1)[0]! % 64));
        const run = signAll(scheme, keys, signers, message, kind);
        const pub = run.keys.get(signers[0]!)!.public;
        for (const p of signers) {
          const reference = referenceSignShare(scheme, run.keys.get(p)!, run.nonces.get(p)!, run.commitments, message);
          expect(bytesToHex(run.shares.get(p)!)).toBe(bytesToHex(reference));
        }
        const signature = aggregate(scheme, pub, run.commitments, message, run.shares);
        expect(bytesToHex(signature)).toBe(bytesToHex(referenceAggregate(scheme, pub, run.commitments, message, run.shares)));
        expect(scheme.verify(signature, message, scheme.groupKeyEncoding(pub))).toBe(true);
      }
    }
  });

  test('aggregation names exactly the participants whose shares are invalid, as noble does', () => {
    const keys = dealKeys(scheme, 5, 8);
    const signers = [1, 2, 3, 5, 6, 7, 8];
    const run = signAll(scheme, keys, signers, msg);
    const pub = run.keys.get(1)!.public;
    for (const cheaters of [[6], [1, 8], [2, 3, 7], signers]) {
      const shares = new Map(run.shares);
      for (const p of cheaters) shares.set(p, scheme.frost.utils.randomScalar());
      const error = caught(() => aggregate(scheme, pub, run.commitments, msg, shares));
      expect(error).toBeInstanceOf(InvalidSignatureSharesError);
      expect((error as InvalidSignatureSharesError).participants).toEqual(cheaters);
      const reference = caught(() => referenceAggregate(scheme, pub, run.commitments, msg, shares));
      expect((reference as InvalidSignatureSharesError).participants).toEqual(cheaters);
    }
  });

  test("a share answering another message, or another signer's share, is named", () => {
    const { keys, nonces, commitments, shares, pub } = session(scheme);
    const replayed = new Map(shares);
    const otherMessage = concatBytes(msg, Uint8Array.of(0));
    replayed.set(2, signShare(scheme, keys.get(2)!, nonces.get(2)!, commitments, otherMessage));
    replayed.set(4, shares.get(1)!);
    const error = caught(() => aggregate(scheme, pub, commitments, msg, replayed));
    expect((error as InvalidSignatureSharesError).participants).toEqual([2, 4]);
  });

  test('signer sets below the threshold, beyond the key set or outside it fail clearly', () => {
    const { keys, nonces, commitments, shares, pub } = session(scheme);
    const two = new Map([...commitments].filter(([p]) => p !== 4));
    const tooFew = caught(() => signShare(scheme, keys.get(1)!, nonces.get(1)!, two, msg));
    expect(tooFew).toBeInstanceOf(SignerSetError);
    expect(tooFew.message).toMatch(/2 signers, threshold is 3/);
    const tooFewShares = new Map([...shares].filter(([p]) => p !== 4));
    expect(caught(() => aggregate(scheme, pub, two, msg, tooFewShares))).toBeInstanceOf(SignerSetError);
    for (const stranger of [0, 6, 70000, 1.5]) {
      const withStranger = new Map(commitments).set(stranger, commitments.get(2)!);
      const error = caught(() => signShare(scheme, keys.get(1)!, nonces.get(1)!, withStranger, msg));
      expect(error).toBeInstanceOf(SignerSetError);
      expect((error as SignerSetError).participants).toEqual([stranger]);
    }
  });

  test('shares must come from exactly the committed signers', () => {
    const { commitments, shares, pub } = session(scheme);
    const missing = new Map([...shares].filter(([p]) => p !== 2));
    const error = caught(() => aggregate(scheme, pub, commitments, msg, missing));
    expect(error).toBeInstanceOf(SignerSetError);
    expect((error as SignerSetError).participants).toEqual([2]);
    const extra = new Map(shares).set(5, shares.get(1)!);
    expect((caught(() => aggregate(scheme, pub, commitments, msg, extra)) as SignerSetError).participants).toEqual([5]);
  });

  test('malformed shares are rejected naming the participant', () => {
    const { commitments, shares, pub } = session(scheme);
    const Fn = scheme.frost.utils.Fn;
    const aboveOrder = hexToBytes('ff'.repeat(Fn.BYTES));
    for (const bad of [shares.get(4)!.subarray(1), concatBytes(shares.get(4)!, Uint8Array.of(0)), aboveOrder, 'not bytes']) {
      const withBad = new Map<number, unknown>(shares).set(4, bad) as Map<number, Uint8Array>;
      const error = caught(() => aggregate(scheme, pub, commitments, msg, withBad));
      expect(error).toBeInstanceOf(MalformedParticipantDataError);
      expect((error as MalformedParticipantDataError).participant).toBe(4);
      expect((error as MalformedParticipantDataError).field).toBe('share');
    }
  });

  test('malformed commitments are rejected naming the participant, in signShare and aggregate', () => {
    const { keys, nonces, commitments, shares, pub } = session(scheme);
    const good = commitments.get(2)!;
    const width = good.length / 2;
    for (const bad of malformedPoints(scheme, width)) {
      const withBad = new Map(commitments).set(2, concatBytes(good.subarray(0, width), bad));
      for (const run of [
        () => signShare(scheme, keys.get(1)!, nonces.get(1)!, withBad, msg),
        () => aggregate(scheme, pub, withBad, msg, shares),
      ]) {
        const error = caught(run);
        expect(error).toBeInstanceOf(MalformedParticipantDataError);
        expect((error as MalformedParticipantDataError).participant).toBe(2);
        expect((error as MalformedParticipantDataError).field).toBe('commitments');
      }
    }
    const truncated = new Map(commitments).set(4, good.subarray(0, good.length - 1));
    expect((caught(() => aggregate(scheme, pub, truncated, msg, shares)) as MalformedParticipantDataError).participant).toBe(4);
  });

  test("a signer refuses commitments relayed under its name that are not its own", () => {
    const { keys, nonces, commitments } = session(scheme);
    const forged = new Map(commitments).set(1, commit(scheme, keys.get(1)!.secret).commitments);
    const error = caught(() => signShare(scheme, keys.get(1)!, nonces.get(1)!, forged, msg));
    expect(error).toBeInstanceOf(SigningInputError);
    expect((error as SigningInputError).field).toBe('commitments');
    const absent = new Map(commitments);
    absent.delete(1);
    absent.set(5, commitments.get(1)!);
    expect((caught(() => signShare(scheme, keys.get(1)!, nonces.get(1)!, absent, msg)) as SigningInputError).field).toBe(
      'commitments',
    );
  });

  test('malformed own nonces and keys are typed errors that never echo secret bytes', () => {
    const { keys, nonces, commitments } = session(scheme);
    const own = nonces.get(1)!;
    const zero = new Uint8Array(own.length);
    for (const bad of [own.subarray(1), zero, concatBytes(own, own)]) {
      const error = caught(() => signShare(scheme, keys.get(1)!, bad, commitments, msg));
      expect(error).toBeInstanceOf(SigningInputError);
      expect((error as SigningInputError).field).toBe('nonces');
      expect(error.message).not.toContain(bytesToHex(own).slice(0, 16));
    }
    const key = keys.get(1)!;
    const badIdentifier = { ...key, secret: { ...key.secret, identifier: 'zz' } };
    expect((caught(() => signShare(scheme, badIdentifier, own, commitments, msg)) as SigningInputError).field).toBe(
      'key.secret.identifier',
    );
    const share = key.secret.signingShare;
    const badShare = { ...key, secret: { ...key.secret, signingShare: share.subarray(2) } } as Key;
    const error = caught(() => signShare(scheme, badShare, own, commitments, msg));
    expect((error as SigningInputError).field).toBe('key.secret.signingShare');
    expect(error.message).not.toContain(bytesToHex(share).slice(0, 16));
  });

  test('signShare is deterministic in its inputs and leaves the nonces intact (ledger retries)', () => {
    const { keys, nonces, commitments, shares, pub } = session(scheme);
    const before = bytesToHex(nonces.get(1)!);
    expect(bytesToHex(signShare(scheme, keys.get(1)!, nonces.get(1)!, commitments, msg))).toBe(bytesToHex(shares.get(1)!));
    expect(bytesToHex(nonces.get(1)!)).toBe(before);
    const digest = bytesToHex(signingDigest(scheme, pub, commitments, msg));
    expect(bytesToHex(signingDigest(scheme, pub, new Map([...commitments].reverse()), msg))).toBe(digest);
    expect(bytesToHex(signingDigest(scheme, pub, commitments, concatBytes(msg, Uint8Array.of(0))))).not.toBe(digest);
    const other = new Map(commitments).set(4, commit(scheme, keys.get(4)!.secret).commitments);
    expect(bytesToHex(signingDigest(scheme, pub, other, msg))).not.toBe(digest);
  });
});

/** Point encodings a strict decoder must refuse, per group. */
function malformedPoints(scheme: Scheme, width: number): Uint8Array[] {
  if (width === 65) {
    const valid = hexToBytes(
      '0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8',
    );
    const offCurve = Uint8Array.from(valid);
    offCurve[64]! ^= 1;
    const compressedPrefix = Uint8Array.from(valid);
    compressedPrefix[0] = 0x02;
    const xAboveP = concatBytes(Uint8Array.of(4), hexToBytes('ff'.repeat(32)), valid.subarray(33));
    return [offCurve, compressedPrefix, xAboveP, new Uint8Array(65)];
  }
  const identity = new Uint8Array(32);
  if (scheme.id === 'ed25519') {
    identity[0] = 1;
    const torsion = hexToBytes(ED25519_TORSION_SUBGROUP[1]!);
    const yAboveP = hexToBytes('ee' + 'ff'.repeat(30) + '7f');
    return [identity, torsion, yAboveP];
  }
  // ristretto255: identity, a negative (odd) field element, and a non-canonical s >= p.
  const negative = Uint8Array.from(identity);
  negative[0] = 1;
  const nonCanonical = hexToBytes('ed' + 'ff'.repeat(30) + '7f');
  return [identity, negative, nonCanonical];
}
