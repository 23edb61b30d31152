/**
 * The protocols the signing activities serve, by name, and the message each one signs. The
 * message travels with every signing activity call, so one set of activities serves them all.
 */
import type { ThresholdProtocol } from '../crypto/sign/protocol';
import type { Batch } from '../messages';
import { batchSigning } from '../messages/batch-signing';

/** What is signed: a Batch for Serai, or a plan's transaction on its network (the chain's signable form). */
export type SignableMessage = { protocol: 'batch'; batch: Batch } | { protocol: 'transaction'; signable: unknown };
export type SigningProtocolName = SignableMessage['protocol'];

/** The signed result, by protocol: a Batch's signature, or a transaction's id and bytes. */
export type SignedOf<M extends SignableMessage> = M extends { protocol: 'batch' } ? { signature: string } : { txid: string; hex: string };

/** Resolves a protocol name to its implementation; the transaction protocol is the chain's. */
export function signingProtocols(transaction: () => ThresholdProtocol<unknown, unknown>) {
  return (name: SigningProtocolName): ThresholdProtocol<unknown, unknown> => (name === 'batch' ? (batchSigning as ThresholdProtocol<unknown, unknown>) : transaction());
}

export function messageOf(signable: SignableMessage): unknown {
  return signable.protocol === 'batch' ? signable.batch : signable.signable;
}
