import { __tests as scure } from '@scure/sr25519';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { MerlinTranscript } from '../../../crypto/merlin';

describe('Merlin transcript', () => {
  test('merlin crate equivalence_simple vector', () => {
    const t = new MerlinTranscript('test protocol');
    t.appendMessage('some label', 'some data');
    expect(bytesToHex(t.challengeBytes('challenge', 32))).toBe(
      'd5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615',
    );
  });

  test('merlin crate equivalence_complex vector (1 KiB messages spanning several STROBE blocks)', () => {
    const t = new MerlinTranscript('test protocol');
    t.appendMessage('step1', 'some data');
    const data = new Uint8Array(1024).fill(99);
    let challenge: Uint8Array = new Uint8Array();
    for (let i = 0; i < 32; i++) {
      challenge = t.challengeBytes('challenge', 32);
      t.appendMessage('bigdata', data);
      t.appendMessage('challengedata', challenge);
    }
    expect(bytesToHex(challenge)).toBe('a8c933f54fae76e3f9bea93648c1308e7dfa2152dd51674ff3ca438351cf003c');
  });

  test('matches @scure/sr25519 internal Merlin on random transcripts, including long challenges', () => {
    for (let round = 0; round < 50; round++) {
      const ours = new MerlinTranscript(`protocol ${round}`);
      const theirs = new scure.Merlin(`protocol ${round}`);
      const steps = 1 + (round % 7);
      for (let step = 0; step < steps; step++) {
        const label = randomBytes(step * 3);
        const message = randomBytes((round * 37 + step * 101) % 700);
        ours.appendMessage(label, message);
        theirs.appendMessage(label, message);
        const length = 1 + ((round * 13 + step * 59) % 400);
        expect(bytesToHex(ours.challengeBytes('c', length))).toBe(bytesToHex(theirs.challengeBytes('c', length)));
      }
    }
  });

  test('matches the Schnorrkel signing-context transcript of @scure/sr25519', () => {
    const msg = randomBytes(77);
    const pk = randomBytes(32);
    const R = randomBytes(32);
    const theirs = new scure.SigningContext('SigningContext');
    theirs.label(new TextEncoder().encode('substrate'));
    theirs.bytes(msg);
    theirs.protoName('Schnorr-sig');
    theirs.appendMessage('sign:pk', pk);
    theirs.appendMessage('sign:R', R);
    const ours = new MerlinTranscript('SigningContext')
      .appendMessage('', 'substrate')
      .appendMessage('sign-bytes', msg)
      .appendMessage('proto-name', 'Schnorr-sig')
      .appendMessage('sign:pk', pk)
      .appendMessage('sign:R', R);
    expect(bytesToHex(ours.challengeBytes('sign:c', 64))).toBe(bytesToHex(theirs.challengeBytes('sign:c', 64)));
  });

  test('appendU64 is a little-endian 8-byte message and rejects out-of-range values', () => {
    const a = new MerlinTranscript('u64').appendU64('n', 0x0102030405060708n);
    const b = new MerlinTranscript('u64').appendMessage('n', Uint8Array.of(8, 7, 6, 5, 4, 3, 2, 1));
    expect(bytesToHex(a.challengeBytes('x', 16))).toBe(bytesToHex(b.challengeBytes('x', 16)));
    expect(() => new MerlinTranscript('u64').appendU64('n', 1n << 64n)).toThrow(RangeError);
    expect(() => new MerlinTranscript('u64').challengeBytes('x', -1)).toThrow(RangeError);
  });
});
