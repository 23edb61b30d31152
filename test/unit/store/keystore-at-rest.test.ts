import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { randomBytes, bytesToHex } from '@noble/ciphers/utils.js';
import { Keystore } from '../../../store/keystore';
import { Sealer, associatedData } from '../../../store/sealing';
import { KeystoreDecryptError } from '../../../store/errors';
import { freshKeystore, tempDir } from './helpers';

const { dir, cleanup } = tempDir('keystore-at-rest');
afterAll(cleanup);

const share1 = { network: 'bitcoin', session: 3, attempt: 0, curve: 'secp256k1', participant: 1 } as const;
const share2 = { ...share1, participant: 2 } as const;
const dkg = { network: 'bitcoin', session: 3, attempt: 0, curve: 'secp256k1', participant: 1, round: 'round1' } as const;

function contains(file: Buffer, needle: Uint8Array): boolean {
  return file.indexOf(needle) !== -1;
}

function rawConnection(path: string): Database.Database {
  return new Database(path);
}

test('stored secrets never appear in plaintext in the database file or its -wal, yet read back through the API', () => {
  const { keystore, path } = freshKeystore(dir);
  const shareMarker = randomBytes(32);
  const dkgMarker = randomBytes(48);
  const nonceMarker = randomBytes(64);
  const publicControl = randomBytes(33);

  keystore.putKeyShare(share1, shareMarker);
  keystore.putDkgStateOnce(dkg, dkgMarker);
  keystore.nonces.preprocess('plan-bitcoin-1', 0, 1, () => ({ secret: Uint8Array.from(nonceMarker), commitments: randomBytes(66) }));
  keystore.putGroupKey({ network: 'bitcoin', session: 3, attempt: 0, curve: 'secp256k1' }, publicControl);

  // Before any checkpoint the rows live only in the WAL.
  const wal = readFileSync(`${path}-wal`);
  expect(contains(wal, publicControl)).toBe(true); // the search finds plaintext columns, so its silence below means something
  for (const marker of [shareMarker, dkgMarker, nonceMarker]) expect(contains(wal, marker)).toBe(false);

  const raw = rawConnection(path);
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
  const main = readFileSync(path);
  expect(contains(main, publicControl)).toBe(true);
  for (const marker of [shareMarker, dkgMarker, nonceMarker]) {
    expect(contains(main, marker)).toBe(false);
    expect(main.includes(bytesToHex(marker))).toBe(false);
  }

  expect(keystore.getKeyShare(share1)).toEqual(shareMarker);
  expect(keystore.getDkgState(dkg)).toEqual(dkgMarker);
  let seenNonces: Uint8Array | undefined;
  keystore.nonces.consumeForMessage('plan-bitcoin-1', 0, 1, randomBytes(32), (secret) => {
    seenNonces = Uint8Array.from(secret);
    return randomBytes(32);
  });
  expect(seenNonces).toEqual(nonceMarker);
  keystore.close();
});

test('opening with a different keystore key is a KeystoreDecryptError that does not reveal either key', () => {
  const { keystore, path, key } = freshKeystore(dir);
  keystore.putKeyShare(share1, randomBytes(32));
  keystore.close();

  const wrong = randomBytes(32);
  let caught: unknown;
  try {
    Keystore.open({ path, key: wrong });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(KeystoreDecryptError);
  expect((caught as Error).name).toBe('KeystoreDecryptError');
  expect((caught as Error).message).toMatch(/wrong keystore key/);
  expect((caught as Error).message).not.toContain(bytesToHex(wrong));
  expect((caught as Error).message).not.toContain(bytesToHex(key));

  const reopened = Keystore.open({ path, key });
  expect(reopened.getKeyShare(share1)).toHaveLength(32);
  reopened.close();
});

test('a sealed key share copied into another row fails to decrypt there', () => {
  const { keystore, path } = freshKeystore(dir);
  const first = randomBytes(32);
  keystore.putKeyShare(share1, first);
  keystore.putKeyShare(share2, randomBytes(32));

  const raw = rawConnection(path);
  raw
    .prepare(`UPDATE sealed_secrets SET sealed = (SELECT sealed FROM sealed_secrets WHERE id = ?) WHERE id = ?`)
    .run('bitcoin/3/0/secp256k1/1', 'bitcoin/3/0/secp256k1/2');
  raw.close();

  expect(() => keystore.getKeyShare(share2)).toThrow(KeystoreDecryptError);
  expect(() => keystore.getKeyShare(share2)).toThrow(/sealed_secrets row \(key-share, bitcoin\/3\/0\/secp256k1\/2\)/);
  expect(keystore.getKeyShare(share1)).toEqual(first);
  keystore.close();
});

test('a sealed secret moved to another kind, or with one flipped bit, fails to decrypt', () => {
  const { keystore, path } = freshKeystore(dir);
  keystore.putDkgStateOnce(dkg, randomBytes(40));
  const raw = rawConnection(path);
  const { sealed } = raw.prepare(`SELECT sealed FROM sealed_secrets WHERE kind = 'dkg-state'`).get() as { sealed: Buffer };
  raw.prepare(`INSERT INTO sealed_secrets (kind, id, sealed, created_at) VALUES ('key-share', 'bitcoin/3/0/secp256k1/1', ?, 0)`).run(sealed);
  const flipped = Buffer.from(sealed);
  flipped[flipped.length - 1]! ^= 0x01;
  raw.prepare(`UPDATE sealed_secrets SET sealed = ? WHERE kind = 'dkg-state'`).run(flipped);
  raw.close();

  expect(() => keystore.getKeyShare(share1)).toThrow(KeystoreDecryptError);
  expect(() => keystore.getDkgState(dkg)).toThrow(KeystoreDecryptError);
  keystore.close();
});

test('sealed nonces copied to another sign id fail to decrypt and sign is never called', () => {
  const { keystore, path } = freshKeystore(dir);
  for (const signId of ['sign-a', 'sign-b']) {
    keystore.nonces.preprocess(signId, 0, 1, () => ({ secret: randomBytes(64), commitments: randomBytes(66) }));
  }
  const raw = rawConnection(path);
  raw
    .prepare(`UPDATE nonce_ledger SET sealed_nonces = (SELECT sealed_nonces FROM nonce_ledger WHERE sign_id = 'sign-a') WHERE sign_id = 'sign-b'`)
    .run();
  raw.close();

  const sign = jest.fn(() => randomBytes(32));
  expect(() => keystore.nonces.consumeForMessage('sign-b', 0, 1, randomBytes(32), sign)).toThrow(KeystoreDecryptError);
  expect(sign).not.toHaveBeenCalled();
  keystore.close();
});

describe('Sealer', () => {
  const row = { table: 't', key: ['k'] };

  test('round-trips, uses a fresh nonce each time, and refuses another key', () => {
    const sealer = new Sealer(randomBytes(32));
    const secret = randomBytes(20);
    const a = sealer.seal(row, secret);
    const b = sealer.seal(row, secret);
    expect(a).toHaveLength(1 + 12 + 20 + 16);
    expect(a).not.toEqual(b);
    expect(sealer.open(row, a)).toEqual(secret);
    expect(() => new Sealer(randomBytes(32)).open(row, a)).toThrow(KeystoreDecryptError);
  });

  test('associated data is unambiguous across part boundaries', () => {
    expect(associatedData({ table: 't', key: ['ab', 'c'] })).not.toEqual(associatedData({ table: 't', key: ['a', 'bc'] }));
    expect(associatedData({ table: 'ta', key: ['b'] })).not.toEqual(associatedData({ table: 't', key: ['ab'] }));
  });

  test('a wiped sealer refuses to seal rather than using a zero key', () => {
    const sealer = new Sealer(randomBytes(32));
    sealer.wipe();
    expect(() => sealer.seal(row, randomBytes(8))).toThrow(/closed/);
  });
});

test('closing the keystore checkpoints away the -wal without leaking secrets into the main file', () => {
  const { keystore, path } = freshKeystore(dir);
  const marker = randomBytes(32);
  keystore.putKeyShare(share1, marker);
  keystore.close();
  expect(existsSync(`${path}-wal`)).toBe(false);
  expect(contains(readFileSync(path), marker)).toBe(false);
});
