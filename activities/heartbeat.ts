/**
 * Liveness for activities that may run for a while (signing many shares, scanning many blocks,
 * chain calls): while one runs, its worker heartbeats, so a worker that dies mid-activity is noticed
 * after the activity's heartbeat timeout (workflows/activity-options.ts), not its start-to-close one,
 * and the activity runs again elsewhere at once. Outside an activity (a test calling the function
 * directly) there is nothing to heartbeat to.
 */
import { asyncLocalStorage } from '@temporalio/activity';

/** How often a running activity heartbeats; the SDK throttles the sends to its heartbeat timeout. */
const HEARTBEAT_EVERY_MS = 2_000;

/** Runs `work`, heartbeating the current activity (if any) until it settles. */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = asyncLocalStorage.getStore();
  if (context === undefined) return work();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Every function of an activity object, heartbeating while it runs. */
export function heartbeating<A extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: A): A {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [name, (...args: never[]) => whileHeartbeating(() => fn(...args))]),
  ) as A;
}

/** Lets the event loop turn between steps of CPU-bound work, so the heartbeat (and other activities) can run. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
