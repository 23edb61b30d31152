import type { Payload, PayloadCodec } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js';
import { METADATA_ENCODING } from './codec';
import { PayloadStoreError, type PayloadStore } from './payload-store';

export const ENCODING_CLAIM_CHECK = 'binary/claim-check';
const METADATA_SIZE = 'claim-check-size';

/**
 * Payloads of this many bytes or more (already encrypted) leave the history: a DKG round at n = 150
 * (about 2 MB of commitments for every recipient) would pass Temporal's 2 MB payload limit and,
 * relayed to 50 validators, its 50 MB history limit.
 */
export const DEFAULT_CLAIM_CHECK_BYTES = 128 * 1024;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/**
 * The claim-check pattern as the last payload codec: a large payload is put in the payload store and
 * the history keeps its SHA-256 and size only; decoding fetches it and checks it against both.
 * Smaller payloads pass through unchanged.
 */
export class ClaimCheckCodec implements PayloadCodec {
  constructor(
    private readonly store: PayloadStore,
    private readonly thresholdBytes = DEFAULT_CLAIM_CHECK_BYTES,
  ) {
    if (!Number.isInteger(thresholdBytes) || thresholdBytes < 1) throw new Error(`claim-check threshold must be a positive number of bytes, got ${thresholdBytes}`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        const bytes = temporal.api.common.v1.Payload.encode(payload).finish();
        if (bytes.length < this.thresholdBytes) return payload;
        const digest = await this.store.put(bytes);
        return {
          metadata: { [METADATA_ENCODING]: textEncoder.encode(ENCODING_CLAIM_CHECK), [METADATA_SIZE]: textEncoder.encode(String(bytes.length)) },
          data: hexToBytes(digest),
        };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        const encoding = payload.metadata?.[METADATA_ENCODING];
        if (!encoding || textDecoder.decode(encoding) !== ENCODING_CLAIM_CHECK) return payload;
        if (!payload.data || payload.data.length !== 32) throw ApplicationFailure.nonRetryable('claim check without a SHA-256 digest', 'ClaimCheckError');
        const digest = bytesToHex(payload.data);
        const size = Number(textDecoder.decode(payload.metadata?.[METADATA_SIZE] ?? new Uint8Array()));
        // Unreachable or missing is retried (the store may come back); the digest check is the store's client's.
        const bytes = await this.store.get(digest).catch((err: unknown) => {
          throw err instanceof PayloadStoreError ? ApplicationFailure.retryable(err.message, 'ClaimCheckError') : err;
        });
        if (bytes.length !== size) throw ApplicationFailure.nonRetryable(`claimed payload ${digest} is ${bytes.length} bytes, the claim check says ${size}`, 'ClaimCheckError');
        return temporal.api.common.v1.Payload.decode(bytes);
      }),
    );
  }
}

/** Decoding a claim check without a store configured: the history names a payload this process cannot fetch. */
export class NoPayloadStoreCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    for (const payload of payloads) {
      const encoding = payload.metadata?.[METADATA_ENCODING];
      if (encoding && textDecoder.decode(encoding) === ENCODING_CLAIM_CHECK) {
        throw ApplicationFailure.retryable('a payload is in the payload store, and this process has none configured (PAYLOAD_STORE_URL)', 'ClaimCheckError');
      }
    }
    return payloads;
  }
}
