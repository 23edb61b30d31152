import { coordinatorKeygenWorkflowId } from '../../../devnet/coordinator/defs';
import { keygenWorkflowId } from '../../../workflows/keygen-defs';
import { payloadSizes } from '../../support/history';
import { startKeygenHarness, type KeygenHarness } from '../../support/keygen-net';

jest.setTimeout(600_000);

// The rounds' relayed commitments (15 peers' at t = 11) are about 24 KB here, so a claim-check
// threshold of 8 KiB sends them through the payload store as a 150-share set's megabytes would go.
const CLAIM_CHECK_BYTES = 8 * 1024;

test('16 validators, each in its own worker process, finish key generation (t = 11) with the large rounds by claim check', async () => {
  const startedAt = Date.now();
  const names = Array.from({ length: 16 }, (_, i) => `v${String(i + 1).padStart(2, '0')}`);
  let h: KeygenHarness | undefined;
  try {
    h = await startKeygenHarness(names.map((name) => ({ name, weight: 1 })), { claimCheckBytes: CLAIM_CHECK_BYTES });
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

    const coordinator = payloadSizes(await h.net.coordinatorClient.workflow.getHandle(coordinatorKeygenWorkflowId('bitcoin', 0)).fetchHistory());
    const processors = await Promise.all(names.map(async (name) => payloadSizes(await h!.net.set.processor(name).client.workflow.getHandle(keygenWorkflowId('bitcoin', 0, 0)).fetchHistory())));
    console.log(`payloads: coordinator largest ${coordinator.largest} B (${coordinator.claimChecks} of ${coordinator.count} claimed); processors largest ${Math.max(...processors.map((p) => p.largest))} B`);
    // Every relayed Commitments message (one per validator) went to the store, in both histories.
    expect(coordinator.claimChecks).toBeGreaterThanOrEqual(names.length);
    for (const p of processors) expect(p.claimChecks).toBeGreaterThanOrEqual(1);
    for (const sizes of [coordinator, ...processors]) expect(sizes.largest).toBeLessThan(CLAIM_CHECK_BYTES);
  } finally {
    await h?.stop();
  }
});
