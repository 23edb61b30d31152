/**
 * Faults and blame: bad shares are pinned on their sender by a proof anyone can check, forged
 * accusations fall back on the accuser (both directions, unlike the original: reference 6.2), bad
 * proofs of knowledge, replays from another run and truncated messages are named by participant.
 */
import { concatBytes } from '@noble/curves/utils.js';

import {
  checkEncryptedShare,
  checkRound1Message,
  decodeEncryptedShare,
  decodeRound1,
  ristretto255Suite,
  round2,
  round3,
  secp256k1TaprootSuite,
  verifyBlame,
  type DkgContext,
  type DkgSuite,
  type InvalidShare,
  type Round1State,
} from '../../../crypto/dkg';
import { defaultRng, evaluatePolynomial, randomScalar } from '../../../crypto/dkg/arithmetic';
import { sessionBinding } from '../../../crypto/dkg/context';
import { encryptShare, proveBlame } from '../../../crypto/dkg/encryption';
import { localRound1, localRound2, localRound3, othersOf, sharesTo, type LocalRound1, type LocalRound2 } from '../../../crypto/dkg/local-run';
import { encodeBlameProof } from '../../../crypto/dkg/messages';

const context: DkgContext = { network: 'ethereum', session: 3, attempt: 1, key: 'network' };
const params = { t: 3, n: 4 };

/** A share from `sender` to `recipient` with a valid proof of possession, of a value the sender picks. */
function craftShare(suite: DkgSuite, r1: LocalRound1, sender: number, recipient: number, value: bigint, encryptTo = recipient): Uint8Array {
  return encryptShare(suite, {
    session: sessionBinding(suite.id, context, params),
    sender,
    recipient,
    recipientKey: decodeRound1(suite, params, r1.messages.get(encryptTo)!, encryptTo).encryptionKeyBytes,
    share: value,
    ephemeralSecret: randomScalar(suite, defaultRng),
    proofNonce: randomScalar(suite, defaultRng),
  });
}

function honestShare(suite: DkgSuite, r1: LocalRound1, sender: number, recipient: number): bigint {
  const { Fn } = suite.Point;
  return evaluatePolynomial(Fn, (r1.states.get(sender) as Round1State).coefficients, BigInt(recipient));
}

function round3Of(suite: DkgSuite, r1: LocalRound1, r2: LocalRound2, participant: number) {
  return round3(suite, context, r2.states.get(participant)!, othersOf(r1.messages, participant), sharesTo(r2.shares, participant));
}

function onlyFault(result: ReturnType<typeof round3Of>): InvalidShare {
  if (result.ok) throw new Error('expected round 3 to report a fault');
  expect(result.faults).toHaveLength(1);
  const fault = result.faults[0]!;
  if (fault.kind !== 'InvalidShare') throw new Error(`expected InvalidShare, got ${fault.kind}`);
  return fault;
}

describe.each([
  ['secp256k1 Taproot', secp256k1TaprootSuite],
  ['ristretto255', ristretto255Suite],
] as const)('%s', (_name, suite) => {
  let r1: LocalRound1;
  let r2: LocalRound2;
  beforeAll(() => {
    r1 = localRound1(suite, context, params);
    r2 = localRound2(suite, context, r1);
  });

  test('a wrong share: the honest recipient\'s accusation verifies for anyone and blames the sender', () => {
    const { Fn } = suite.Point;
    const tampered = new Map([...r2.shares].map(([s, m]) => [s, new Map(m)]));
    const bad = craftShare(suite, r1, 2, 3, Fn.add(honestShare(suite, r1, 2, 3), 1n));
    tampered.get(2)!.set(3, bad);
    const withBad = { ...r2, shares: tampered };

    const fault = onlyFault(round3Of(suite, r1, withBad, 3));
    expect(fault).toMatchObject({ kind: 'InvalidShare', sender: 2, recipient: 3, reason: 'share does not match the sender\'s commitments' });
    expect(fault.blame).toBeInstanceOf(Uint8Array);
    // The other recipients of participant 2 are unaffected.
    for (const p of [1, 2, 4]) expect(round3Of(suite, r1, withBad, p).ok).toBe(true);

    // The coordinator judges from public data alone: the round-1 messages, the relayed share, the proof.
    const verdict = verifyBlame(suite, context, params, { accuser: 3, accused: 2, share: bad, blame: fault.blame }, r1.messages);
    expect(verdict).toEqual({ faulty: 2, reason: 'share does not match the sender\'s commitments' });

    // The original's mistake, handing over the share in the other direction, is refused rather than judged.
    expect(() =>
      verifyBlame(suite, context, params, { accuser: 3, accused: 2, share: r2.shares.get(3)!.get(2)!, blame: fault.blame }, r1.messages),
    ).toThrow(expect.objectContaining({ name: 'DkgInputError', field: 'share' }));

    // A damaged proof for a truly bad share still blames the accuser: the proof is what convicts.
    const damaged = Uint8Array.from(fault.blame!);
    damaged[damaged.length - 1]! ^= 1;
    expect(verifyBlame(suite, context, params, { accuser: 3, accused: 2, share: bad, blame: damaged }, r1.messages).faulty).toBe(3);
    expect(verifyBlame(suite, context, params, { accuser: 3, accused: 2, share: bad, blame: null }, r1.messages).faulty).toBe(3);
  });

  test('a share that does not decrypt (encrypted to another key) blames the sender', () => {
    const bad = craftShare(suite, r1, 1, 4, honestShare(suite, r1, 1, 4), 2);
    const tampered = new Map([...r2.shares].map(([s, m]) => [s, new Map(m)]));
    tampered.get(1)!.set(4, bad);
    const fault = onlyFault(round3Of(suite, r1, { ...r2, shares: tampered }, 4));
    expect(fault).toMatchObject({ sender: 1, recipient: 4, reason: 'undecryptable' });
    expect(verifyBlame(suite, context, params, { accuser: 4, accused: 1, share: bad, blame: fault.blame }, r1.messages).faulty).toBe(1);
  });

  test('a share whose proof of possession fails is a public fault of the sender, needing no blame proof', () => {
    const altered = Uint8Array.from(r2.shares.get(4)!.get(1)!);
    altered[altered.length - 1]! ^= 0x80; // inside the ciphertext, which the proof of possession signs
    const tampered = new Map([...r2.shares].map(([s, m]) => [s, new Map(m)]));
    tampered.get(4)!.set(1, altered);
    const fault = onlyFault(round3Of(suite, r1, { ...r2, shares: tampered }, 1));
    expect(fault).toEqual({ kind: 'InvalidShare', sender: 4, recipient: 1, blame: null, reason: 'proof of possession does not verify' });
    expect(verifyBlame(suite, context, params, { accuser: 1, accused: 4, share: altered, blame: null }, r1.messages).faulty).toBe(4);
    expect(() => checkEncryptedShare(suite, context, params, 4, 1, altered)).toThrow(
      expect.objectContaining({ name: 'DkgProofError', kind: 'share', participant: 4 }),
    );
  });

  test('false accusations against a valid share blame the accuser', () => {
    const share = r2.shares.get(2)!.get(3)!;
    const session = sessionBinding(suite.id, context, params);
    const message = decodeEncryptedShare(suite, share, 2, 3);
    const accuserState = r1.states.get(3)!;
    const accuse = (blame: Uint8Array | null) => verifyBlame(suite, context, params, { accuser: 3, accused: 2, share, blame }, r1.messages);

    // No proof at all.
    expect(accuse(null)).toEqual({ faulty: 3, reason: 'no blame proof for a well-formed share' });
    // A genuine proof revealing the true ECDH key: the share then decrypts and verifies.
    const trueEcdh = message.ephemeralKey.multiply(accuserState.encryptionSecret);
    expect(accuse(proveBlame(suite, session, accuserState.encryptionSecret, message, trueEcdh, defaultRng))).toEqual({ faulty: 3, reason: 'the share is valid' });
    // A made-up ECDH point with a proof from a key that is not the accuser's.
    const stranger = randomScalar(suite, defaultRng);
    const fake = proveBlame(suite, session, stranger, message, message.ephemeralKey.multiply(stranger), defaultRng);
    expect(accuse(fake)).toEqual({ faulty: 3, reason: 'blame proof does not verify' });
    // A point that would not decrypt, with an arbitrary (c, s).
    const arbitrary = encodeBlameProof(suite, { ecdh: suite.Point.BASE.multiply(7n), c: 1n, s: 2n });
    expect(accuse(arbitrary).faulty).toBe(3);
    // A truncated proof.
    expect(accuse(arbitrary.subarray(1))).toMatchObject({ faulty: 3 });
    // Someone else cannot reuse participant 3's valid proof for an accusation of their own.
    const honestProof = proveBlame(suite, session, accuserState.encryptionSecret, message, trueEcdh, defaultRng);
    expect(() => verifyBlame(suite, context, params, { accuser: 4, accused: 2, share, blame: honestProof }, r1.messages)).toThrow(
      expect.objectContaining({ name: 'DkgInputError', field: 'share' }),
    );
  });

  test('a bad proof of knowledge is InvalidCommitments naming its author, for every other participant', () => {
    const forged = Uint8Array.from(r1.messages.get(4)!);
    const z = forged.length - suite.pointBytes - 1; // the last byte of z, just before E
    forged[z]! ^= 1;
    const messages = new Map(r1.messages).set(4, forged);
    for (const p of [1, 2, 3]) {
      const out = round2(suite, context, r1.states.get(p)!, othersOf(messages, p));
      expect(out).toEqual({ ok: false, faults: [{ kind: 'InvalidCommitments', participant: 4, reason: 'proof of knowledge does not verify' }] });
    }
    expect(() => checkRound1Message(suite, context, params, 4, forged)).toThrow(expect.objectContaining({ name: 'DkgProofError', kind: 'round1', participant: 4 }));
    // An accusation against 4 is settled by its commitments alone.
    expect(verifyBlame(suite, context, params, { accuser: 1, accused: 4, share: r2.shares.get(4)!.get(1)!, blame: null }, messages).faulty).toBe(4);
  });

  test('messages replayed from another attempt are refused, naming their author', () => {
    const nextAttempt: DkgContext = { ...context, attempt: context.attempt + 1 };
    const next = localRound1(suite, nextAttempt, params);
    // Participant 2 replays its round-1 message of the previous attempt.
    expect(() => checkRound1Message(suite, nextAttempt, params, 2, r1.messages.get(2)!)).toThrow(
      expect.objectContaining({ name: 'DkgProofError', participant: 2 }),
    );
    const replayed = new Map(next.messages).set(2, r1.messages.get(2)!);
    const out = round2(suite, nextAttempt, next.states.get(1)!, othersOf(replayed, 1));
    expect(out).toEqual({ ok: false, faults: [{ kind: 'InvalidCommitments', participant: 2, reason: 'proof of knowledge does not verify' }] });

    // Participant 4 replays the share it sent participant 1 in the previous attempt.
    const nextR2 = localRound2(suite, nextAttempt, next);
    const shares = sharesTo(nextR2.shares, 1).set(4, r2.shares.get(4)!.get(1)!);
    const result = round3(suite, nextAttempt, nextR2.states.get(1)!, othersOf(next.messages, 1), shares);
    expect(result).toEqual({ ok: false, faults: [{ kind: 'InvalidShare', sender: 4, recipient: 1, blame: null, reason: 'proof of possession does not verify' }] });
    expect(() => checkEncryptedShare(suite, nextAttempt, params, 4, 1, r2.shares.get(4)!.get(1)!)).toThrow(
      expect.objectContaining({ name: 'DkgProofError', kind: 'share', participant: 4 }),
    );
  });

  test('truncated or padded messages are decode errors naming their author, and faults in the rounds', () => {
    const round1Bytes = r1.messages.get(3)!;
    for (const bad of [round1Bytes.subarray(0, round1Bytes.length - 1), concatBytes(round1Bytes, Uint8Array.of(0))]) {
      expect(() => decodeRound1(suite, params, bad, 3)).toThrow(expect.objectContaining({ name: 'DkgDecodeError', kind: 'round1', participant: 3, field: 'length' }));
      const out = round2(suite, context, r1.states.get(1)!, othersOf(new Map(r1.messages).set(3, bad), 1));
      expect(out.ok).toBe(false);
      if (!out.ok) expect(out.faults).toEqual([expect.objectContaining({ kind: 'InvalidCommitments', participant: 3 })]);
    }
    const share = r2.shares.get(2)!.get(1)!;
    const truncated = share.subarray(0, share.length - 5);
    expect(() => decodeEncryptedShare(suite, truncated, 2, 1)).toThrow(expect.objectContaining({ name: 'DkgDecodeError', kind: 'share', participant: 2 }));
    const result = round3(suite, context, r2.states.get(1)!, othersOf(r1.messages, 1), sharesTo(r2.shares, 1).set(2, truncated));
    expect(result).toEqual({ ok: false, faults: [expect.objectContaining({ kind: 'InvalidShare', sender: 2, recipient: 1, blame: null })] });
    expect(verifyBlame(suite, context, params, { accuser: 1, accused: 2, share: truncated, blame: null }, r1.messages).faulty).toBe(2);
  });

  test('round 3 refuses round-1 messages other than those authenticated in round 2, and states of another run', () => {
    const other = localRound1(suite, context, params);
    const swapped = othersOf(new Map(r1.messages).set(2, other.messages.get(2)!), 1);
    expect(() => round3(suite, context, r2.states.get(1)!, swapped, sharesTo(r2.shares, 1))).toThrow(expect.objectContaining({ name: 'DkgStateError' }));
    expect(() => round3(suite, { ...context, session: 4 }, r2.states.get(1)!, othersOf(r1.messages, 1), sharesTo(r2.shares, 1))).toThrow(
      expect.objectContaining({ name: 'DkgStateError' }),
    );
    expect(() => round3(suite, context, r2.states.get(1)!, othersOf(r1.messages, 1), othersOf(sharesTo(r2.shares, 1), 3))).toThrow(
      expect.objectContaining({ name: 'DkgInputError', field: 'shares', message: expect.stringContaining('missing participant 3') }),
    );
    // The untampered run completes for everyone.
    const r3 = localRound3(suite, context, r1, r2);
    expect(r3.faults.size).toBe(0);
    expect(r3.keys.size).toBe(4);
  });
});
