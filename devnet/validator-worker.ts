/**
 * A devnet validator's worker that misbehaves in key generation as DEVNET_BYZANTINE says
 * (devnet/byzantine.ts); otherwise exactly the production worker.ts.
 */
import { runWorker } from '../worker';
import { byzantineKeygenFaults, ByzantineConfigError, parseByzantine } from './byzantine';

try {
  const setting = process.env.DEVNET_BYZANTINE;
  void runWorker(setting ? { keygenFaults: byzantineKeygenFaults(parseByzantine(setting)) } : {});
} catch (err) {
  if (!(err instanceof ByzantineConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}
