import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import type { Key } from '@noble/curves/abstract/frost.js';
import { aggregate, commit, prepareKey, signShare } from '../../../crypto/signing';
import { schemes, type Scheme } from '../../../crypto/suites';
import { keygenWorkflowId } from '../../../workflows/keygen-defs';
import type { KeygenOutcome } from '../../../workflows/keygen-defs';
import { keysOf, openValidatorKeystore, startKeygenHarness, type KeygenHarness } from '../../support/keygen-net';
import { COORDINATOR_NAMESPACE } from '../../../devnet/coordinator/defs';
import { validatorNamespace } from '../../../devnet/namespaces';
import { keystoreSecrets, searchHistories } from '../../support/secrets';

jest.setTimeout(300_000);

const ROUNDS = { roundTimeout: process.env.ROUND_TIMEOUT ?? '60 seconds', blameTimeout: '30 seconds', maxAttempts: 3 };

function thresholdSign(scheme: Scheme, keys: Key[], msg: Uint8Array, kind?: 'external'): { signature: Uint8Array; groupKey: Uint8Array } {
  const prepared = keys.map((k) => prepareKey(scheme, k, kind));
  const participants = prepared.map((k) => scheme.backend.participantOf(k.secret.identifier, 'identifier'));
  const preprocesses = prepared.map((k) => commit(scheme, k.secret));
  const commitments = new Map(participants.map((p, i) => [p, preprocesses[i]!.commitments]));
  const shares = new Map(participants.map((p, i) => [p, signShare(scheme, prepared[i]!, preprocesses[i]!.nonces, commitments, msg)]));
  const signature = aggregate(scheme, prepared[0]!.public, commitments, msg, shares);
  return { signature, groupKey: scheme.groupKeyEncoding(prepared[0]!.public) };
}

describe('key generation: 4 validators, one of weight 2 (5 key shares, t = 4), for Bitcoin', () => {
  let h: KeygenHarness;
  beforeAll(async () => {
    h = await startKeygenHarness([
      { name: 'alice', weight: 2 },
      { name: 'bob', weight: 1 },
      { name: 'carol', weight: 1 },
      { name: 'dave', weight: 1 },
    ]);
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('every processor reports the same pair, Serai confirms it, and any 4 of 5 shares sign for Bitcoin and Serai', async () => {
    const started = Date.now();
    const result = await h.net.generateKey({ network: 'bitcoin', session: 0, t: 4, settings: ROUNDS });
    console.log(`keygen 4 validators / 5 shares: ${Date.now() - started} ms, attempt ${result.attempt}`);
    expect(result.attempt).toBe(0);
    expect(result.keyPair.substrateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(result.keyPair.networkKey).toMatch(/^0[23][0-9a-f]{64}$/);

    // Each processor's own workflow generated exactly that pair and was confirmed.
    for (const name of ['alice', 'bob', 'carol', 'dave']) {
      const handle = h.net.set.processor(name).client.workflow.getHandle(keygenWorkflowId('bitcoin', 0, 0));
      const outcome = (await handle.result()) as KeygenOutcome;
      expect(outcome.end).toBe('confirmed');
      expect(outcome.keyPair).toEqual(result.keyPair);
      expect(outcome.rejected).toEqual([]);
      const health = await h.net.set.processor(name).health();
      expect(health.keystore.activeKey).toMatchObject({ session: 0, curve: 'secp256k1' });
    }

    // Gather all five shares (alice holds participants 1 and 2).
    const owners: [string, number[]][] = [['alice', [1, 2]], ['bob', [3]], ['carol', [4]], ['dave', [5]]];
    const all = { secp256k1: new Map<number, Key>(), ristretto255: new Map<number, Key>() };
    for (const [name, participants] of owners) {
      const keystore = openValidatorKeystore(h.dataDir, name);
      try {
        for (const curve of ['secp256k1', 'ristretto255'] as const) {
          keysOf(keystore, { session: 0, attempt: 0, curve }, participants).forEach((k, i) => all[curve].set(participants[i]!, k));
        }
      } finally {
        keystore.close();
      }
    }
    expect(bytesToHex(all.secp256k1.get(1)!.public.commitments[0]!)).toBe(result.keyPair.networkKey);
    expect(bytesToHex(all.ristretto255.get(1)!.public.commitments[0]!)).toBe(result.keyPair.substrateKey);

    for (const subset of [[1, 2, 3, 4], [2, 3, 4, 5], [1, 3, 4, 5], [1, 2, 4, 5], [1, 2, 3, 5]]) {
      const msg = randomBytes(32);
      const btc = thresholdSign(schemes.bip340, subset.map((p) => all.secp256k1.get(p)!), msg, 'external');
      expect(schemes.bip340.verify(btc.signature, msg, btc.groupKey)).toBe(true);
      const serai = thresholdSign(schemes.sr25519, subset.map((p) => all.ristretto255.get(p)!), msg);
      expect(bytesToHex(serai.groupKey)).toBe(result.keyPair.substrateKey);
      expect(schemes.sr25519.verify(serai.signature, msg, serai.groupKey)).toBe(true);
    }
    // Three shares are not enough.
    expect(() => thresholdSign(schemes.bip340, [1, 2, 3].map((p) => all.secp256k1.get(p)!), randomBytes(32))).toThrow();
  });
});


describe('no secret in any workflow history of a key generation', () => {
  let h: KeygenHarness;
  beforeAll(async () => {
    h = await startKeygenHarness([
      { name: 'alice', weight: 2 },
      { name: 'bob', weight: 1 },
      { name: 'carol', weight: 1 },
    ]);
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('decoded payloads of every processor and coordinator workflow contain none of the keystores\' secrets', async () => {
    const result = await h.net.generateKey({ network: 'bitcoin', session: 0, t: 3, settings: ROUNDS });

    // Every secret the keystores hold: key shares, DKG coefficients, encryption keys, seeds, own shares.
    const owners: [string, number[]][] = [['alice', [1, 2]], ['bob', [3]], ['carol', [4]]];
    const secrets = keystoreSecrets(h.dataDir, owners, 0);
    expect(secrets.length).toBeGreaterThan(40);

    const namespaces = [COORDINATOR_NAMESPACE, ...owners.map(([name]) => validatorNamespace(name))];
    // Positive control: the public key pair is in the decoded payloads (so the search can find bytes), never in the raw ones.
    const { histories, payloads, leaks, controlSeen, controlInRaw } = await searchHistories(h.net.connection, h.dataDir, namespaces, secrets, hexToBytes(result.keyPair.networkKey));
    expect(leaks).toEqual([]);
    expect(controlInRaw).toEqual([]);
    // coordinator + 3 × (keygen, confirm, health) at least, with the commitments and shares they carried
    expect(histories).toBeGreaterThanOrEqual(7);
    expect(payloads).toBeGreaterThan(30);
    expect(controlSeen).toBe(true);
    console.log(`searched ${histories} histories, ${payloads} payloads, for ${secrets.length} secrets`);
  });
});
