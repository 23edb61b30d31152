import pino from 'pino';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: undefined,
  serializers: { error: pino.stdSerializers.err, err: pino.stdSerializers.err },
});

const pinoLevel = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

let installed = false;

export interface RuntimeMetrics {
  /** host:port of the Prometheus endpoint (`/metrics`). */
  address: string;
  /** Put on every series this process exports (its validator and network). */
  tags: Record<string, string>;
}

/**
 * Installs the Temporal Runtime once per process, forwarding SDK logs to pino and, with `metrics`,
 * serving the SDK's and the processor's metrics for Prometheus. Workflow and activity logs carry
 * ids only; payload contents are never logged.
 */
export function installRuntime(options: { level?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'; metrics?: RuntimeMetrics } = {}): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    logger: new DefaultLogger(options.level ?? 'INFO', (entry: LogEntry) => {
      const { message, meta } = entry;
      logger[pinoLevel[entry.level]](meta ?? {}, message);
    }),
    telemetryOptions: {
      // The SDK's native (Rust) logs would go straight to the console as text; through pino they stay JSON lines.
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(options.metrics
        ? {
            metrics: {
              prometheus: { bindAddress: options.metrics.address, countersTotalSuffix: true, useSecondsForDurations: true },
              globalTags: options.metrics.tags,
            },
          }
        : {}),
    },
  });
}
