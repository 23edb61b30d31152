import { Client, Connection } from '@temporalio/client';
import type { Keyring } from './keyring';
import { createDataConverter } from './data-converter';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

/** A client with the project's encrypted data converter. */
export async function connectClient(target: TemporalTarget, keyring: Keyring): Promise<Client> {
  const connection = await Connection.connect({ address: target.address });
  return new Client({ connection, namespace: target.namespace, dataConverter: createDataConverter(keyring) });
}
