import pino from 'pino';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: undefined,
  serializers: { error: pino.stdSerializers.err, err: pino.stdSerializers.err },
});

const pinoLevel = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

let installed = false;

/**
 * Installs the Temporal Runtime once per process, forwarding SDK logs to pino. Workflow and activity
 * logs carry ids only; payload contents are never logged.
 */
export function installRuntimeLogging(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' = 'INFO'): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    logger: new DefaultLogger(level, (entry: LogEntry) => {
      const { message, meta } = entry;
      logger[pinoLevel[entry.level]](meta ?? {}, message);
    }),
  });
}
