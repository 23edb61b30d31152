/**
 * Transaction ids of a block and the check that they are the ones its header commits to, hashed
 * with Node's native SHA-256: bitcoinjs-lib hashes in JavaScript, which made hashing most of the
 * cost of scanning a block (bench/bitcoin-scan.ts). Runs in activities only (node:crypto).
 *
 * Only the txid merkle root is checked: everything the scan reads (outputs, OP_RETURN data, the
 * outpoint of input 0) is covered by txids; witnesses are not read.
 */
import { createHash } from 'node:crypto';
import type { Block, Transaction } from 'bitcoinjs-lib';
import { fastMerkleRoot } from 'bitcoinjs-lib/src/merkle';

function hash256(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(createHash('sha256').update(bytes).digest()).digest();
}

function withoutWitness(tx: Transaction): Uint8Array {
  if (!tx.hasWitnesses()) return tx.toBuffer();
  const stripped = tx.clone();
  stripped.stripWitnesses();
  return stripped.toBuffer();
}

/** The txid of each transaction, in block order, as RPCs show them (byte-reversed hex). */
export interface BlockTransactionIds {
  txids: string[];
  /** Whether the header's merkle root commits to exactly these transactions (no CVE-2012-2459 duplicate). */
  matchesHeader: boolean;
}

export function blockTransactionIds(block: Block): BlockTransactionIds {
  const hashes = (block.transactions ?? []).map((tx) => hash256(withoutWitness(tx)));
  const txids = hashes.map((hash) => Buffer.from(hash).reverse().toString('hex'));
  if (hashes.length === 0 || block.merkleRoot === undefined) return { txids, matchesHeader: false };
  const mutated = { value: false };
  const root = fastMerkleRoot(hashes, hash256, mutated);
  return { txids, matchesHeader: !mutated.value && Buffer.from(root).equals(block.merkleRoot) };
}
