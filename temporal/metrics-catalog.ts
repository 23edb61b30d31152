/**
 * Every metric the processor exports besides the SDK's own (`temporal_*`), by the name Prometheus
 * shows. Counters and histograms are emitted by workflows through the SDK's workflow metric meter
 * (never during replay); gauges are sampled by the worker from its processor's status
 * (temporal/status-metrics.ts), the same reading `npm run ops -- status` prints. Every worker tags
 * its series with `validator` and `network`. The dashboard (ops/grafana/custody-dashboard.json) and
 * the devnet's scrape test are checked against this list.
 */
export interface MetricSpec {
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
}

/** Counters are named without `_total`: the exporter appends it. */
export const COUNTERS = {
  signingAttempts: 'custody_signing_attempts',
  signed: 'custody_signed',
  keygenAttempts: 'custody_keygen_attempts',
  keygenBlamed: 'custody_keygen_blamed',
  unpaid: 'custody_unpaid',
} as const;

export const HISTOGRAMS = {
  signingAttemptSeconds: 'custody_signing_attempt_seconds',
} as const;

export const GAUGES = {
  statusUp: 'custody_status_up',
  keySession: 'custody_key_session',
  rotationInProgress: 'custody_rotation_in_progress',
  scanHeight: 'custody_scan_height',
  chainTip: 'custody_chain_tip',
  scanLag: 'custody_scan_lag_blocks',
  batchesAwaitingAck: 'custody_batches_awaiting_ack',
  signingsInFlight: 'custody_signings_in_flight',
  signingsStuck: 'custody_signings_stuck',
  schedulerOutputs: 'custody_scheduler_outputs',
  queuedPayments: 'custody_scheduler_queued_payments',
  payoutsHalted: 'custody_payouts_halted',
} as const;

/** What each exported series means, by its name as scraped. */
export const CUSTODY_METRICS: Record<string, MetricSpec> = {
  [`${COUNTERS.signingAttempts}_total`]: { type: 'counter', help: 'signing attempts started, by kind (batch, plan)' },
  [`${COUNTERS.signed}_total`]: { type: 'counter', help: 'messages signed, by kind: Batches signed is kind="batch", payouts signed kind="plan"' },
  [`${COUNTERS.keygenAttempts}_total`]: { type: 'counter', help: 'key-generation attempts this processor took part in' },
  [`${COUNTERS.keygenBlamed}_total`]: { type: 'counter', help: 'participants this processor found at fault in key generation (excluded from the next attempt), by round' },
  [`${COUNTERS.unpaid}_total`]: { type: 'counter', help: 'burns, refunds and payments that will not be paid out (unpayable, dropped), by kind and reason' },
  [HISTOGRAMS.signingAttemptSeconds]: { type: 'histogram', help: 'how long a signing attempt took, from its preprocess to its end, by kind and end (signed, faulty, reattempt, idle, interrupted)' },
  [GAUGES.statusUp]: { type: 'gauge', help: '1 when the last status sample reached the processor, else 0 (the other gauges keep their last values)' },
  [GAUGES.keySession]: { type: 'gauge', help: 'the session of the active key' },
  [GAUGES.rotationInProgress]: { type: 'gauge', help: '1 while a later key is taking over' },
  [GAUGES.scanHeight]: { type: 'gauge', help: 'the last block the scanner took' },
  [GAUGES.chainTip]: { type: 'gauge', help: "the chain node's tip" },
  [GAUGES.scanLag]: { type: 'gauge', help: 'blocks between the chain tip and the scanner (confirmations included)' },
  [GAUGES.batchesAwaitingAck]: { type: 'gauge', help: 'Batches reported and not yet acknowledged by Serai' },
  [GAUGES.signingsInFlight]: { type: 'gauge', help: 'signings running, by kind' },
  [GAUGES.signingsStuck]: { type: 'gauge', help: 'signings without progress for an idle period or more, by kind' },
  [GAUGES.schedulerOutputs]: { type: 'gauge', help: 'outputs the scheduler holds' },
  [GAUGES.queuedPayments]: { type: 'gauge', help: 'payments queued, not yet in a plan' },
  [GAUGES.payoutsHalted]: { type: 'gauge', help: '1 while the solvency watch holds payouts back' },
};
