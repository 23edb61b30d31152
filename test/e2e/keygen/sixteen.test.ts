import { startKeygenHarness, type KeygenHarness } from '../../support/keygen-net';

jest.setTimeout(600_000);

test('16 validators, each in its own worker process, finish key generation (t = 11)', async () => {
  const startedAt = Date.now();
  const names = Array.from({ length: 16 }, (_, i) => `v${String(i + 1).padStart(2, '0')}`);
  let h: KeygenHarness | undefined;
  try {
    h = await startKeygenHarness(names.map((name) => ({ name, weight: 1 })));
    const ready = Date.now();
    const result = await h.net.generateKey({
      network: 'bitcoin',
      session: 0,
      t: 11,
      settings: { roundTimeout: '120 seconds', blameTimeout: '30 seconds', maxAttempts: 2 },
    });
    const done = Date.now();
    console.log(`16 validators: workers ready in ${ready - startedAt} ms; key generation ${done - ready} ms (attempt ${result.attempt})`);
    expect(result.attempt).toBe(0);
    expect(result.members).toEqual(names);
    for (const name of names) {
      const health = await h.net.set.processor(name).health();
      expect(health.keystore.activeKey?.session).toBe(0);
    }
  } finally {
    await h?.stop();
  }
});
