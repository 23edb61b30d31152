/**
 * Publishing a signed transaction to btcd, telling apart the ways it may already be out there
 * (reference 6.13: the original panicked on all of them).
 *
 * What btcd v0.24.2 answers to sendrawtransaction (mempool/mempool.go, rpcserver.go), and how
 * each answer is read:
 *   -26 "already have transaction in mempool <txid>"  -> already-in-mempool (same txid: any
 *        signing attempt of the plan, whatever its witnesses)
 *   -27 "transaction already exists in blockchain"    -> already-confirmed (an output is unspent)
 *   -26 "output already spent in mempool: output=<outpoint>, tx=<txid>" -> conflict (a different
 *        transaction spends one of our inputs and is waiting in the mempool)
 *   -25 "orphan transaction <txid> references outputs of unknown or fully-spent transaction ..."
 *        is ambiguous. The chain decides: our txid confirmed -> already-confirmed (all its
 *        outputs were spent since); else an input spent on chain by another transaction ->
 *        conflict; else an input's transaction is unknown -> MissingInputsError (retryable: the
 *        parent may not have arrived yet).
 * Anything else (bad signature, fee, policy) is a TransactionRejectedError: the transaction is
 * wrong, repeating it will not help. Transport failures are PublishUnavailableError (retryable).
 */
import { Transaction } from 'bitcoinjs-lib';
import type { PublishOutcome } from '../network';
import type { BitcoinRpc } from './rpc';
import { BitcoinRpcFailure, RpcError, RpcErrorCode } from './rpc-errors';
import { PublishInputError, TransactionRejectedError } from '../chain-errors';

export { PublishInputError, TransactionRejectedError };

/** An input's transaction is unknown to the node (not yet relayed, or never existed). */
export class MissingInputsError extends Error {
  override readonly name = 'MissingInputsError';
  readonly retryable = true;
  constructor(
    readonly txid: string,
    readonly outpoint: string,
  ) {
    super(`transaction ${txid} spends ${outpoint}, whose transaction the node does not know`);
  }
}

/** The node could not be asked (unreachable, timed out, HTTP failure); try again later. */
export class PublishUnavailableError extends Error {
  override readonly name = 'PublishUnavailableError';
  constructor(
    readonly txid: string,
    detail: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(`could not publish ${txid}: ${detail}`, options);
  }
}

const IN_MEMPOOL = /already have transaction in mempool/;
const IN_CHAIN = /transaction already exists in blockchain/;
const MEMPOOL_CONFLICT = /output already spent in mempool: output=([0-9a-f]{64}:\d+), tx=([0-9a-f]{64})/;
const ORPHAN = /orphan transaction [0-9a-f]{64} references outputs of unknown or fully-spent transaction/;

export async function publish(rpc: BitcoinRpc, rawTransaction: string): Promise<PublishOutcome> {
  const tx = parse(rawTransaction);
  const txid = tx.getId();
  try {
    await rpc.sendRawTransaction(rawTransaction);
    return { kind: 'published' };
  } catch (error) {
    if (!(error instanceof RpcError)) throw unavailable(txid, error);
    return await classify(rpc, tx, error);
  }
}

function parse(rawTransaction: string): Transaction {
  if (typeof rawTransaction !== 'string' || !/^(?:[0-9a-f]{2})+$/.test(rawTransaction)) {
    throw new PublishInputError('expected lowercase hex');
  }
  try {
    return Transaction.fromHex(rawTransaction);
  } catch {
    throw new PublishInputError('not a serialized transaction');
  }
}

function unavailable(txid: string, error: unknown): Error {
  if (!(error instanceof BitcoinRpcFailure)) return error as Error;
  return new PublishUnavailableError(txid, error.message, error.retryable, { cause: error });
}

async function classify(rpc: BitcoinRpc, tx: Transaction, error: RpcError): Promise<PublishOutcome> {
  const txid = tx.getId();
  const message = error.nodeMessage;
  if (IN_MEMPOOL.test(message)) return { kind: 'already-in-mempool' };
  if (error.code === RpcErrorCode.verifyAlreadyInChain || IN_CHAIN.test(message)) return { kind: 'already-confirmed' };
  const conflict = MEMPOOL_CONFLICT.exec(message);
  if (conflict !== null) return { kind: 'conflict', reason: `input ${conflict[1]} is spent by mempool transaction ${conflict[2]}` };
  if (!ORPHAN.test(message)) throw new TransactionRejectedError(txid, error.code, message);
  try {
    return await resolveOrphan(rpc, tx, error);
  } catch (lookupError) {
    if (lookupError instanceof MissingInputsError || !(lookupError instanceof BitcoinRpcFailure)) throw lookupError;
    throw unavailable(txid, lookupError);
  }
}

/** btcd's "orphan" answer: our transaction confirmed long ago, a conflict, or a missing parent. */
async function resolveOrphan(rpc: BitcoinRpc, tx: Transaction, error: RpcError): Promise<PublishOutcome> {
  const txid = tx.getId();
  const ours = await transactionInfo(rpc, txid);
  if (ours !== null && (ours.confirmations ?? 0) > 0) return { kind: 'already-confirmed' };
  for (const input of tx.ins) {
    const parent = Buffer.from(input.hash).reverse().toString('hex');
    const outpoint = `${parent}:${input.index}`;
    if ((await rpc.getTxOut(parent, input.index, true)) !== null) continue;
    const parentInfo = await transactionInfo(rpc, parent);
    if (parentInfo === null) throw new MissingInputsError(txid, outpoint);
    if (input.index >= Transaction.fromHex(parentInfo.hex).outs.length) {
      throw new TransactionRejectedError(txid, error.code, `${error.nodeMessage} (input ${outpoint} does not exist)`);
    }
    return { kind: 'conflict', reason: `input ${outpoint} is already spent by another transaction` };
  }
  // Every input is unspent now: the node's view moved between the two calls. Ask again later.
  throw new PublishUnavailableError(txid, 'the inputs changed while publishing', true);
}

/** getrawtransaction, or null when the node has no such transaction (-5). */
export async function transactionInfo(rpc: BitcoinRpc, txid: string) {
  try {
    return await rpc.getRawTransaction(txid);
  } catch (error) {
    if (error instanceof RpcError && error.code === RpcErrorCode.invalidAddressOrKey) return null;
    throw error;
  }
}
