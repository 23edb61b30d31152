/**
 * The "no secret in any workflow history" check: every secret the validators' keystores hold for
 * a session (key shares, DKG seeds, coefficients, encryption keys, own shares) searched for, in
 * every encoding, in the raw and codec-decoded histories of every workflow of given namespaces.
 */
import { Client, type Connection } from '@temporalio/client';
import { suiteFor } from '../../crypto/dkg/key-pair';
import { decodeRound2Record } from '../../activities/keygen';
import { deserializeRound1State, deserializeRound2State } from '../../crypto/dkg';
import { decodeFrostSecret } from '../../crypto/key-package';
import { ensureCodecKeysFile } from '../../devnet/secrets';
import { createDataConverter } from '../../temporal/data-converter';
import { collectPayloads, containsInAnyEncoding, rawHistoryBytes } from './history';
import { openValidatorKeystore } from './keygen-net';

/** Secrets of `owners` (validator -> participant indices) for session 0, key-generation attempt `attempt`. */
export function keystoreSecrets(dataDir: string, owners: [string, number[]][], attempt: number): Uint8Array[] {
  const secrets: Uint8Array[] = [];
  for (const [name, participants] of owners) {
    const keystore = openValidatorKeystore(dataDir, name);
    try {
      for (const key of ['substrate', 'network'] as const) {
        const suite = suiteFor('bitcoin', key);
        const curve = suite.id === 'secp256k1-taproot' ? 'secp256k1' : suite.id;
        const Fn = suite.Point.Fn;
        for (const participant of participants) {
          const ref = { network: 'bitcoin', session: 0, attempt, curve, participant } as const;
          const r1 = deserializeRound1State(suite, keystore.getDkgState({ ...ref, round: 'round1' })!);
          const r2 = deserializeRound2State(suite, decodeRound2Record(keystore.getDkgState({ ...ref, round: 'round2' })!).state);
          secrets.push(r1.seed, Fn.toBytes(r1.encryptionSecret), ...r1.coefficients.map((c) => Fn.toBytes(c)), Fn.toBytes(r2.ownShare));
          secrets.push(decodeFrostSecret(keystore.getKeyShare(ref)!).signingShare);
        }
      }
    } finally {
      keystore.close();
    }
  }
  return secrets;
}

export interface HistorySearch {
  histories: number;
  payloads: number;
  workflowTypes: Set<string>;
  /** Histories (workflow ids) in which a secret was found: must be empty. */
  leaks: string[];
  /** Whether `control` (public bytes) was found in decoded payloads: proves the search can find bytes. */
  controlSeen: boolean;
  /** Histories whose raw (encrypted) bytes contain `control` in the clear: must be empty. */
  controlInRaw: string[];
}

export async function searchHistories(connection: Connection, dataDir: string, namespaces: string[], secrets: Uint8Array[], control: Uint8Array): Promise<HistorySearch> {
  const { keyring } = ensureCodecKeysFile(dataDir);
  const dataConverter = createDataConverter(keyring);
  const codec = dataConverter.payloadCodecs![0]!;
  const result: HistorySearch = { histories: 0, payloads: 0, workflowTypes: new Set(), leaks: [], controlSeen: false, controlInRaw: [] };
  for (const namespace of namespaces) {
    const client = new Client({ connection, namespace, dataConverter });
    for await (const execution of client.workflow.list()) {
      const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      const encoded = collectPayloads(history);
      const decoded = rawHistoryBytes(await codec.decode(encoded));
      const raw = rawHistoryBytes(history);
      result.histories++;
      result.payloads += encoded.length;
      result.workflowTypes.add(execution.type);
      result.controlSeen ||= containsInAnyEncoding(decoded, control);
      if (containsInAnyEncoding(raw, control)) result.controlInRaw.push(`${namespace}/${execution.workflowId}`);
      if (secrets.some((secret) => containsInAnyEncoding(decoded, secret) || containsInAnyEncoding(raw, secret))) result.leaks.push(`${namespace}/${execution.workflowId}`);
    }
  }
  return result;
}
