import { msToTs } from '@temporalio/common/lib/time';
import type { Connection } from '@temporalio/client';
import { pollUntil } from '../nodes/poll';

/** Registers a namespace unless it exists, and waits until the frontend serves it. */
export async function ensureNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('7 days') });
  } catch (err) {
    if (!/already exists|AlreadyExists/i.test((err as Error).message)) throw err;
  }
  await pollUntil(
    async () => {
      await connection.workflowService.describeNamespace({ namespace });
      return true;
    },
    { what: `namespace ${namespace}`, timeoutMs: 30_000, intervalMs: 100 },
  );
}

export function validatorNamespace(validator: string): string {
  return `validator-${validator}`;
}
