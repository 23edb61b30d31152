import { bytesToHex } from '@noble/hashes/utils.js';
import type { Keystore } from '../store';
import { SCHEMA_VERSION } from '../store';
import type { BitcoinRpc } from '../networks/bitcoin/rpc';
import type { NetworkName } from '../config/worker-config';

export interface HealthDeps {
  validator: string;
  network: NetworkName;
  keystore: Keystore;
  bitcoinRpc?: BitcoinRpc;
}

export interface KeystoreStatus {
  schemaVersion: number;
  activeKey: { session: number; curve: string; groupKey: string } | null;
}

export interface ChainStatus {
  network: NetworkName;
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
      if (!deps.bitcoinRpc) throw new Error(`chainStatus: no RPC client configured for ${deps.network}`);
      const [height, bestBlock] = await Promise.all([deps.bitcoinRpc.getBlockCount(), deps.bitcoinRpc.getBestBlockHash()]);
      return { network: deps.network, height, bestBlock };
    },
  };
}
