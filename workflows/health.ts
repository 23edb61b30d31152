import type { ChainStatus, KeystoreStatus } from '../activities/health';
import { healthActivities } from './activity-options';

export interface ProcessorHealth {
  keystore: KeystoreStatus;
  chain: ChainStatus;
}

/** Reads the processor's keystore and chain node through its own worker: proof the worker is wired. */
export async function processorHealth(): Promise<ProcessorHealth> {
  const [keystore, chain] = await Promise.all([healthActivities.keystoreStatus(), healthActivities.chainStatus()]);
  return { keystore, chain };
}
