/**
 * The protocols the signing activities serve, by name, and the message each one signs. The
 * message travels with every signing activity call, so one set of activities serves them all.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ThresholdProtocol } from '../crypto/sign/protocol';
import type { Batch, ExternalNetwork } from '../messages';
import { batchSigning } from '../messages/batch-signing';
import { NetworkNotSupportedError, transactionSigningFor } from '../networks/registry';

/** What is signed: a Batch for Serai, or a plan's transaction on its network (the chain's signable form). */
export type SignableMessage = { protocol: 'batch'; batch: Batch } | { protocol: 'transaction'; signable: unknown };
export type SigningProtocolName = SignableMessage['protocol'];

/** The signed result, by protocol: a Batch's signature, or a transaction's id and bytes. */
export type SignedOf<M extends SignableMessage> = M extends { protocol: 'batch' } ? { signature: string } : { txid: string; hex: string };

export function protocolFor(name: SigningProtocolName, network: ExternalNetwork): ThresholdProtocol<unknown, unknown> {
  if (name === 'batch') return batchSigning as ThresholdProtocol<unknown, unknown>;
  try {
    return transactionSigningFor(network);
  } catch (err) {
    if (err instanceof NetworkNotSupportedError) throw ApplicationFailure.nonRetryable(err.message, 'NetworkUnavailable');
    throw err;
  }
}

export function messageOf(signable: SignableMessage): unknown {
  return signable.protocol === 'batch' ? signable.batch : signable.signable;
}
