import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { createKeystoreKeyFile } from '../store';
import { parseKeyring, type Keyring } from '../temporal/keyring';

/** The devnet's codec keyring, created once under the data dir (mode 0600) and reused after. */
export function ensureCodecKeysFile(dataDir: string): { path: string; keyring: Keyring } {
  const path = join(dataDir, 'codec-keys');
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `devnet-1=${bytesToHex(randomBytes(32))}\n`, { mode: 0o600, flag: 'wx' });
  }
  return { path, keyring: parseKeyring(readFileSync(path, 'utf8'), `codec keys ${path}`) };
}

/** One validator's keystore key file, created once (mode 0600). */
export function ensureKeystoreKeyFile(validatorDir: string): string {
  const path = join(validatorDir, 'keystore.key');
  if (!existsSync(path)) {
    mkdirSync(validatorDir, { recursive: true, mode: 0o700 });
    createKeystoreKeyFile(path);
  }
  return path;
}
