/**
 * A devnet validator's worker that misbehaves in key generation as DEVNET_BYZANTINE says
 * (devnet/byzantine.ts), and/or journals its activities and SIGKILLs itself right after its k-th
 * one completes as DEVNET_ACTIVITY_JOURNAL / DEVNET_CRASH_AFTER_ACTIVITY / DEVNET_CRASH_MARKER say
 * (devnet/crash/hook.ts); otherwise exactly the production worker.ts.
 */
import { runWorker } from '../worker';
import { byzantineKeygenFaults, ByzantineConfigError, parseByzantine } from './byzantine';
import { crashHookInterceptors } from './crash/hook';
import { CrashConfigError, crashHookFromEnv } from './crash/settings';

try {
  const setting = process.env.DEVNET_BYZANTINE;
  const crash = crashHookFromEnv(process.env);
  void runWorker({
    ...(setting ? { keygenFaults: byzantineKeygenFaults(parseByzantine(setting)) } : {}),
    ...(crash ? { interceptors: crashHookInterceptors(crash) } : {}),
  });
} catch (err) {
  if (!(err instanceof ByzantineConfigError) && !(err instanceof CrashConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}
