import { randomBytes, bytesToHex } from '@noble/ciphers/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import Database from 'better-sqlite3';
import { NonceReuseError, NoncesNotFoundError } from '../../../store/errors';
import type { Keystore } from '../../../store/keystore';
import type { GeneratedNonces } from '../../../store/nonce-ledger';
import { freshKeystore, tempDir } from './helpers';

const { dir, cleanup } = tempDir('nonce-ledger');
afterAll(cleanup);

let keystore: Keystore;
let path: string;
beforeEach(() => {
  ({ keystore, path } = freshKeystore(dir));
});
afterEach(() => keystore.close());

function nonces(): GeneratedNonces {
  return { secret: randomBytes(64), commitments: randomBytes(66) };
}

/** A deterministic stand-in for a FROST share: any function of (nonces, message) serves the ledger. */
function signer(messageHash: Uint8Array) {
  return jest.fn((nonceSecret: Uint8Array) => sha256(new Uint8Array([...nonceSecret, ...messageHash])));
}

describe('preprocess', () => {
  test('twice for the same key returns the same commitments and calls generate once', () => {
    const generate = jest.fn(nonces);
    const first = keystore.nonces.preprocess('plan-1', 0, 1, generate);
    const second = keystore.nonces.preprocess('plan-1', 0, 1, generate);
    expect(generate).toHaveBeenCalledTimes(1);
    expect(second).toEqual(first);
    expect(first).toHaveLength(66);
  });

  test('wipes the generated secret buffer once sealed', () => {
    const generated = nonces();
    keystore.nonces.preprocess('plan-1', 0, 1, () => generated);
    expect(generated.secret.every((byte) => byte === 0)).toBe(true);
  });

  test('a new attempt or another participant gets its own nonces', () => {
    const a = keystore.nonces.preprocess('plan-1', 0, 1, nonces);
    const b = keystore.nonces.preprocess('plan-1', 1, 1, nonces);
    const c = keystore.nonces.preprocess('plan-1', 0, 2, nonces);
    expect(new Set([a, b, c].map(bytesToHex)).size).toBe(3);
  });

  test('a generate that returns no bytes is a StoreInputError and stores nothing', () => {
    expect(() => keystore.nonces.preprocess('plan-1', 0, 1, () => ({ secret: randomBytes(64) }) as never)).toThrow(
      expect.objectContaining({ name: 'StoreInputError', field: 'generate().commitments' }),
    );
    const generate = jest.fn(nonces);
    keystore.nonces.preprocess('plan-1', 0, 1, generate);
    expect(generate).toHaveBeenCalledTimes(1);
  });
});

describe('consumeForMessage', () => {
  const message = sha256(new TextEncoder().encode('signing package 1'));
  const other = sha256(new TextEncoder().encode('signing package 2'));

  test('binds the nonces to the first message; a retry returns the identical share without signing again', () => {
    keystore.nonces.preprocess('plan-1', 0, 1, nonces);
    const sign = signer(message);
    const share = keystore.nonces.consumeForMessage('plan-1', 0, 1, message, sign);
    const retry = keystore.nonces.consumeForMessage('plan-1', 0, 1, Uint8Array.from(message), signer(message));
    expect(sign).toHaveBeenCalledTimes(1);
    expect(retry).toEqual(share);
  });

  test('refuses a second, different message with a NonceReuseError that carries no secret', () => {
    let nonceHex = '';
    keystore.nonces.preprocess('plan-1', 0, 1, () => {
      const generated = nonces();
      nonceHex = bytesToHex(generated.secret);
      return generated;
    });
    const share = keystore.nonces.consumeForMessage('plan-1', 0, 1, message, signer(message));
    const second = signer(other);
    let caught: unknown;
    try {
      keystore.nonces.consumeForMessage('plan-1', 0, 1, other, second);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(NonceReuseError);
    const error = caught as NonceReuseError;
    expect(error.name).toBe('NonceReuseError');
    expect(error.constructor.name).toBe('NonceReuseError');
    expect([error.signId, error.attempt, error.participant]).toEqual(['plan-1', 0, 1]);
    for (const secret of [nonceHex, nonceHex.slice(0, 16), bytesToHex(share)]) expect(error.message).not.toContain(secret);
    expect(second).not.toHaveBeenCalled();
    // The refusal changed nothing: the first message still gets its share.
    expect(keystore.nonces.consumeForMessage('plan-1', 0, 1, message, signer(message))).toEqual(share);
  });

  test('erases the nonce secret from the row once bound, keeping only message and share', () => {
    keystore.nonces.preprocess('plan-1', 0, 1, nonces);
    let seen: Uint8Array | undefined;
    const share = keystore.nonces.consumeForMessage('plan-1', 0, 1, message, (secret) => {
      seen = secret;
      return signer(message)(secret);
    });
    expect(seen?.every((byte) => byte === 0)).toBe(true);
    const raw = new Database(path, { readonly: true });
    const row = raw.prepare('SELECT sealed_nonces, message_hash, share FROM nonce_ledger').get() as Record<string, Buffer | null>;
    raw.close();
    expect(row.sealed_nonces).toBeNull();
    expect(Uint8Array.from(row.message_hash!)).toEqual(message);
    expect(Uint8Array.from(row.share!)).toEqual(share);
  });

  test('without preprocessed nonces it throws NoncesNotFoundError and never signs', () => {
    const sign = signer(message);
    expect(() => keystore.nonces.consumeForMessage('plan-9', 0, 1, message, sign)).toThrow(NoncesNotFoundError);
    keystore.nonces.preprocess('plan-9', 0, 1, nonces);
    expect(() => keystore.nonces.consumeForMessage('plan-9', 1, 1, message, sign)).toThrow(NoncesNotFoundError);
    expect(sign).not.toHaveBeenCalled();
  });

  test('if sign throws, nothing is bound and the nonces can still sign that or another message', () => {
    keystore.nonces.preprocess('plan-1', 0, 1, nonces);
    class InvalidCommitment extends Error {}
    expect(() =>
      keystore.nonces.consumeForMessage('plan-1', 0, 1, message, () => {
        throw new InvalidCommitment('participant 3 sent a bad commitment');
      }),
    ).toThrow(InvalidCommitment);
    const sign = signer(other);
    const share = keystore.nonces.consumeForMessage('plan-1', 0, 1, other, sign);
    expect(share).toEqual(sign.mock.results[0]?.value);
  });

  test('rejects malformed arguments with a StoreInputError naming the field', () => {
    keystore.nonces.preprocess('plan-1', 0, 1, nonces);
    const sign = signer(message);
    const expectField = (call: () => unknown, field: string) =>
      expect(call).toThrow(expect.objectContaining({ name: 'StoreInputError', field }));
    expectField(() => keystore.nonces.consumeForMessage('plan-1', 0, 1, new Uint8Array(31), sign), 'messageHash');
    expectField(() => keystore.nonces.consumeForMessage('', 0, 1, message, sign), 'signId');
    expectField(() => keystore.nonces.consumeForMessage('plan\n1', 0, 1, message, sign), 'signId');
    expectField(() => keystore.nonces.consumeForMessage('plan-1', -1, 1, message, sign), 'attempt');
    expectField(() => keystore.nonces.consumeForMessage('plan-1', 0, 0, message, sign), 'participant');
    expectField(() => keystore.nonces.consumeForMessage('plan-1', 0, 1, message, () => new Uint8Array(0)), 'sign() result');
    expect(sign).not.toHaveBeenCalled();
  });
});
