import type { Payload, PayloadCodec } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { gcm } from '@noble/ciphers/aes.js';
import { randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Keyring } from './keyring';

export const ENCODING_ENCRYPTED = 'binary/encrypted';
export const METADATA_ENCODING = 'encoding';
export const METADATA_KEY_ID = 'encryption-key-id';
const NONCE_BYTES = 12;
const ASSOCIATED_DATA_PREFIX = 'custody-processor payload v1/';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/**
 * AES-256-GCM over the whole protobuf-encoded payload, so its metadata (encoding, type hints) is
 * hidden too. The key id travels in plaintext metadata and is bound as associated data.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyring.current;
    const key = this.keyring.keys.get(keyId);
    if (!key) throw new Error(`codec: current key id ${keyId} is not in the keyring`);
    return payloads.map((payload) => {
      const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
      const nonce = randomBytes(NONCE_BYTES);
      const sealed = gcm(key, nonce, associatedData(keyId)).encrypt(plaintext);
      const data = new Uint8Array(NONCE_BYTES + sealed.length);
      data.set(nonce, 0);
      data.set(sealed, NONCE_BYTES);
      return {
        metadata: {
          [METADATA_ENCODING]: textEncoder.encode(ENCODING_ENCRYPTED),
          [METADATA_KEY_ID]: textEncoder.encode(keyId),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING];
      if (!encoding || textDecoder.decode(encoding) !== ENCODING_ENCRYPTED) return payload;
      const keyIdBytes = payload.metadata?.[METADATA_KEY_ID];
      if (!keyIdBytes) throw ApplicationFailure.nonRetryable('encrypted payload has no key id', 'PayloadDecryptError');
      const keyId = textDecoder.decode(keyIdBytes);
      const key = this.keyring.keys.get(keyId);
      if (!key) throw ApplicationFailure.nonRetryable(`no codec key with id "${keyId}"`, 'PayloadDecryptError');
      const data = payload.data;
      if (!data || data.length < NONCE_BYTES + 16) throw ApplicationFailure.nonRetryable('encrypted payload is truncated', 'PayloadDecryptError');
      let plaintext: Uint8Array;
      try {
        plaintext = gcm(key, data.subarray(0, NONCE_BYTES), associatedData(keyId)).decrypt(data.subarray(NONCE_BYTES));
      } catch {
        throw ApplicationFailure.nonRetryable(`payload does not decrypt under key "${keyId}"`, 'PayloadDecryptError');
      }
      return temporal.api.common.v1.Payload.decode(plaintext);
    });
  }
}

function associatedData(keyId: string): Uint8Array {
  return utf8ToBytes(ASSOCIATED_DATA_PREFIX + keyId);
}
