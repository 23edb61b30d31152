/**
 * Scanning throughput on btcd regtest: mines B blocks of T deposit transactions each (default
 * 200 x 200; every transaction pays a 3-of-4 key's External script with its own Shorthand
 * OP_RETURN), then times
 *   - the floor: the raw blocks fetched from the same node one at a time, nothing parsed,
 *   - the scanner path: pollScanner over all of them (chain view, raw block RPC, parse, merkle
 *     check, match, presumed origins, deposit outcomes), and
 *   - its parts over blocks already fetched, one block at a time: parsing, txids with the merkle
 *     root check, and the pure scan (depositOrigins, scanBlock, depositOutcomes).
 *
 *   npx tsx bench/bitcoin-scan.ts            # 200 blocks x 200 transactions
 *   npx tsx bench/bitcoin-scan.ts 20 50      # other sizes
 *
 * Funding: coinbases are fanned out into many outputs (2 000 per transaction), and each deposit
 * spends one of them, so all deposits' origins lie in a few funding transactions (fetched once and
 * cached). The benchmark also measures one getrawtransaction round trip, the extra cost per deposit
 * when every origin is a different transaction.
 */
import { schnorr_FROST } from '@noble/curves/secp256k1.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { Block, type Transaction } from 'bitcoinjs-lib';
import type { z } from 'zod';

import { startBtcd, type BtcdNode } from '../nodes/btcd';
import { encodeShorthand } from '../messages/shorthand';
import { BitcoinNetwork } from '../networks/bitcoin/chain';
import { depositOutcomes } from '../networks/bitcoin/instructions';
import { outputKeySet } from '../networks/bitcoin/keys';
import { BitcoinRpc, type CallOptions } from '../networks/bitcoin/rpc';
import { depositOrigins, scanBlock, WatchedScripts } from '../networks/bitcoin/scan';
import { initialScanState } from '../networks/finality';
import { blockTransactionIds } from '../networks/bitcoin/scan-txids';
import { pollScanner } from '../networks/bitcoin/feed';
import { opReturn, RegtestWallet, type Utxo } from '../test/support/bitcoin-wallet';

const FAN_OUT = 2_000;
const DEPOSIT = 20_000n;
const DEPOSIT_TX_FEE = 2_000n;
const FAN_OUT_FEE = 200_000n;
const SEND_CONCURRENCY = 8;

export interface ScanBenchOptions {
  blocks: number;
  transactionsPerBlock: number;
}

export interface Throughput {
  ms: number;
  blocksPerSecond: number;
  transactionsPerSecond: number;
}

export interface ScanBenchResult {
  blocks: number;
  transactions: number;
  depositsFound: number;
  prepareMs: number;
  /** The raw block fetch alone (getblockhash + getblock verbosity 0 per block): what no scanner of this node beats. */
  fetchFloor: Throughput;
  /** pollScanner over every block: RPC, parse, merkle check, match, origins, outcomes. */
  scanner: Throughput & { rpcCalls: Record<string, number> };
  /** depositOrigins + scanBlock + depositOutcomes over parsed blocks whose txids are known. */
  pureScan: Throughput;
  /** Block.fromHex alone. */
  parse: Throughput;
  /** Txids and the merkle root check (blockTransactionIds). */
  txids: Throughput;
  /** One getrawtransaction round trip (mean over the sample), in ms. */
  getRawTransactionMs: number;
}

class CountingRpc extends BitcoinRpc {
  readonly calls: Record<string, number> = {};
  override call<Schema extends z.ZodType>(method: string, params: readonly unknown[], schema: Schema, options?: CallOptions): Promise<z.output<Schema>> {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    return super.call(method, params, schema, options);
  }
}

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function throughput(ms: number, blocks: number, transactions: number): Throughput {
  return { ms, blocksPerSecond: (blocks * 1000) / ms, transactionsPerSecond: (transactions * 1000) / ms };
}

/** Funds `count` outputs worth one deposit and its fee each, from coinbases fanned out 2 000 ways. */
async function fundDeposits(node: BtcdNode, wallet: RegtestWallet, count: number): Promise<Utxo[]> {
  const key = node.miningKey;
  if (!key) throw new Error('expected a generated mining key');
  const fanOuts = Math.ceil(count / FAN_OUT);
  const coinbases = await wallet.coinbases(1, fanOuts);
  const outputs = Array.from({ length: FAN_OUT }, () => ({ script: key.outputScript, value: DEPOSIT + DEPOSIT_TX_FEE }));
  const funding = coinbases.map((coinbase) => wallet.pay([coinbase], outputs, FAN_OUT_FEE, key));
  for (const tx of funding) await wallet.send(tx);
  while ((await node.rpc.getRawMempool()).length > 0) await node.mine(1);
  return funding.flatMap((tx) => wallet.ownOutputs(tx).filter((utxo) => utxo.value === DEPOSIT + DEPOSIT_TX_FEE)).slice(0, count);
}

/** Mines the benchmark's blocks; returns the height of the first. */
async function mineDepositBlocks(node: BtcdNode, options: ScanBenchOptions, externalScript: Uint8Array): Promise<number> {
  const key = node.miningKey;
  if (!key) throw new Error('expected a generated mining key');
  const wallet = new RegtestWallet(node, [key]);
  const utxos = await fundDeposits(node, wallet, options.blocks * options.transactionsPerBlock);
  const first = (await node.rpc.getBlockCount()) + 1;
  for (let block = 0; block < options.blocks; block++) {
    const txs: Transaction[] = [];
    for (let i = 0; i < options.transactionsPerBlock; i++) {
      const utxo = utxos[block * options.transactionsPerBlock + i] as Utxo;
      const address = (block * options.transactionsPerBlock + i).toString(16).padStart(64, '0');
      const data = encodeShorthand({ kind: 'Raw', origin: null, instruction: { kind: 'Transfer', address } });
      txs.push(wallet.build([utxo], [{ script: externalScript, value: DEPOSIT }, { script: opReturn(data), value: 0n }]));
    }
    await forEachLimit(txs, SEND_CONCURRENCY, (tx) => wallet.send(tx));
    const [hash = ''] = await node.mine(1);
    const mined = (await node.rpc.getBlock(hash)).tx.length - 1;
    if (mined !== options.transactionsPerBlock) throw new Error(`block ${hash} holds ${mined} transactions, expected ${options.transactionsPerBlock}`);
  }
  return first;
}

export async function runScanBenchmark(options: ScanBenchOptions): Promise<ScanBenchResult> {
  const node = await startBtcd();
  try {
    const keys = outputKeySet(0, schnorr_FROST.trustedDealer({ min: 3, max: 4 }).public);
    const prepareStart = performance.now();
    await node.activateSoftForks();
    const first = await mineDepositBlocks(node, options, hexToBytes(keys.scripts.external));
    const prepareMs = performance.now() - prepareStart;
    const last = first + options.blocks - 1;
    const transactions = options.blocks * options.transactionsPerBlock;

    // The floor: every block's raw bytes from the same node, one block at a time as the scanner
    // asks for them (getblockhash, then getblock at verbosity 0), nothing parsed.
    const fetchStart = performance.now();
    const hexes: string[] = [];
    for (let height = first; height <= last; height++) hexes.push(await node.rpc.getBlockHex(await node.rpc.getBlockHash(height)));
    const fetchFloor = throughput(performance.now() - fetchStart, options.blocks, transactions);

    // The scanner path, from a cold BitcoinNetwork; every block is final with one confirmation.
    const rpc = new CountingRpc(node.rpcCredentials);
    const network = new BitcoinNetwork(rpc, { confirmations: 1 });
    const scanStart = performance.now();
    let state = initialScanState({ confirmations: 1, startHeight: first });
    let depositsFound = 0;
    while (state.nextHeight <= last) {
      const poll = await pollScanner(network, state, [keys]);
      state = poll.state;
      depositsFound += poll.blocks.reduce((sum, block) => sum + block.deposits.filter((outcome) => outcome.kind === 'instruction').length, 0);
    }
    const scanner = { ...throughput(performance.now() - scanStart, options.blocks, transactions), rpcCalls: rpc.calls };
    if (depositsFound !== transactions) throw new Error(`found ${depositsFound} deposits, expected ${transactions}`);

    // The pure parts, over the blocks the floor fetched.
    // One block at a time, as the scanner holds them.
    const watched = new WatchedScripts([keys]);
    const origin = node.miningKey?.outputScript ?? new Uint8Array();
    const elapsed = { parse: 0, txids: 0, pure: 0 };
    let pureFound = 0;
    for (const hex of hexes) {
      const t0 = performance.now();
      const block = Block.fromHex(hex);
      const t1 = performance.now();
      const ids = blockTransactionIds(block);
      const t2 = performance.now();
      // Every deposit here spends an output of the mining key.
      const origins = depositOrigins(block, watched);
      pureFound += depositOutcomes(scanBlock(block, watched, () => origin, ids.txids)).length;
      const t3 = performance.now();
      if (!ids.matchesHeader || origins.length !== options.transactionsPerBlock) throw new Error(`block ${block.getId()} is not what was mined`);
      elapsed.parse += t1 - t0;
      elapsed.txids += t2 - t1;
      elapsed.pure += t3 - t2;
    }
    if (pureFound !== transactions) throw new Error(`the pure scan found ${pureFound} deposits, expected ${transactions}`);
    const parse = throughput(elapsed.parse, options.blocks, transactions);
    const txids = throughput(elapsed.txids, options.blocks, transactions);
    const pureScan = throughput(elapsed.pure, options.blocks, transactions);

    const sampleTxids = (await node.rpc.getBlock(await node.rpc.getBlockHash(first))).tx.slice(1, 101);
    const lookupStart = performance.now();
    for (const txid of sampleTxids) await node.rpc.getRawTransactionHex(txid);
    const getRawTransactionMs = (performance.now() - lookupStart) / sampleTxids.length;

    return { blocks: options.blocks, transactions, depositsFound, prepareMs, fetchFloor, scanner, pureScan, parse, txids, getRawTransactionMs };
  } finally {
    await node.stop();
  }
}

function format(name: string, figures: Throughput): string {
  return `${name.padEnd(42)} ${figures.ms.toFixed(0).padStart(7)} ms  ${figures.blocksPerSecond.toFixed(1).padStart(8)} blocks/s  ${figures.transactionsPerSecond.toFixed(0).padStart(9)} tx/s`;
}

async function main(): Promise<void> {
  const [blocks = 200, transactionsPerBlock = 200] = process.argv.slice(2).map(Number);
  const result = await runScanBenchmark({ blocks, transactionsPerBlock });
  console.log(`btcd regtest: ${result.blocks} blocks x ${transactionsPerBlock} deposit transactions (${result.transactions} deposits), prepared in ${(result.prepareMs / 1000).toFixed(1)} s`);
  console.log(format('raw block fetch floor (getblock, no parse)', result.fetchFloor));
  console.log(`${format('scanner (pollScanner over btcd RPC)', result.scanner)}  ${(result.scanner.ms / result.fetchFloor.ms).toFixed(2)}x the floor`);
  console.log(format('  parse only (Block.fromHex)', result.parse));
  console.log(format('  txids + merkle root check', result.txids));
  console.log(format('  pure scan (origins, scanBlock, outcomes)', result.pureScan));
  console.log(`RPC calls during the scan: ${JSON.stringify(result.scanner.rpcCalls)}`);
  console.log(`getrawtransaction round trip: ${result.getRawTransactionMs.toFixed(2)} ms (added per deposit whose origin is a transaction not yet seen)`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
