/** Serai's confirmation of a key pair activates it once: another pair for the same session, or an older session, never replaces it. */
import { bytesToHex } from '@noble/hashes/utils.js';
import { createKeygenActivities } from '../../../activities/keygen';
import { KeyPairMismatchError } from '../../../activities/failures';
import { encodeFrostPublic } from '../../../crypto/key-package';
import { dealKeys } from '../../../crypto/sign/simulate';
import { schemes } from '../../../crypto/suites';
import type { Keystore } from '../../../store';
import { freshKeystore, tempDir } from '../store/helpers';

const dir = tempDir('confirm-key-pair');
let keystore: Keystore;
afterAll(() => {
  keystore?.close();
  dir.cleanup();
});

/** Stores the group keys of one attempt of a session as key generation would; returns the pair as Serai names it. */
function generated(session: number, attempt: number) {
  const serai = dealKeys(schemes.sr25519, 2, 3).get(1)!.public;
  const network = dealKeys(schemes.bip340, 2, 3).get(1)!.public;
  keystore.putGroupKey({ network: 'bitcoin', session, attempt, curve: 'ristretto255' }, encodeFrostPublic(serai));
  keystore.putGroupKey({ network: 'bitcoin', session, attempt, curve: 'secp256k1' }, encodeFrostPublic(network));
  return { network: 'bitcoin' as const, session, substrateKey: bytesToHex(serai.commitments[0]!), networkKey: bytesToHex(network.commitments[0]!) };
}

test('the first confirmation activates its pair; a second pair for the same session or an older session is refused and changes nothing', async () => {
  keystore = freshKeystore(dir.dir).keystore;
  const { confirmKeyPair } = createKeygenActivities({ network: 'bitcoin', keystore });
  const attempt0 = generated(1, 0);
  const attempt1 = generated(1, 1);
  const older = generated(0, 0);
  expect(await confirmKeyPair(attempt0)).toEqual({ attempt: 0 });
  // The same confirmation again (a retried activity, a re-delivery) is answered alike.
  expect(await confirmKeyPair(attempt0)).toEqual({ attempt: 0 });
  await expect(confirmKeyPair(attempt1)).rejects.toThrow(KeyPairMismatchError);
  await expect(confirmKeyPair(attempt1)).rejects.toThrow(/session 1 attempt 0 is already active/);
  await expect(confirmKeyPair(older)).rejects.toThrow(KeyPairMismatchError);
  expect(keystore.getActiveKey('bitcoin')).toMatchObject({ session: 1, attempt: 0, curve: 'secp256k1' });
});

test("a pair of an attempt this validator was not in activates nothing and is not refused (it follows the key without a share); a pair half of which is its own is refused", async () => {
  keystore.close();
  keystore = freshKeystore(dir.dir).keystore;
  const { confirmKeyPair } = createKeygenActivities({ network: 'bitcoin', keystore });
  const tookPart = generated(2, 0);
  // Attempt 1 went on without this validator: neither key is one it stored.
  const without = { ...generated(3, 0), session: 2 };
  expect(await confirmKeyPair(without)).toEqual({ attempt: null });
  await expect(confirmKeyPair({ ...without, substrateKey: tookPart.substrateKey })).rejects.toThrow(KeyPairMismatchError);
  await expect(confirmKeyPair({ ...without, networkKey: tookPart.networkKey })).rejects.toThrow(KeyPairMismatchError);
  expect(keystore.getActiveKey('bitcoin')).toBeUndefined();
});
