/**
 * A toy chain that keeps everything in memory, to prove the chain seam with a second chain (it is
 * used only in tests): blocks on demand, coins as outputs of transactions, deposits carrying data,
 * and spends authorised by an ed25519 signature of the key their addresses derive from.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { OutputKind } from '../../../../networks/network';

export interface LedgerTxOutput {
  address: string;
  amount: bigint;
}

/** The unsigned content of a spend; its id is the hash of exactly this. */
export interface LedgerSpend {
  inputs: { id: string; kind: OutputKind }[];
  outputs: LedgerTxOutput[];
}

export interface LedgerTx {
  txid: string;
  inputs: LedgerSpend['inputs'];
  outputs: LedgerTxOutput[];
  /** A deposit's InInstruction data (hex) and its sender, the refund address. */
  data?: string;
  from?: string;
  /** The spending key (32-byte ed25519 point, hex) and its signature of `spendMessage(txid)`. */
  key?: string;
  signature?: string;
}

export interface LedgerBlock {
  height: number;
  hash: string;
  parent: string;
  time: number;
  txs: LedgerTx[];
}

export class LedgerRejection extends Error {
  override readonly name = 'LedgerRejection';
}

const encoder = new TextEncoder();
const hash = (...parts: string[]) => bytesToHex(sha256(encoder.encode(parts.join('|'))));

/** The address of a key for one output kind. */
export function ledgerAddress(key: string, kind: OutputKind): string {
  return hash('ledger-address', kind, key);
}

export function spendTxid(spend: LedgerSpend): string {
  return hash('ledger-tx', JSON.stringify({ inputs: spend.inputs, outputs: spend.outputs.map((o) => [o.address, o.amount.toString()]) }));
}

export function spendMessage(txid: string): Uint8Array {
  return utf8ToBytes(`ledger-spend:${txid}`);
}

/** An output's id: its transaction's id and index, as the scheduler names outputs (txid || u32 LE). */
export function outputId(txid: string, vout: number): string {
  const index = new Uint8Array(4);
  new DataView(index.buffer).setUint32(0, vout, true);
  return txid + bytesToHex(index);
}

export class Ledger {
  readonly blocks: LedgerBlock[] = [{ height: 0, hash: hash('genesis'), parent: '00'.repeat(32), time: 0, txs: [] }];
  private mempool: LedgerTx[] = [];
  private readonly unspent = new Map<string, LedgerTxOutput>();
  private readonly spentBy = new Map<string, string>();
  private readonly confirmedAt = new Map<string, number>();
  private deposits = 0;

  get tip(): LedgerBlock {
    return this.blocks[this.blocks.length - 1]!;
  }

  /** Mines one block of every transaction waiting; its time is the wall clock (seconds), never below its parent's. */
  mine(): LedgerBlock {
    const parent = this.tip;
    const txs = this.mempool;
    this.mempool = [];
    const block: LedgerBlock = {
      height: parent.height + 1,
      parent: parent.hash,
      time: Math.max(parent.time, Math.floor(Date.now() / 1000)),
      hash: hash('block', String(parent.height + 1), parent.hash, ...txs.map((tx) => tx.txid)),
      txs,
    };
    for (const tx of txs) {
      for (const input of tx.inputs) this.unspent.delete(input.id);
      tx.outputs.forEach((output, vout) => this.unspent.set(outputId(tx.txid, vout), output));
      this.confirmedAt.set(tx.txid, block.height);
    }
    this.blocks.push(block);
    return block;
  }

  /** Coins from outside (a faucet) to `to`, with InInstruction data. */
  deposit(options: { from: string; to: string; amount: bigint; data: Uint8Array }): LedgerTx {
    const tx: LedgerTx = {
      txid: hash('deposit', String(this.deposits++), options.from, options.to, options.amount.toString()),
      inputs: [],
      outputs: [{ address: options.to, amount: options.amount }],
      data: bytesToHex(options.data),
      from: options.from,
    };
    this.mempool.push(tx);
    return tx;
  }

  /** Takes a signed spend into the mempool, or says why not. */
  submit(tx: LedgerTx): 'published' | 'already-in-mempool' | 'already-confirmed' {
    if (this.confirmedAt.has(tx.txid)) return 'already-confirmed';
    if (this.mempool.some((m) => m.txid === tx.txid)) return 'already-in-mempool';
    if (tx.txid !== spendTxid(tx)) throw new LedgerRejection(`txid ${tx.txid} is not the hash of its content`);
    if (!tx.key || !tx.signature || !ed25519.verify(hexToBytes(tx.signature), spendMessage(tx.txid), hexToBytes(tx.key))) {
      throw new LedgerRejection(`transaction ${tx.txid}: the signature does not verify`);
    }
    let value = 0n;
    for (const input of tx.inputs) {
      const output = this.unspent.get(input.id);
      if (!output) throw new LedgerRejection(`input ${input.id} is not unspent`);
      if (output.address !== ledgerAddress(tx.key, input.kind)) throw new LedgerRejection(`input ${input.id} does not belong to the signing key`);
      const other = this.spentBy.get(input.id);
      if (other !== undefined) throw new LedgerRejection(`input ${input.id} is spent by ${other} in the mempool`);
      value += output.amount;
    }
    const paid = tx.outputs.reduce((sum, o) => sum + o.amount, 0n);
    if (paid > value) throw new LedgerRejection(`transaction ${tx.txid} pays ${paid}, more than its inputs' ${value}`);
    for (const input of tx.inputs) this.spentBy.set(input.id, tx.txid);
    this.mempool.push(tx);
    return 'published';
  }

  /** The unspent confirmed outputs paying `address`. */
  unspentTo(address: string): { id: string; amount: bigint }[] {
    return [...this.unspent.entries()].filter(([, output]) => output.address === address).map(([id, output]) => ({ id, amount: output.amount }));
  }

  isUnspent(id: string): boolean {
    return this.unspent.has(id) && !this.spentBy.has(id);
  }

  confirmations(txid: string): number {
    const height = this.confirmedAt.get(txid);
    return height === undefined ? 0 : this.tip.height - height + 1;
  }

  heightOf(txid: string): number | undefined {
    return this.confirmedAt.get(txid);
  }

  /** Every confirmed output paying `address`. */
  paidTo(address: string): { txid: string; amount: bigint }[] {
    return this.blocks.flatMap((block) => block.txs.flatMap((tx) => tx.outputs.filter((o) => o.address === address).map((o) => ({ txid: tx.txid, amount: o.amount }))));
  }
}
