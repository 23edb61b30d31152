/**
 * `planSigning`: the confirmed key a plan is signed with and the plan's transaction under it, in
 * one activity, exactly what `substrateSigningKey` then `planSignable` answer one after the other.
 * On the real keystore and Bitcoin adapter (building a transaction calls no node).
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { ApplicationFailure } from '@temporalio/common';
import { SIGNING_KEY_MISSING } from '../../../activities/failures';
import { createKeygenActivities } from '../../../activities/keygen';
import { createPlanActivities } from '../../../activities/plans';
import { createSigningKeyActivities } from '../../../activities/signing-key';
import { encodeFrostPublic, encodeFrostSecret } from '../../../crypto/key-package';
import { dealKeys } from '../../../crypto/sign/simulate';
import { schemes } from '../../../crypto/suites';
import { outpointId } from '../../../networks/bitcoin/transaction';
import type { Keystore } from '../../../store';
import { makePlan, offlineBitcoinChain, randomTaprootScript } from '../../support/bitcoin-tx';
import { freshKeystore, tempDir } from '../store/helpers';

const dir = tempDir('plan-signing');
let keystore: Keystore;
afterAll(() => {
  keystore?.close();
  dir.cleanup();
});

/** A confirmed key pair of `session` of which this keystore holds participants 1 and 3 of 2-of-3. */
async function confirmedSession(session: number) {
  const serai = dealKeys(schemes.sr25519, 2, 3);
  const bitcoin = dealKeys(schemes.bip340, 2, 3);
  for (const [curve, keys] of [['ristretto255', serai], ['secp256k1', bitcoin]] as const) {
    const ref = { network: 'bitcoin', session, attempt: 0, curve };
    keystore.putGroupKey(ref, encodeFrostPublic(keys.get(1)!.public));
    for (const participant of [1, 3]) keystore.putKeyShare({ ...ref, participant }, encodeFrostSecret(keys.get(participant)!.secret));
  }
  const pair = {
    network: 'bitcoin' as const,
    session,
    substrateKey: bytesToHex(serai.get(1)!.public.commitments[0]!),
    networkKey: bytesToHex(bitcoin.get(1)!.public.commitments[0]!),
  };
  expect(await createKeygenActivities({ network: 'bitcoin', keystore }).confirmKeyPair(pair)).toEqual({ attempt: 0 });
  return pair;
}

function planFor(networkKey: string) {
  return makePlan({
    network: 'bitcoin',
    key: networkKey,
    kind: 'payments',
    inputs: [{ id: outpointId('ab'.repeat(32), 0), kind: 'external', amount: '1000000' }],
    outputs: [{ kind: 'payment', payment: '01', address: randomTaprootScript(), amount: '990000' }],
    change: null,
    fee: '10000',
    operatingCost: '0',
  });
}

test('the key and the transaction of a plan, in one activity, equal the two activities one after the other', async () => {
  keystore = freshKeystore(dir.dir).keystore;
  const signingKey = createSigningKeyActivities({ network: 'bitcoin', keystore });
  const plans = createPlanActivities({ keystore, chain: offlineBitcoinChain, signingKey: signingKey.substrateSigningKey });
  const zero = await confirmedSession(0);
  const one = await confirmedSession(1);

  for (const [session, pair] of [[0, zero], [1, one], [undefined, one]] as const) {
    const plan = planFor(pair.networkKey);
    const both = await plans.planSigning({ network: 'bitcoin', session, plan });
    const key = await signingKey.substrateSigningKey(session);
    expect(both.key).toEqual(key);
    expect(both.key).toMatchObject({ session: pair.session, attempt: 0, t: 2, n: 3, participants: [1, 3], substrateKey: pair.substrateKey });
    expect(both.signable).toEqual(await plans.planSignable({ network: 'bitcoin', key: { session: key.session, attempt: key.attempt }, plan }));
  }

  const missing = await plans.planSigning({ network: 'bitcoin', session: 2, plan: planFor(one.networkKey) }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(missing).toBeInstanceOf(ApplicationFailure);
  expect((missing as ApplicationFailure).type).toBe(SIGNING_KEY_MISSING);
  expect((missing as ApplicationFailure).nonRetryable).toBe(true);
});
