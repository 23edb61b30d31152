import { setTimeout as sleep } from 'node:timers/promises';

export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly lastError: unknown,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : `; last error: ${describe(lastError)}`}`);
  }
}

export interface PollOptions {
  /** What is awaited, for the timeout message ("btcd RPC to answer"). */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Calls `check` until it returns true, at most every `intervalMs`, for `timeoutMs` in total.
 * A throwing check counts as "not yet" and its error is reported if time runs out.
 */
export async function pollUntil(check: (signal: AbortSignal) => Promise<boolean>, options: PollOptions): Promise<void> {
  const intervalMs = options.intervalMs ?? 100;
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    if (deadline.aborted) throw new PollTimeoutError(options.what, options.timeoutMs, lastError);
    try {
      if (await check(signal)) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
