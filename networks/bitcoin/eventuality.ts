/**
 * Whether a plan's eventuality (its transaction's txid) is completed on the best chain, and
 * checking a completion another validator claims.
 *
 * A Bitcoin claim is the txid (32 bytes, hex in RPC byte order). Since the eventuality is the
 * txid, a claim is accepted only when it is that txid and the best chain holds the transaction
 * with enough confirmations; the transaction the node returns must hash to it and spend exactly
 * the plan's inputs (txindex: btcd --txindex).
 */
import { Transaction } from 'bitcoinjs-lib';
import type { Eventuality } from '../network';
import type { BitcoinRpc } from './rpc';
import { isNotInMainChain, RpcResponseError } from './rpc-errors';
import { transactionInfo } from './publish';
import { outpointId, type BitcoinEventuality } from './transaction';

export interface Completion {
  readonly completed: boolean;
  /** The claim to report (the txid), when completed. */
  readonly claim?: string;
  /** Height of the block that holds the transaction, when completed. */
  readonly height?: number;
}

export type ClaimVerdict =
  | { readonly valid: true; readonly height: number }
  | { readonly valid: false; readonly reason: string; readonly pending?: boolean };

const TXID = /^[0-9a-f]{64}$/;

/** Completed when a block of the best chain with at least `minConfirmations` holds the txid. */
export async function completion(rpc: BitcoinRpc, eventuality: Eventuality, minConfirmations = 1): Promise<Completion> {
  const found = await confirmedTransaction(rpc, eventuality.id, minConfirmations);
  return found === null ? { completed: false } : { completed: true, claim: eventuality.id, height: found.height };
}

/** Accepts `claim` only if it is the eventuality's txid, confirmed on the best chain, spending the plan's inputs. */
export async function verifyClaim(
  rpc: BitcoinRpc,
  eventuality: BitcoinEventuality,
  claim: string,
  minConfirmations = 1,
): Promise<ClaimVerdict> {
  if (typeof claim !== 'string' || !TXID.test(claim)) return { valid: false, reason: 'the claim is not a txid' };
  if (claim !== eventuality.id) return { valid: false, reason: 'the claim names a different transaction than the plan' };
  const found = await confirmedTransaction(rpc, claim, minConfirmations);
  if (found === null) {
    // The plan's own txid, known to the node but not final yet: the claim may become valid.
    const known = (await transactionInfo(rpc, claim)) !== null;
    return { valid: false, reason: `the transaction is not on the best chain with ${minConfirmations} confirmations`, pending: known };
  }
  const spends = found.tx.ins.map((input) => outpointId(Buffer.from(input.hash).reverse().toString('hex'), input.index));
  if (spends.length !== eventuality.spends.length || spends.some((spent, index) => spent !== eventuality.spends[index])) {
    return { valid: false, reason: "the transaction does not spend the plan's inputs" };
  }
  return { valid: true, height: found.height };
}

async function confirmedTransaction(
  rpc: BitcoinRpc,
  txid: string,
  minConfirmations: number,
): Promise<{ tx: Transaction; height: number } | null> {
  const info = await transactionInfo(rpc, txid);
  if (info === null || info.blockhash === undefined) return null;
  let header;
  try {
    header = await rpc.getBlockHeader(info.blockhash);
  } catch (error) {
    if (isNotInMainChain(error)) return null;
    throw error;
  }
  if (header.confirmations < minConfirmations) return null;
  let tx: Transaction;
  try {
    tx = Transaction.fromHex(info.hex);
  } catch {
    throw new RpcResponseError('getrawtransaction', 'returned hex that is not a transaction');
  }
  if (tx.getId() !== txid) throw new RpcResponseError('getrawtransaction', `returned a transaction that does not hash to ${txid}`);
  return { tx, height: header.height };
}
