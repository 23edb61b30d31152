/**
 * The scanner's wait between polls (awaitNewBlock) against btcd: it returns as soon as the node's
 * best block is not the one the scanner last saw, gives up after its limit, and ends when cancelled
 * (the scanner was woken by a message).
 */
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createScanningActivities } from '../../../activities/scanning';
import { bitcoinChain } from '../../../networks/bitcoin/adapter';
import type { Keystore } from '../../../store';
import { useBtcd } from '../../support/chains';
import { freshKeystore, tempDir } from '../../unit/store/helpers';

const btcd = useBtcd();
const dir = tempDir('await-new-block');
let keystore: Keystore;
afterAll(() => {
  keystore?.close();
  dir.cleanup();
});

function activities() {
  keystore ??= freshKeystore(dir.dir).keystore;
  return createScanningActivities({ keystore, chain: () => bitcoinChain(btcd().rpc) });
}

const tipOf = async () => ({ height: await btcd().rpc.getBlockCount(), hash: await btcd().rpc.getBestBlockHash() });

test('a scanner that saw another block (or none) gets the tip at once', async () => {
  const { awaitNewBlock } = activities();
  const tip = await tipOf();
  const env = new MockActivityEnvironment();
  expect(await env.run(awaitNewBlock, { after: null, limitMs: 60_000 })).toEqual(tip);
  expect(await env.run(awaitNewBlock, { after: '00'.repeat(32), limitMs: 60_000 })).toEqual(tip);
});

test('at the tip, it returns the next block once mined', async () => {
  const { awaitNewBlock } = activities();
  const before = await tipOf();
  const env = new MockActivityEnvironment();
  const waiting = env.run(awaitNewBlock, { after: before.hash, limitMs: 120_000, checkMs: 50 });
  let settled = false;
  void waiting.finally(() => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(settled).toBe(false);
  const [mined] = await btcd().mine(1);
  expect(await waiting).toEqual({ height: before.height + 1, hash: mined });
});

test('with no new block it gives up after its limit (null), and a cancellation ends it', async () => {
  const { awaitNewBlock } = activities();
  const { hash } = await tipOf();
  const started = Date.now();
  expect(await new MockActivityEnvironment().run(awaitNewBlock, { after: hash, limitMs: 500, checkMs: 50 })).toBeNull();
  expect(Date.now() - started).toBeGreaterThanOrEqual(450);

  const env = new MockActivityEnvironment();
  const waiting = env.run(awaitNewBlock, { after: hash, limitMs: 120_000, checkMs: 50 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  env.cancel();
  await expect(waiting).rejects.toBeInstanceOf(CancelledFailure);
});
