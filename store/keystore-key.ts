/**
 * The keystore key: 32 bytes that encrypt every secret at rest. It is NOT the Temporal payload-codec key.
 * Loaded from `KEYSTORE_KEY` (64 hex characters) or from the file named by `KEYSTORE_KEY_FILE`.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { hexToBytes, bytesToHex, randomBytes } from '@noble/ciphers/utils.js';
import { KeystoreKeyError } from './errors';

export const KEYSTORE_KEY_ENV = 'KEYSTORE_KEY';
export const KEYSTORE_KEY_FILE_ENV = 'KEYSTORE_KEY_FILE';
const KEY_HEX = /^[0-9a-fA-F]{64}$/;

/** Error messages describe the input's shape only: a malformed key may still be most of a real one. */
export function parseKeystoreKeyHex(text: string, source: string): Uint8Array {
  const trimmed = text.trim();
  if (!KEY_HEX.test(trimmed)) {
    throw new KeystoreKeyError(`${source} must hold exactly 64 hex characters (a 32-byte key), got ${trimmed.length} characters`);
  }
  return hexToBytes(trimmed);
}

export function loadKeystoreKey(env: NodeJS.ProcessEnv = process.env): Uint8Array {
  const inline = env[KEYSTORE_KEY_ENV];
  const file = env[KEYSTORE_KEY_FILE_ENV];
  if (inline && file) throw new KeystoreKeyError(`set only one of ${KEYSTORE_KEY_ENV} and ${KEYSTORE_KEY_FILE_ENV}, not both`);
  if (inline) return parseKeystoreKeyHex(inline, KEYSTORE_KEY_ENV);
  if (file) return readKeystoreKeyFile(file);
  throw new KeystoreKeyError(
    `no keystore key: set ${KEYSTORE_KEY_ENV} (64 hex characters) or ${KEYSTORE_KEY_FILE_ENV} (a file made by createKeystoreKeyFile)`,
  );
}

/** Like ssh with private keys, refuses a key file that group or others can access. */
export function readKeystoreKeyFile(path: string): Uint8Array {
  const source = `${KEYSTORE_KEY_FILE_ENV} file ${path}`;
  let text: string;
  try {
    const mode = statSync(path).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new KeystoreKeyError(`${source} has mode ${mode.toString(8).padStart(4, '0')}; run chmod 600 on it`);
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof KeystoreKeyError) throw error;
    throw new KeystoreKeyError(`${source} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseKeystoreKeyHex(text, source);
}

/**
 * Writes a fresh random key (hex, mode 0600). Never overwrites: replacing a key file would make every
 * secret sealed under the old key unreadable.
 */
export function createKeystoreKeyFile(path: string): void {
  const key = randomBytes(32);
  try {
    writeFileSync(path, `${bytesToHex(key)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new KeystoreKeyError(
      code === 'EEXIST' ? `keystore key file ${path} already exists; refusing to overwrite it` : `cannot create keystore key file ${path}: ${code ?? String(error)}`,
    );
  } finally {
    key.fill(0);
  }
}
