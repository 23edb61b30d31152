/**
 * Activities heartbeat while they run (activities/heartbeat.ts), so a worker that dies mid-activity
 * is noticed after the heartbeat timeout; and the signing core lets the event loop turn between its
 * participants' work, so a validator of many shares keeps heartbeating while it signs.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSigningCore, type SignRef } from '../../../activities/threshold-signing';
import { heartbeating, whileHeartbeating } from '../../../activities/heartbeat';
import { encodeFrostPublic, encodeFrostSecret } from '../../../crypto/key-package';
import { dealKeys } from '../../../crypto/sign/simulate';
import { schemes } from '../../../crypto/suites';
import type { Batch } from '../../../messages';
import { freshKeystore, tempDir } from '../store/helpers';


test('an activity heartbeats as it starts and every 2 s while it runs, then stops', async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  try {
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    let finish!: (value: string) => void;
    const work = new Promise<string>((resolve) => (finish = resolve));
    const running = env.run(() => whileHeartbeating(() => work));
    await jest.advanceTimersByTimeAsync(0);
    expect(beats).toBe(1);
    await jest.advanceTimersByTimeAsync(1_999);
    expect(beats).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(beats).toBe(2);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(beats).toBe(3);
    finish('done');
    expect(await running).toBe('done');
    await jest.advanceTimersByTimeAsync(10_000);
    expect(beats).toBe(3);
  } finally {
    jest.useRealTimers();
  }
});

test('heartbeating() keeps every function, its arguments, result and error; outside an activity it just runs', async () => {
  const wrapped = heartbeating({
    async add(a: number, b: number) {
      return a + b;
    },
    async fail(why: string): Promise<never> {
      throw new RangeError(why);
    },
  });
  expect(Object.keys(wrapped)).toEqual(['add', 'fail']);
  expect(await wrapped.add(2, 3)).toBe(5);
  await expect(wrapped.fail('refused')).rejects.toThrow(new RangeError('refused'));

  const env = new MockActivityEnvironment();
  let beats = 0;
  env.on('heartbeat', () => beats++);
  expect(await env.run(wrapped.add, 4, 5)).toBe(9);
  await expect(env.run(wrapped.fail, 'again')).rejects.toThrow(RangeError);
  expect(beats).toBe(2);
});

test("the signing core paces between its participants' preprocesses and shares, and before aggregating", async () => {
  const network = 'bitcoin' as const;
  const keys = dealKeys(schemes.sr25519, 3, 4);
  const dir = tempDir('heartbeat-signing');
  const { keystore } = freshKeystore(dir.dir);
  const groupRef = { network, session: 0, attempt: 0, curve: 'ristretto255' as const };
  keystore.putGroupKey(groupRef, encodeFrostPublic(keys.get(1)!.public));
  for (const p of [1, 2, 3]) keystore.putKeyShare({ ...groupRef, participant: p }, encodeFrostSecret(keys.get(p)!.secret));
  const batch: Batch = { network, id: 0, block: 'aa'.repeat(32), instructions: [] };

  const log: string[] = [];
  const core = createSigningCore(keystore, () => {
    throw new Error('no transaction protocol in this test');
  }, async () => void log.push('pace'));
  const ref: SignRef = { network, signId: 'batch-bitcoin-0', attempt: 0, key: { session: 0, attempt: 0 }, participants: [1, 2, 3] };
  const preprocesses = await core.preprocess('batch', ref, batch);
  expect(preprocesses).toHaveLength(3);
  expect(log).toEqual(['pace', 'pace', 'pace']);
  log.length = 0;
  const shares = await core.share('batch', ref, batch, {});
  expect(shares).toHaveLength(3);
  expect(log).toEqual(['pace', 'pace', 'pace']);
  log.length = 0;
  const outcome = await core.aggregate('batch', ref, batch, { preprocesses: {}, shares: {}, ownShares: shares });
  expect(outcome.ok).toBe(true);
  expect(log).toEqual(['pace']);
  keystore.close();
  dir.cleanup();
});
