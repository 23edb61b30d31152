/**
 * The one place a network name picks a chain's adapter (the activity side of the chain seam;
 * networks/rules.ts is the workflow side). Workflows never import a chain.
 */
import type { ExternalNetwork } from '../messages';
import { bitcoinChain } from './bitcoin/adapter';
import type { BitcoinRpc } from './bitcoin/rpc';
import type { ChainAdapter } from './chain';

export interface ChainClients {
  bitcoinRpc?: BitcoinRpc;
}

/**
 * The adapter of `network` over its configured client, or undefined when the network has no
 * adapter yet or no client is configured (its chain activities then fail as NetworkUnavailable;
 * key generation still works).
 */
export function createChain(network: ExternalNetwork, clients: ChainClients): ChainAdapter | undefined {
  if (network === 'bitcoin' && clients.bitcoinRpc) return bitcoinChain(clients.bitcoinRpc);
  return undefined;
}
