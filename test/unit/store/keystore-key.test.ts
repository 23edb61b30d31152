import { readFileSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, randomBytes } from '@noble/ciphers/utils.js';
import { createKeystoreKeyFile, loadKeystoreKey } from '../../../store/keystore-key';
import { KeystoreKeyError } from '../../../store/errors';
import { tempDir } from './helpers';

const { dir, cleanup } = tempDir('keystore-key');
afterAll(cleanup);

function expectKeyError(load: () => unknown, pattern: RegExp): KeystoreKeyError {
  let caught: unknown;
  try {
    load();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(KeystoreKeyError);
  const error = caught as KeystoreKeyError;
  expect(error.name).toBe('KeystoreKeyError');
  expect(error.message).toMatch(pattern);
  expect(error.message).not.toContain('\n');
  return error;
}

describe('keystore key loading', () => {
  test('KEYSTORE_KEY with 64 hex characters (either case, surrounding whitespace) gives the 32 bytes', () => {
    const key = randomBytes(32);
    expect(loadKeystoreKey({ KEYSTORE_KEY: bytesToHex(key) })).toEqual(key);
    expect(loadKeystoreKey({ KEYSTORE_KEY: ` ${bytesToHex(key).toUpperCase()}\n` })).toEqual(key);
  });

  test('a missing key is a one-line error naming both variables', () => {
    expectKeyError(() => loadKeystoreKey({}), /KEYSTORE_KEY .*KEYSTORE_KEY_FILE/);
  });

  test('a malformed KEYSTORE_KEY is refused without echoing it', () => {
    const almost = bytesToHex(randomBytes(32)).slice(0, 63);
    const error = expectKeyError(() => loadKeystoreKey({ KEYSTORE_KEY: almost }), /KEYSTORE_KEY must hold exactly 64 hex characters.*got 63/);
    expect(error.message).not.toContain(almost);
    expectKeyError(() => loadKeystoreKey({ KEYSTORE_KEY: 'g'.repeat(64) }), /64 hex characters/);
  });

  test('setting both KEYSTORE_KEY and KEYSTORE_KEY_FILE is refused', () => {
    expectKeyError(() => loadKeystoreKey({ KEYSTORE_KEY: '00'.repeat(32), KEYSTORE_KEY_FILE: '/nonexistent' }), /only one/);
  });

  test('createKeystoreKeyFile writes a fresh random key with mode 0600 that KEYSTORE_KEY_FILE loads', () => {
    const first = join(dir, 'first.key');
    const second = join(dir, 'second.key');
    createKeystoreKeyFile(first);
    createKeystoreKeyFile(second);
    expect(statSync(first).mode & 0o777).toBe(0o600);
    expect(readFileSync(first, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    const key = loadKeystoreKey({ KEYSTORE_KEY_FILE: first });
    expect(bytesToHex(key)).toBe(readFileSync(first, 'utf8').trim());
    expect(loadKeystoreKey({ KEYSTORE_KEY_FILE: second })).not.toEqual(key);
  });

  test('createKeystoreKeyFile never overwrites an existing key file', () => {
    const path = join(dir, 'kept.key');
    createKeystoreKeyFile(path);
    const before = readFileSync(path, 'utf8');
    expectKeyError(() => createKeystoreKeyFile(path), /already exists/);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  test('a key file readable by group or others is refused', () => {
    const path = join(dir, 'loose.key');
    createKeystoreKeyFile(path);
    chmodSync(path, 0o640);
    expectKeyError(() => loadKeystoreKey({ KEYSTORE_KEY_FILE: path }), /mode 0640.*chmod 600/);
  });

  test('a missing or malformed key file is a clear error', () => {
    expectKeyError(() => loadKeystoreKey({ KEYSTORE_KEY_FILE: join(dir, 'absent.key') }), /absent\.key cannot be read: ENOENT/);
    const path = join(dir, 'short.key');
    writeFileSync(path, 'abcd\n', { mode: 0o600 });
    expectKeyError(() => loadKeystoreKey({ KEYSTORE_KEY_FILE: path }), /short\.key must hold exactly 64 hex characters/);
  });
});
