/**
 * AES-256-GCM sealing of secret column values. Each sealed value is bound to its row: the associated
 * data is (table, row key), so a ciphertext copied into another row, or another table, fails to open.
 *
 * Sealed layout: FORMAT_V1 (1 byte) || nonce (12 bytes) || ciphertext || tag (16 bytes).
 */
import { gcm } from '@noble/ciphers/aes.js';
import { managedNonce, concatBytes, utf8ToBytes } from '@noble/ciphers/utils.js';
import { KeystoreDecryptError, KeystoreKeyError } from './errors';

const FORMAT_V1 = 0x01;
const AAD_DOMAIN = 'custody-processor/keystore/sealed-value/v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Identifies the row a sealed value belongs to; `key` lists the row's primary-key parts. */
export interface RowIdentity {
  readonly table: string;
  readonly key: readonly string[];
}

export function describeRow(row: RowIdentity): string {
  return `${row.table} row (${row.key.join(', ')})`;
}

/** Each part is length-prefixed (u32 BE), so no two distinct identities share an encoding. */
export function associatedData(row: RowIdentity): Uint8Array {
  const parts = [AAD_DOMAIN, row.table, ...row.key].map(utf8ToBytes);
  return concatBytes(...parts.flatMap((part) => [u32be(part.length), part]));
}

function u32be(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

const randomNonceGcm = managedNonce(gcm);

export class Sealer {
  #key: Uint8Array | undefined;

  constructor(key: Uint8Array) {
    if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
      throw new KeystoreKeyError(`keystore key must be ${KEY_BYTES} bytes`);
    }
    this.#key = Uint8Array.from(key);
  }

  seal(row: RowIdentity, plaintext: Uint8Array): Uint8Array {
    return concatBytes(Uint8Array.of(FORMAT_V1), randomNonceGcm(this.#liveKey(), associatedData(row)).encrypt(plaintext));
  }

  open(row: RowIdentity, sealed: Uint8Array): Uint8Array {
    if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== FORMAT_V1) throw new KeystoreDecryptError(describeRow(row));
    const cipher = randomNonceGcm(this.#liveKey(), associatedData(row));
    try {
      return cipher.decrypt(sealed.subarray(1));
    } catch {
      throw new KeystoreDecryptError(describeRow(row));
    }
  }

  /** Overwrites the key in memory; the sealer refuses all work afterwards. */
  wipe(): void {
    this.#key?.fill(0);
    this.#key = undefined;
  }

  #liveKey(): Uint8Array {
    if (this.#key === undefined) throw new KeystoreKeyError('keystore is closed: its key has been wiped');
    return this.#key;
  }
}
