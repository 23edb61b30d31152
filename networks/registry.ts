/**
 * The one place a network name picks a chain's adapter (the activity side of the chain seam;
 * networks/rules.ts is the workflow side). Workflows never import a chain.
 */
import type { ExternalNetwork } from '../messages';
import { bitcoinChain } from './bitcoin/adapter';
import { ethereumChain } from './ethereum/adapter';
import { BitcoinRpc, type BitcoinRpcConfig } from './bitcoin/rpc';
import type { ChainAdapter } from './chain';

/** How to reach each network's node, from the worker's configuration. */
export interface ChainEndpoints {
  bitcoinRpc?: BitcoinRpcConfig;
  ethereumRpcUrl?: string;
  /** Without it no Ethereum adapter is made: Router calls need a relayer account to publish them. */
  ethereumRelayerKey?: string;
  ethereumDaiAddress?: string;
}

/**
 * The adapter of `network` over its configured node, or undefined when the network has no
 * adapter yet or no node is configured (its chain activities then fail as NetworkUnavailable;
 * key generation still works).
 */
export function createChain(network: ExternalNetwork, endpoints: ChainEndpoints): ChainAdapter | undefined {
  if (network === 'bitcoin' && endpoints.bitcoinRpc) return bitcoinChain(new BitcoinRpc(endpoints.bitcoinRpc));
  if (network === 'ethereum' && endpoints.ethereumRpcUrl && endpoints.ethereumRelayerKey) {
    return ethereumChain({ rpcUrl: endpoints.ethereumRpcUrl, relayerKey: endpoints.ethereumRelayerKey, daiAddress: endpoints.ethereumDaiAddress });
  }
  return undefined;
}
