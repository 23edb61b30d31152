/**
 * Which key a scanner takes for a session Serai confirmed: the one this keystore holds a share of,
 * or, when the confirmed key is none this validator generated (a set it leaves, or an attempt that
 * went on without it), the key followed without a share; never a retry that waits for good.
 * On the real Bitcoin adapter (its keys are derived from the group key alone; no node is called).
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { ApplicationFailure } from '@temporalio/common';
import { KEY_NOT_GENERATED, OBSERVED_KEY_REFUSED } from '../../../activities/failures';
import { createKeygenActivities } from '../../../activities/keygen';
import { createScanningActivities } from '../../../activities/scanning';
import { encodeFrostPublic } from '../../../crypto/key-package';
import { dealKeys } from '../../../crypto/sign/simulate';
import { schemes } from '../../../crypto/suites';
import { scriptsOfNetworkKey } from '../../../networks/bitcoin/keys';
import type { Keystore } from '../../../store';
import { offlineBitcoinChain } from '../../support/bitcoin-tx';
import { freshKeystore, tempDir } from '../store/helpers';

const dir = tempDir('scanner-keys');
let keystore: Keystore;
afterAll(() => {
  keystore?.close();
  dir.cleanup();
});

function pair(session: number) {
  const serai = dealKeys(schemes.sr25519, 2, 3).get(1)!.public;
  const network = dealKeys(schemes.bip340, 2, 3).get(1)!.public;
  return { network: 'bitcoin' as const, session, serai, bitcoin: network, substrateKey: bytesToHex(serai.commitments[0]!), networkKey: bytesToHex(network.commitments[0]!) };
}

function store(generated: ReturnType<typeof pair>, attempt: number) {
  keystore.putGroupKey({ network: 'bitcoin', session: generated.session, attempt, curve: 'ristretto255' }, encodeFrostPublic(generated.serai));
  keystore.putGroupKey({ network: 'bitcoin', session: generated.session, attempt, curve: 'secp256k1' }, encodeFrostPublic(generated.bitcoin));
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

test('a validator that took part in an attempt that did not become the key follows the confirmed key without a share; its own key, once confirmed, is held', async () => {
  keystore = freshKeystore(dir.dir).keystore;
  const scanning = createScanningActivities({ keystore, chain: offlineBitcoinChain });
  const { confirmKeyPair } = createKeygenActivities({ network: 'bitcoin', keystore });
  const ours = pair(1);
  store(ours, 0);
  const confirmed = pair(1); // attempt 1, without this validator

  // Serai's key is none of ours: not a key to wait for.
  const notOurs = await failureOf(scanning.scannerKeySet({ network: 'bitcoin', session: 1, networkKey: confirmed.networkKey }));
  expect(notOurs.type).toBe(KEY_NOT_GENERATED);
  expect(notOurs.nonRetryable).toBe(true);
  expect(await confirmKeyPair(confirmed)).toEqual({ attempt: null });
  const followed = await scanning.scannerObservedKeySet({ network: 'bitcoin', session: 1, networkKey: confirmed.networkKey });
  expect(followed).toEqual({ networkKey: confirmed.networkKey, scripts: scriptsOfNetworkKey(confirmed.networkKey) });
  const planned = await scanning.planTxids({ network: 'bitcoin', session: 1, plans: [], observedKey: confirmed.networkKey });
  expect(planned).toEqual([]);

  // Our own key is never taken as observed; unconfirmed, it is waited for (retryable), as is any
  // request from before requests named the key.
  const held = await failureOf(scanning.scannerObservedKeySet({ network: 'bitcoin', session: 1, networkKey: ours.networkKey }));
  expect([held.type, held.nonRetryable]).toEqual([OBSERVED_KEY_REFUSED, true]);
  for (const request of [{ networkKey: ours.networkKey }, {}]) {
    const waiting = await failureOf(scanning.scannerKeySet({ network: 'bitcoin', session: 1, ...request }));
    expect([waiting.type, waiting.nonRetryable]).toEqual(['KeyNotActive', false]);
  }
  expect(await confirmKeyPair(ours)).toEqual({ attempt: 0 });
  expect(await scanning.scannerKeySet({ network: 'bitcoin', session: 1, networkKey: ours.networkKey })).toEqual({ networkKey: ours.networkKey, scripts: scriptsOfNetworkKey(ours.networkKey) });

  // A session this validator generated nothing for is refused as before, with or without the key.
  for (const request of [{ networkKey: confirmed.networkKey }, {}]) {
    expect((await failureOf(scanning.scannerKeySet({ network: 'bitcoin', session: 2, ...request }))).type).toBe(KEY_NOT_GENERATED);
  }
});
