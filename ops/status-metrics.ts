/**
 * The processor's gauges, sampled: every interval the worker reads its own processor's status (the
 * row `npm run ops -- status` prints, ops/status.ts) and sets one gauge per reading. A sample that
 * cannot reach the processor sets only `custody_status_up` to 0; the rest keep their last values.
 */
import type { MetricMeter } from '@temporalio/common';
import { CUSTODY_METRICS, GAUGES } from '../temporal/metrics-catalog';
import type { StatusRow } from './status';

export interface GaugeReading {
  name: string;
  value: number;
  tags?: Record<string, string>;
}

/** The gauge readings one status row gives; a value the row does not know (no key yet, no chain view) is left out. */
export function statusGaugeReadings(row: StatusRow): GaugeReading[] {
  if (row.unreachable !== null) return [{ name: GAUGES.statusUp, value: 0 }];
  const known = (name: string, value: number | null): GaugeReading[] => (value === null ? [] : [{ name, value }]);
  const stuck = (kind: 'batch' | 'plan') => row.signing.stuck.filter((id) => id.startsWith(kind === 'batch' ? 'batch-' : 'plan-')).length;
  return [
    { name: GAUGES.statusUp, value: 1 },
    ...known(GAUGES.keySession, row.session),
    { name: GAUGES.rotationInProgress, value: row.rotation ? 1 : 0 },
    ...known(GAUGES.scanHeight, row.scanned),
    ...known(GAUGES.chainTip, row.tip),
    ...known(GAUGES.scanLag, row.lag),
    { name: GAUGES.batchesAwaitingAck, value: row.batchesAwaitingAck },
    { name: GAUGES.signingsInFlight, value: row.signing.batches, tags: { kind: 'batch' } },
    { name: GAUGES.signingsInFlight, value: row.signing.plans, tags: { kind: 'plan' } },
    { name: GAUGES.signingsStuck, value: stuck('batch'), tags: { kind: 'batch' } },
    { name: GAUGES.signingsStuck, value: stuck('plan'), tags: { kind: 'plan' } },
    ...known(GAUGES.schedulerOutputs, row.outputs),
    ...known(GAUGES.queuedPayments, row.queuedPayments),
    ...(row.solvency.startsWith('halted') ? [{ name: GAUGES.payoutsHalted, value: 1 }] : row.solvency.startsWith('solvent') ? [{ name: GAUGES.payoutsHalted, value: 0 }] : []),
  ];
}

export interface StatusSampler {
  /** Ends the sampling loop after the sample in progress. */
  stop(): Promise<void>;
}

/** Samples `read()` every `intervalMs` (one sample at a time) into the meter's gauges until stopped. */
export function sampleStatusMetrics(options: { meter: MetricMeter; read: () => Promise<StatusRow>; intervalMs: number; onError: (err: unknown) => void }): StatusSampler {
  const gauges = new Map<string, ReturnType<MetricMeter['createGauge']>>();
  const gauge = (name: string) => {
    let found = gauges.get(name);
    if (!found) gauges.set(name, (found = options.meter.createGauge(name, 'int', undefined, CUSTODY_METRICS[name]?.help)));
    return found;
  };
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        for (const reading of statusGaugeReadings(await options.read())) gauge(reading.name).set(reading.value, reading.tags ?? {});
      } catch (err) {
        options.onError(err);
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.intervalMs).unref();
      });
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
