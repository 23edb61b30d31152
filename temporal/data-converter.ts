import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './codec';
import type { Keyring } from './keyring';

export const failureConverterPath = require.resolve('./failure-converter');

/** The one data converter of every client, worker, replayer and test: encrypted payloads and failures. */
export function createDataConverter(keyring: Keyring): DataConverter {
  return {
    payloadCodecs: [new AesGcmPayloadCodec(keyring)],
    failureConverterPath,
  };
}
