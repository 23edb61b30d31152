/**
 * The Bitcoin network over a btcd node: chain heights and views, the
 * outputs of a block paying our keys, and the fee rate. A thin adapter: what it reads goes
 * through the pure cores in scan.ts, scan-state.ts and fee-rate.ts.
 *
 * Needs btcd with --txindex (presumed origins and fee rates read spent transactions).
 */
import { Block, Transaction } from 'bitcoinjs-lib';

import type { BlockRef, Eventuality, OutputKeySet, PublishOutcome } from '../network';
import { completion as eventualityCompletion } from './eventuality';
import { publish as publishTransaction } from './publish';
import { DEFAULT_FEE_RATE_BLOCKS, DEFAULT_FEE_RATE_SAMPLES_PER_BLOCK, feeRateOf, feeSample, sampleTransactions, spentOutpoints } from './fee-rate';
import type { BitcoinRpc } from './rpc';
import { isNotInMainChain } from './rpc-errors';
import { depositOrigins, scanBlock, WatchedScripts, type Outpoint, type ScannedOutput } from './scan';
import { InconsistentChainViewError, type ChainView } from '../finality';
import { blockTransactionIds } from './scan-txids';

/** `CONFIRMATIONS` (reference section 5). */
export const BITCOIN_CONFIRMATIONS = 6;
/** BIP113: a block's time is the median of its own and its 10 predecessors' timestamps. */
const MEDIAN_TIME_SPAN = 11;
const GENESIS_PARENT = '00'.repeat(32);

export interface BitcoinNetworkOptions {
  confirmations?: number;
  /** Blocks the fee rate is taken from. */
  feeRateBlocks?: number;
  /** Transactions sampled per block for the fee rate. */
  feeRateSamplesPerBlock?: number;
  /** The most blocks one chain view fetches. */
  maxViewBlocks?: number;
  /** Concurrent RPC calls per operation. */
  rpcConcurrency?: number;
  /** Headers and spent transactions kept in memory. */
  cacheEntries?: number;
}

export class BlockMismatchError extends Error {
  override readonly name = 'BlockMismatchError';
  constructor(
    readonly expected: string,
    reason: string,
  ) {
    super(`block ${expected}: ${reason}`);
  }
}

export class PrevoutNotFoundError extends Error {
  override readonly name = 'PrevoutNotFoundError';
  constructor(readonly outpoint: Outpoint) {
    super(`the node's transaction ${outpoint.txid} has no output ${outpoint.vout}`);
  }
}

interface ParsedBlock {
  block: Block;
  /** In block order, checked against the header's merkle root. */
  txids: string[];
}

interface Header {
  hash: string;
  height: number;
  parent: string;
  timestamp: number;
}

/** A Map that forgets its oldest entries beyond `capacity`. */
class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Forgets `key`, but only while it still maps to `value`. */
  delete(key: K, value: V): void {
    if (this.entries.get(key) === value) this.entries.delete(key);
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export class BitcoinNetwork {
  readonly name = 'bitcoin' as const;
  readonly confirmations: number;
  private readonly feeRateBlocks: number;
  private readonly feeRateSamplesPerBlock: number;
  private readonly maxViewBlocks: number;
  private readonly concurrency: number;
  private readonly headers: BoundedCache<string, Promise<Header>>;
  private readonly transactions: BoundedCache<string, Transaction['outs']>;
  private feeRateByTip: { tip: string; rate: Promise<number> } | undefined;

  constructor(
    readonly rpc: BitcoinRpc,
    options: BitcoinNetworkOptions = {},
  ) {
    this.confirmations = options.confirmations ?? BITCOIN_CONFIRMATIONS;
    this.feeRateBlocks = options.feeRateBlocks ?? DEFAULT_FEE_RATE_BLOCKS;
    this.feeRateSamplesPerBlock = options.feeRateSamplesPerBlock ?? DEFAULT_FEE_RATE_SAMPLES_PER_BLOCK;
    this.maxViewBlocks = options.maxViewBlocks ?? 500;
    this.concurrency = options.rpcConcurrency ?? 8;
    const cacheEntries = options.cacheEntries ?? 10_000;
    this.headers = new BoundedCache(cacheEntries);
    this.transactions = new BoundedCache(cacheEntries);
  }

  latestBlockNumber(): Promise<number> {
    return this.rpc.getBlockCount();
  }

  async blockAt(height: number): Promise<BlockRef> {
    const header = await this.header(await this.rpc.getBlockHash(height));
    return this.blockRef(header);
  }

  /**
   * The best chain from `from` up to the tip (at most maxViewBlocks of it), for the finality
   * tracker. Throws InconsistentChainViewError when the node reorganized while it was read.
   */
  async chainView(from: number): Promise<ChainView> {
    const tip = await this.rpc.getBlockCount();
    if (from > tip) return { tip, blocks: [] };
    const upTo = Math.min(tip, from + this.maxViewBlocks - 1);
    const heights = Array.from({ length: upTo - from + 1 }, (_, i) => from + i);
    const hashes = await mapLimit(heights, this.concurrency, (height) => this.rpc.getBlockHash(height));
    const headers = await mapLimit(hashes, this.concurrency, (hash) => this.header(hash));
    for (const [i, header] of headers.entries()) {
      if (header.height !== from + i) throw new InconsistentChainViewError(from + i, `the node's block ${header.hash} is at height ${header.height}`);
    }
    const blocks = await mapLimit(headers, this.concurrency, (header) => this.blockRef(header));
    return { tip, blocks };
  }

  /** The outputs of `block` paying any of `keys`, dust dropped, with data and presumed origins. */
  async outputsOf(block: BlockRef, keys: readonly OutputKeySet[]): Promise<ScannedOutput[]> {
    return this.outputsOfWatched(block, new WatchedScripts(keys));
  }

  /** outputsOf with the keys indexed once, for scanning many blocks against the same keys. */
  async outputsOfWatched(block: BlockRef, watched: WatchedScripts): Promise<ScannedOutput[]> {
    const parsed = await this.rawBlock(block.hash);
    const origins = depositOrigins(parsed.block, watched);
    const scripts = await this.prevouts([parsed], origins);
    return scanBlock(parsed.block, watched, (outpoint) => scripts.get(key(outpoint))?.script, parsed.txids);
  }

  /** Sat/vB to build with: recomputed when the tip changes, see fee-rate.ts for the method. */
  /** Publishes a signed transaction; already-in-mempool, already-confirmed and conflicts are outcomes, not errors. */
  publish(rawTransaction: string): Promise<PublishOutcome> {
    return publishTransaction(this.rpc, rawTransaction);
  }

  /** Whether the eventuality's transaction is on the best chain with `confirmations`. */
  completion(eventuality: Eventuality): Promise<{ completed: boolean; claim?: string; height?: number }> {
    return eventualityCompletion(this.rpc, eventuality, this.confirmations);
  }

  async feeRate(): Promise<number> {
    const tip = await this.rpc.getBestBlockHash();
    if (this.feeRateByTip?.tip !== tip) {
      const rate = this.computeFeeRate(tip);
      this.feeRateByTip = { tip, rate };
      rate.catch(() => {
        if (this.feeRateByTip?.rate === rate) this.feeRateByTip = undefined;
      });
    }
    return this.feeRateByTip.rate;
  }

  /** Sat/vB as read from the blocks ending at `hash`: the same answer on every node with that block. */
  feeRateAt(hash: string): Promise<number> {
    return this.computeFeeRate(hash);
  }

  private async computeFeeRate(tip: string): Promise<number> {
    const hashes: string[] = [];
    let hash = tip;
    while (hashes.length < this.feeRateBlocks && hash !== GENESIS_PARENT) {
      hashes.push(hash);
      hash = (await this.header(hash)).parent;
    }
    const blocks = await mapLimit(hashes, this.concurrency, (blockHash) => this.rawBlock(blockHash));
    const sampled = blocks.flatMap(({ block }) => sampleTransactions(block, this.feeRateSamplesPerBlock));
    const values = await this.prevouts(blocks, sampled.flatMap(spentOutpoints));
    return feeRateOf(sampled.map((tx) => feeSample(tx, (outpoint) => values.get(key(outpoint))?.value)));
  }

  private async rawBlock(hash: string): Promise<ParsedBlock> {
    const block = Block.fromHex(await this.rpc.getBlockHex(hash));
    if (block.getId() !== hash) throw new BlockMismatchError(hash, `the node returned block ${block.getId()}`);
    const { txids, matchesHeader } = blockTransactionIds(block);
    if (!matchesHeader) throw new BlockMismatchError(hash, 'its transactions do not match its merkle root');
    return { block, txids };
  }

  /** The outputs at `outpoints`, from `local` blocks when they hold them, else the node's txindex. */
  private async prevouts(local: readonly ParsedBlock[], outpoints: readonly Outpoint[]): Promise<Map<string, Transaction['outs'][number]>> {
    const found = new Map<string, Transaction['outs'][number]>();
    if (outpoints.length === 0) return found;
    const inBlocks = new Map<string, Transaction['outs']>();
    for (const { block, txids } of local) {
      for (const [index, tx] of (block.transactions ?? []).entries()) inBlocks.set(txids[index] as string, tx.outs);
    }
    const missing = [...new Set(outpoints.map((outpoint) => outpoint.txid))].filter((txid) => !inBlocks.has(txid));
    const fetched = await mapLimit(missing, this.concurrency, (txid) => this.transactionOutputs(txid));
    for (const [i, txid] of missing.entries()) inBlocks.set(txid, fetched[i] as Transaction['outs']);
    for (const outpoint of outpoints) {
      const out = inBlocks.get(outpoint.txid)?.[outpoint.vout];
      if (out === undefined) throw new PrevoutNotFoundError(outpoint);
      found.set(key(outpoint), out);
    }
    return found;
  }

  private async transactionOutputs(txid: string): Promise<Transaction['outs']> {
    const cached = this.transactions.get(txid);
    if (cached) return cached;
    const tx = Transaction.fromHex(await this.rpc.getRawTransactionHex(txid));
    if (tx.getId() !== txid) throw new BlockMismatchError(txid, `the node returned transaction ${tx.getId()}`);
    this.transactions.set(txid, tx.outs);
    return tx.outs;
  }

  /** Headers are immutable per hash; concurrent requests for one share its RPC call. */
  private header(hash: string): Promise<Header> {
    const cached = this.headers.get(hash);
    if (cached) return cached;
    const header = this.fetchHeader(hash);
    this.headers.set(hash, header);
    header.catch(() => this.headers.delete(hash, header));
    return header;
  }

  private async fetchHeader(hash: string): Promise<Header> {
    try {
      const info = await this.rpc.getBlockHeader(hash);
      return { hash, height: info.height, parent: info.previousblockhash ?? GENESIS_PARENT, timestamp: info.time };
    } catch (error) {
      if (isNotInMainChain(error)) throw new InconsistentChainViewError(null, `block ${hash} left the best chain while it was read`);
      throw error;
    }
  }

  private async blockRef(header: Header): Promise<BlockRef> {
    const times = [header.timestamp];
    let cursor = header;
    while (times.length < MEDIAN_TIME_SPAN && cursor.parent !== GENESIS_PARENT) {
      cursor = await this.header(cursor.parent);
      times.push(cursor.timestamp);
    }
    times.sort((a, b) => a - b);
    return { hash: header.hash, height: header.height, parent: header.parent, time: times[Math.floor(times.length / 2)] as number };
  }
}

function key(outpoint: Outpoint): string {
  return `${outpoint.txid}:${outpoint.vout}`;
}
