import { readFileSync } from 'node:fs';
import { hexToBytes } from '@noble/hashes/utils.js';

/** AES-256 keys by id; `current` encrypts, every key in `keys` decrypts (so keys can rotate). */
export interface Keyring {
  readonly current: string;
  readonly keys: ReadonlyMap<string, Uint8Array>;
}

export class KeyringConfigError extends Error {
  override readonly name = 'KeyringConfigError';
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const KEY_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * Parses `id=hex64,id=hex64,...`; the first entry is the current (encrypting) key.
 * `source` names where the text came from, for error messages (never the key material).
 */
export function parseKeyring(text: string, source: string): Keyring {
  const entries = text.split(/[,\n]/).map((s) => s.trim()).filter((s) => s.length > 0 && !s.startsWith('#'));
  if (entries.length === 0) throw new KeyringConfigError(`${source}: no keys (expected "keyId=<64 hex chars>[,...]")`);
  const keys = new Map<string, Uint8Array>();
  for (const [index, entry] of entries.entries()) {
    const eq = entry.indexOf('=');
    const id = eq < 0 ? '' : entry.slice(0, eq).trim();
    const hex = eq < 0 ? '' : entry.slice(eq + 1).trim();
    if (!KEY_ID.test(id)) throw new KeyringConfigError(`${source}: entry ${index + 1} has no valid key id (expected "keyId=<64 hex chars>")`);
    if (!KEY_HEX.test(hex)) throw new KeyringConfigError(`${source}: key "${id}" must be 64 hex characters (32 bytes)`);
    if (keys.has(id)) throw new KeyringConfigError(`${source}: key id "${id}" appears twice`);
    keys.set(id, hexToBytes(hex));
  }
  return { current: entries[0]!.slice(0, entries[0]!.indexOf('=')).trim(), keys };
}

/** Loads the codec keyring from `CODEC_KEYS` or the file named by `CODEC_KEYS_FILE`. */
export function loadCodecKeyring(env: NodeJS.ProcessEnv = process.env): Keyring {
  if (env.CODEC_KEYS) return parseKeyring(env.CODEC_KEYS, 'CODEC_KEYS');
  if (env.CODEC_KEYS_FILE) {
    let text: string;
    try {
      text = readFileSync(env.CODEC_KEYS_FILE, 'utf8');
    } catch (err) {
      throw new KeyringConfigError(`CODEC_KEYS_FILE: cannot read ${env.CODEC_KEYS_FILE} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return parseKeyring(text, `CODEC_KEYS_FILE ${env.CODEC_KEYS_FILE}`);
  }
  throw new KeyringConfigError('CODEC_KEYS or CODEC_KEYS_FILE must be set (payload encryption keys, "keyId=<64 hex chars>[,...]")');
}
