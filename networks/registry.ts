/**
 * The one place a network name picks a chain's implementation. Activities resolve per-chain parts
 * here; workflows never import a chain.
 */
import type { ThresholdProtocol } from '../crypto/sign/protocol';
import type { ExternalNetwork } from '../messages';
import { bitcoinTransactionSigning } from './bitcoin/signing-protocol';

export class NetworkNotSupportedError extends Error {
  override readonly name = 'NetworkNotSupportedError';
  constructor(readonly network: string, what: string) {
    super(`${what} is not implemented for ${network}`);
  }
}

/** Signs a plan's transaction on its network: the message is the chain's signable form, the result its signed form. */
export type TransactionSigning = ThresholdProtocol<unknown, { txid: string; hex: string }>;

const transactionSigning: Partial<Record<ExternalNetwork, TransactionSigning>> = {
  bitcoin: bitcoinTransactionSigning as TransactionSigning,
};

export function transactionSigningFor(network: ExternalNetwork): TransactionSigning {
  const protocol = transactionSigning[network];
  if (!protocol) throw new NetworkNotSupportedError(network, 'transaction signing');
  return protocol;
}
