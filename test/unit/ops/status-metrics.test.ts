/** The worker's status gauges (ops/status-metrics.ts): what a status row sets, and the sampling loop. */
import type { MetricMeter } from '@temporalio/common';
import { sampleStatusMetrics, statusGaugeReadings } from '../../../ops/status-metrics';
import type { StatusRow } from '../../../ops/status';

const row = (over: Partial<StatusRow> = {}): StatusRow => ({
  validator: 'alice', network: 'bitcoin', unreachable: null, session: 1, key: `5120${'ab'.repeat(32)}`, rotation: { session: 2, stage: 'new-as-change' }, retiredSessions: [0],
  scanned: 120, tip: 126, lag: 6, batchesAwaitingAck: 2, signing: { batches: 1, plans: 3, stuck: ['plan-bitcoin-ab12', 'plan-bitcoin-cd34', 'batch-bitcoin-7'] },
  solvency: 'solvent', outputs: 4, queuedPayments: 9, balance: null, chainError: null, ...over,
});

const asMap = (readings: ReturnType<typeof statusGaugeReadings>) => Object.fromEntries(readings.map((r) => [`${r.name}${r.tags ? JSON.stringify(r.tags) : ''}`, r.value]));

test('a row sets every gauge, signings in flight and stuck by kind', () => {
  expect(asMap(statusGaugeReadings(row()))).toEqual({
    custody_status_up: 1,
    custody_key_session: 1,
    custody_rotation_in_progress: 1,
    custody_scan_height: 120,
    custody_chain_tip: 126,
    custody_scan_lag_blocks: 6,
    custody_batches_awaiting_ack: 2,
    'custody_signings_in_flight{"kind":"batch"}': 1,
    'custody_signings_in_flight{"kind":"plan"}': 3,
    'custody_signings_stuck{"kind":"batch"}': 1,
    'custody_signings_stuck{"kind":"plan"}': 2,
    custody_scheduler_outputs: 4,
    custody_scheduler_queued_payments: 9,
    custody_payouts_halted: 0,
  });
});

test('halted payouts set custody_payouts_halted; what the row does not know (no chain view, no key) is left out; an unreachable processor sets only custody_status_up 0', () => {
  expect(asMap(statusGaugeReadings(row({ solvency: 'halted (Serai supply exceeds what our Batches minted)' }))).custody_payouts_halted).toBe(1);
  const unknown = asMap(statusGaugeReadings(row({ tip: null, lag: null, session: null, outputs: null, queuedPayments: null, solvency: 'no key yet' })));
  for (const name of ['custody_chain_tip', 'custody_scan_lag_blocks', 'custody_key_session', 'custody_scheduler_outputs', 'custody_scheduler_queued_payments', 'custody_payouts_halted']) expect(unknown).not.toHaveProperty(name);
  expect(statusGaugeReadings(row({ unreachable: 'no answer within 5 s (is its worker running?)' }))).toEqual([{ name: 'custody_status_up', value: 0 }]);
});

test('the loop samples until stopped, one sample at a time, each gauge created once with its help text, a failed read reported and the loop going on', async () => {
  const sets: string[] = [];
  const created: { name: string; help?: string }[] = [];
  const meter = {
    createGauge: (name: string, _type?: string, _unit?: string, help?: string) => {
      created.push({ name, help });
      return { set: (value: number, tags: Record<string, string>) => sets.push(`${name}${Object.keys(tags).length ? JSON.stringify(tags) : ''}=${value}`) };
    },
  } as unknown as MetricMeter;
  let reads = 0;
  let inFlight = 0;
  const errors: unknown[] = [];
  const sampler = sampleStatusMetrics({
    meter,
    intervalMs: 5,
    onError: (err) => errors.push(err),
    read: async () => {
      reads += 1;
      expect(++inFlight).toBe(1);
      await new Promise((r) => setTimeout(r, 2));
      inFlight -= 1;
      if (reads === 2) throw new Error('query failed');
      return reads === 1 ? row() : row({ unreachable: 'no answer within 5 s (is its worker running?)' });
    },
  });
  while (reads < 4) await new Promise((r) => setTimeout(r, 5));
  await sampler.stop();
  const after = reads;
  await new Promise((r) => setTimeout(r, 30));
  expect(reads).toBe(after);
  expect(errors).toEqual([new Error('query failed')]);
  expect(sets.filter((s) => s.startsWith('custody_status_up='))).toEqual(['custody_status_up=1', ...Array(reads - 2).fill('custody_status_up=0')]);
  expect(new Set(created.map((c) => c.name)).size).toBe(created.length);
  expect(created.find((c) => c.name === 'custody_scan_lag_blocks')?.help).toMatch(/blocks between the chain tip and the scanner/);
});
