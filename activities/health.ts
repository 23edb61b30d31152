import { bytesToHex } from '@noble/hashes/utils.js';
import { ApplicationFailure } from '@temporalio/common';
import type { ExternalNetwork } from '../messages';
import type { ChainAdapter } from '../networks/chain';
import type { Keystore } from '../store';
import { SCHEMA_VERSION } from '../store';
import { NETWORK_UNAVAILABLE } from './failures';

export interface HealthDeps {
  validator: string;
  network: ExternalNetwork;
  keystore: Keystore;
  chain?: ChainAdapter;
}

export interface KeystoreStatus {
  schemaVersion: number;
  activeKey: { session: number; curve: string; groupKey: string } | null;
}

export interface ChainStatus {
  network: ExternalNetwork;
  height: number;
  bestBlock: string;
}

export function createHealthActivities(deps: HealthDeps) {
  return {
    async keystoreStatus(): Promise<KeystoreStatus> {
      const active = deps.keystore.getActiveKey(deps.network);
      return {
        schemaVersion: SCHEMA_VERSION,
        activeKey: active ? { session: active.session, curve: active.curve, groupKey: bytesToHex(active.groupKey) } : null,
      };
    },
    async chainStatus(): Promise<ChainStatus> {
      if (!deps.chain) throw ApplicationFailure.nonRetryable(`chainStatus: no chain adapter is configured for ${deps.network}`, NETWORK_UNAVAILABLE);
      const tip = await deps.chain.feed.tip();
      return { network: deps.network, height: tip.height, bestBlock: tip.hash };
    },
  };
}
