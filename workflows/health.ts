import { proxyActivities } from '@temporalio/workflow';
import type { ProcessorActivities } from '../activities';
import type { ChainStatus, KeystoreStatus } from '../activities/health';

const { keystoreStatus, chainStatus } = proxyActivities<ProcessorActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '1 second' },
});

export interface ProcessorHealth {
  keystore: KeystoreStatus;
  chain: ChainStatus;
}

/** Reads the processor's keystore and chain node through its own worker: proof the worker is wired. */
export async function processorHealth(): Promise<ProcessorHealth> {
  const [keystore, chain] = await Promise.all([keystoreStatus(), chainStatus()]);
  return { keystore, chain };
}
