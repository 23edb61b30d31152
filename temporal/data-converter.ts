import type { DataConverter } from '@temporalio/common';
import { ClaimCheckCodec, NoPayloadStoreCodec } from './claim-check';
import { AesGcmPayloadCodec } from './codec';
import type { Keyring } from './keyring';
import { HttpPayloadStore } from './payload-store';

export const failureConverterPath = require.resolve('./failure-converter');

/** Where payloads of `claimCheckBytes` or more go (encrypted), the history keeping their digest. */
export interface PayloadStoreSettings {
  url: string;
  claimCheckBytes?: number;
}

/**
 * The one data converter of every client, worker, replayer and test: encrypted payloads and
 * failures, large payloads by claim check when a payload store is given (else they stay inline,
 * and a claim check in a history cannot be decoded here).
 */
export function createDataConverter(keyring: Keyring, payloadStore?: PayloadStoreSettings): DataConverter {
  const claimCheck = payloadStore ? new ClaimCheckCodec(new HttpPayloadStore(payloadStore.url), payloadStore.claimCheckBytes) : new NoPayloadStoreCodec();
  return {
    payloadCodecs: [new AesGcmPayloadCodec(keyring), claimCheck],
    failureConverterPath,
  };
}
