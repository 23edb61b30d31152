/** What `ops status` and the worker's status gauges read from a chain node: its tip, and a key's holdings where the node can say. */
import { JsonRpcProvider } from 'ethers';
import type { NetworkName } from '../config/worker-config';
import { BitcoinRpc } from '../networks/bitcoin/rpc';

export interface ChainView {
  tip(): Promise<number>;
  /** What a key holds on chain, or null where this chain cannot say it from the key alone. */
  balance(key: string): Promise<string | null>;
}

export interface ChainViewEndpoints {
  bitcoinRpc?: { url: string; username: string; password: string };
  ethereumRpcUrl?: string;
}

/** The view of one network's node, or undefined when no endpoint for it is given. */
export function chainView(network: NetworkName, endpoints: ChainViewEndpoints, timeoutMs = 5_000): ChainView | undefined {
  if (network === 'bitcoin' && endpoints.bitcoinRpc) {
    const rpc = new BitcoinRpc({ ...endpoints.bitcoinRpc, timeoutMs });
    // A key's outputs are the processor's to count (the node keeps no index by script).
    return { tip: () => rpc.getBlockCount(), balance: async () => null };
  }
  if (network === 'ethereum' && endpoints.ethereumRpcUrl) {
    const provider = new JsonRpcProvider(endpoints.ethereumRpcUrl, undefined, { staticNetwork: true });
    return { tip: () => provider.getBlockNumber(), balance: async (router) => (await provider.getBalance(`0x${router}`)).toString() };
  }
  return undefined;
}
