import type { ByzantineBehaviour } from '../config/worker-config';
import { byzantineKeygenFaults } from '../devnet/byzantine';
import { createCoordinatorLinkActivities, type CoordinatorLink } from './coordinator-link';
import { createHealthActivities, type HealthDeps } from './health';
import { createKeygenActivities } from './keygen';
import { createPlanSigningActivities } from './plan-signing';
import { createScanningActivities } from './scanning';
import { createSubstrateSigningActivities } from './substrate-signing';

export interface ProcessorDeps extends HealthDeps {
  link: CoordinatorLink;
  /** Devnet only: misbehave in key generation, to exercise blame. */
  byzantine?: ByzantineBehaviour;
}

/** Every activity of one validator's processor, bound to its keystore, chain clients and coordinator link. */
export function createActivities(deps: ProcessorDeps) {
  return {
    ...createHealthActivities(deps),
    ...createCoordinatorLinkActivities({ validator: deps.validator, network: deps.network, link: deps.link }),
    ...createKeygenActivities({
      network: deps.network,
      keystore: deps.keystore,
      faults: deps.byzantine ? byzantineKeygenFaults(deps.byzantine) : undefined,
    }),
    ...createSubstrateSigningActivities({ network: deps.network, keystore: deps.keystore }),
    ...createPlanSigningActivities({ network: deps.network, keystore: deps.keystore, bitcoinRpc: deps.bitcoinRpc }),
    ...createScanningActivities({ network: deps.network, keystore: deps.keystore, bitcoinRpc: deps.bitcoinRpc }),
  };
}

export type ProcessorActivities = ReturnType<typeof createActivities>;
