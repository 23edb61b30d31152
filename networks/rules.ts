/**
 * The one registry of what each network means to the processor's in-workflow decisions (pure,
 * workflow-safe): which scheduler spends its coins, its limits and fee model, and how a Serai
 * address names a payee on it. Everything that talks to a chain is its adapter (networks/registry.ts),
 * behind activities.
 */
import type { ExternalNetwork } from '../messages/networks';
import type { FeeModel } from '../scheduler';
import type { AccountCoin, BatchCostModel } from '../scheduler/account/types';
import { bitcoinRules } from './bitcoin/rules';
import { ethereumRules } from './ethereum/rules';

interface PayeeRules {
  /** The payee (hex, the form plans pay) a Serai `ExternalAddress` names, or null when it names none. */
  paymentAddress(encoded: Uint8Array): string | null;
  /** How the address kind is called in reports ("a Bitcoin address"). */
  addressName: string;
  /** The network's expected block time: rotation's stages are counted in blocks from it (reference section 5). */
  blockTimeSeconds: number;
}

/** A chain of outputs (Bitcoin): the UTXO scheduler spends them. */
export interface UtxoChainRules extends PayeeRules {
  scheduler: 'utxo';
  limits: { maxInputs: number; maxOutputs: number; dust: string; maxAmount: string };
  /** The scheduler's fee model at a fee rate read from the chain (Bitcoin: sat/vB). */
  feeModel(rate: number): FeeModel;
}

/** A chain of accounts (Ethereum's Router): the account scheduler pays in signed batches under one nonce. */
export interface AccountChainRules extends PayeeRules {
  scheduler: 'account';
  /** The coins the contract holds, in scheduling order. */
  coins: readonly AccountCoin[];
  maxBatchGas: number;
  /** The contract's nonce for a key's first signed call (its confirmation). */
  firstNonce: number;
  /** A batch's gas and fee at a fee rate read from the chain (Ethereum: wei per gas). */
  batchCost(rate: number): BatchCostModel;
  /** The key as the contract holds it (the Router's px), from the network key as Serai knows it. */
  contractKey(networkKey: string): string;
}

export type ChainRules = UtxoChainRules | AccountChainRules;

export class UnsupportedNetworkError extends Error {
  override readonly name = 'UnsupportedNetworkError';
}

const rules = new Map<ExternalNetwork, ChainRules>([
  ['bitcoin', bitcoinRules],
  ['ethereum', ethereumRules],
]);

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
