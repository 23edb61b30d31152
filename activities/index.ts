import { ApplicationFailure } from '@temporalio/common';
import type { ChainAdapter } from '../networks/chain';
import { createCoordinatorLinkActivities, type CoordinatorLink } from './coordinator-link';
import { heartbeating } from './heartbeat';
import { createHealthActivities, type HealthDeps } from './health';
import { createKeygenActivities, type KeygenFaults } from './keygen';
import { createLegacySigningActivities } from './legacy-signing';
import { createPlanActivities } from './plans';
import { createScanningActivities } from './scanning';
import { createSeraiBlockActivities } from './serai-blocks';
import { createSigningKeyActivities } from './signing-key';
import { createSigningCore, createThresholdSigningActivities } from './threshold-signing';
import { NETWORK_UNAVAILABLE } from './failures';

export interface ProcessorDeps extends HealthDeps {
  link: CoordinatorLink;
  /** Fault injection for tests and the devnet (devnet/byzantine.ts); never set by worker.ts. */
  keygenFaults?: KeygenFaults;
}

/** Every activity of one validator's processor, bound to its keystore, chain adapter and coordinator link. */
export function createActivities(deps: ProcessorDeps) {
  const chain = (): ChainAdapter => {
    if (!deps.chain) throw ApplicationFailure.nonRetryable(`no chain adapter is configured for ${deps.network}`, NETWORK_UNAVAILABLE);
    return deps.chain;
  };
  const signing = createSigningCore(deps.keystore, () => chain().transactions.signing);
  const signingKey = createSigningKeyActivities({ network: deps.network, keystore: deps.keystore });
  return {
    ...createHealthActivities(deps),
    ...heartbeating(createCoordinatorLinkActivities({ validator: deps.validator, network: deps.network, link: deps.link })),
    ...createKeygenActivities({ network: deps.network, keystore: deps.keystore, faults: deps.keygenFaults }),
    // Signing many shares, scanning many blocks and chain calls can run long: their workers heartbeat.
    ...heartbeating(signingKey),
    ...heartbeating(createThresholdSigningActivities(signing)),
    ...heartbeating(createLegacySigningActivities(signing)),
    ...heartbeating(createPlanActivities({ keystore: deps.keystore, chain, signingKey: signingKey.substrateSigningKey })),
    ...heartbeating(createScanningActivities({ keystore: deps.keystore, chain })),
    ...heartbeating(createSeraiBlockActivities({ keystore: deps.keystore, chain })),
  };
}

export type ProcessorActivities = ReturnType<typeof createActivities>;
