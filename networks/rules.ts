/**
 * The one registry of what each network means to the processor's in-workflow decisions (pure,
 * workflow-safe): which scheduler spends its coins, its limits and fee model, and how a Serai
 * address names a payee on it. Everything that talks to a chain is its adapter (networks/registry.ts),
 * behind activities.
 */
import type { ExternalNetwork } from '../messages/networks';
import type { FeeModel } from '../scheduler';
import { bitcoinRules } from './bitcoin/rules';

export interface ChainRules {
  /** UTXO today; an account/nonce scheduler for Ethereum's Router next. */
  scheduler: 'utxo';
  limits: { maxInputs: number; maxOutputs: number; dust: string; maxAmount: string };
  /** The scheduler's fee model at a fee rate read from the chain (Bitcoin: sat/vB). */
  feeModel(rate: number): FeeModel;
  /** The payee (hex, the form plans pay) a Serai `ExternalAddress` names, or null when it names none. */
  paymentAddress(encoded: Uint8Array): string | null;
  /** How the address kind is called in reports ("a Bitcoin address"). */
  addressName: string;
}

export class UnsupportedNetworkError extends Error {
  override readonly name = 'UnsupportedNetworkError';
}

const rules = new Map<ExternalNetwork, ChainRules>([['bitcoin', bitcoinRules]]);

export function chainRules(network: ExternalNetwork): ChainRules {
  const found = rules.get(network);
  if (!found) throw new UnsupportedNetworkError(`the processor does not support ${network} yet`);
  return found;
}

/**
 * Adds the rules of a network no built-in chain serves, from a workflow bundle's entry module (so
 * every workflow of the bundle sees the same rules); a network that has rules keeps them.
 */
export function registerChainRules(network: ExternalNetwork, chain: ChainRules): void {
  if (rules.has(network)) throw new UnsupportedNetworkError(`${network} already has chain rules`);
  rules.set(network, chain);
}
