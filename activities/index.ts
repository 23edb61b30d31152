import type { ByzantineBehaviour } from '../config/worker-config';
import { byzantineKeygenFaults } from '../devnet/byzantine';
import { createCoordinatorLinkActivities, type CoordinatorLink } from './coordinator-link';
import { createHealthActivities, type HealthDeps } from './health';
import { createKeygenActivities } from './keygen';
import { createLegacySigningActivities } from './legacy-signing';
import { createPlanActivities } from './plans';
import { createScanningActivities } from './scanning';
import { createSigningKeyActivities } from './signing-key';
import { createSigningCore, createThresholdSigningActivities } from './threshold-signing';

export interface ProcessorDeps extends HealthDeps {
  link: CoordinatorLink;
  /** Devnet only: misbehave in key generation, to exercise blame. */
  byzantine?: ByzantineBehaviour;
}

/** Every activity of one validator's processor, bound to its keystore, chain clients and coordinator link. */
export function createActivities(deps: ProcessorDeps) {
  const signing = createSigningCore(deps.keystore);
  return {
    ...createHealthActivities(deps),
    ...createCoordinatorLinkActivities({ validator: deps.validator, network: deps.network, link: deps.link }),
    ...createKeygenActivities({
      network: deps.network,
      keystore: deps.keystore,
      faults: deps.byzantine ? byzantineKeygenFaults(deps.byzantine) : undefined,
    }),
    ...createSigningKeyActivities({ network: deps.network, keystore: deps.keystore }),
    ...createThresholdSigningActivities(signing),
    ...createLegacySigningActivities(signing),
    ...createPlanActivities({ network: deps.network, keystore: deps.keystore, bitcoinRpc: deps.bitcoinRpc }),
    ...createScanningActivities({ network: deps.network, keystore: deps.keystore, bitcoinRpc: deps.bitcoinRpc }),
  };
}

export type ProcessorActivities = ReturnType<typeof createActivities>;
