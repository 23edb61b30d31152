import { ApplicationFailure } from '@temporalio/common';
import type { ChainAdapter } from '../networks/chain';
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
  /** The network's adapter (networks/registry.ts); without one, chain activities fail as NetworkUnavailable. */
  chain?: ChainAdapter;
  /** Devnet only: misbehave in key generation, to exercise blame. */
  byzantine?: ByzantineBehaviour;
}

/** Every activity of one validator's processor, bound to its keystore, chain clients and coordinator link. */
export function createActivities(deps: ProcessorDeps) {
  const chain = (): ChainAdapter => {
    if (!deps.chain) throw ApplicationFailure.nonRetryable(`no chain adapter is configured for ${deps.network}`, 'NetworkUnavailable');
    return deps.chain;
  };
  const signing = createSigningCore(deps.keystore, () => chain().transactions.signing);
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
    ...createPlanActivities({ keystore: deps.keystore, chain }),
    ...createScanningActivities({ keystore: deps.keystore, chain }),
  };
}

export type ProcessorActivities = ReturnType<typeof createActivities>;
