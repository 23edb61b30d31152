/**
 * Ethereum's feed behind the chain seam: blocks, finality, and the Router's deposits.
 *
 * Finality is the chain's own: a block is final once the node's `finalized` tag has reached it
 * (reference ethereum-router.md 7.2; Serai reads the same tag, then rounds down to 32-block epochs,
 * which only delays it). The finality tracker sees the finalized block as the tip with one
 * confirmation, so nothing above it is ever read or reported: a reorg above it changes nothing
 * reported, and one that replaces a reported block halts the scanner (FinalizedReorgError).
 *
 * A final block's deposits are the Router's `InInstruction` events in it, read by block hash (so a
 * reorg between the header and the logs cannot mix two chains), each decided by
 * `routerDepositOutcome`: credited (an output in Serai's units, of its coin), refunded, or reported.
 * A node's failure is thrown as ethers reports it: the activity retries.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { getBytes, type JsonRpcProvider } from 'ethers';
import type { ChainFeed, FeedPoll, FinalBlock, FoundOutput, TimedKeySet } from '../chain';
import { advance, InconsistentChainViewError, viewStart, type ScanState } from '../finality';
import type { BlockRef } from '../network';
import { routerDepositOutcome, type RouterCoin } from './deposits';
import { routerInterface } from './router';

/** Blocks read in one poll at most; a scanner far behind catches up over several polls. */
const MAX_VIEW_BLOCKS = 128;
const IN_INSTRUCTION = routerInterface.getEvent('InInstruction')!.topicHash;

export interface EthereumFeedOptions {
  provider: JsonRpcProvider;
  /** The Router the keys' deposits go to, or null while it is not deployed (nothing is credited before). */
  router(keys: readonly TimedKeySet[]): Promise<string | null>;
  /** The coins the Router holds for Serai, by address (lowercase 0x hex; address(0) for ETH). */
  coins: ReadonlyMap<string, RouterCoin>;
  /** Priority fee added to twice the base fee, in wei, for the fee per gas plans are made at. Default 1 gwei. */
  priorityFee?: bigint;
}

export function ethereumFeed(options: EthereumFeedOptions): ChainFeed {
  const { provider, coins } = options;
  const priorityFee = options.priorityFee ?? 1_000_000_000n;

  async function blockAt(tag: number | string): Promise<BlockRef & { baseFee: bigint | null }> {
    const block = await provider.getBlock(tag);
    if (block === null || block.hash === null || block.number === null) throw new InconsistentChainViewError(typeof tag === 'number' ? tag : null, `the node has no block ${tag}`);
    return { height: block.number, hash: strip(block.hash), parent: strip(block.parentHash), time: block.timestamp, baseFee: block.baseFeePerGas };
  }

  async function depositsOf(block: BlockRef, router: string): Promise<Pick<FinalBlock, 'outputs' | 'deposits'>> {
    const logs = await provider.getLogs({ address: router, blockHash: `0x${block.hash}`, topics: [IN_INSTRUCTION] });
    const outputs: FoundOutput[] = [];
    const deposits: FinalBlock['deposits'] = [];
    for (const log of [...logs].sort((a, b) => a.index - b.index)) {
      if (log.removed || strip(log.blockHash) !== block.hash) throw new InconsistentChainViewError(block.height, `log ${log.transactionHash}:${log.index} is not of block ${block.hash}`);
      const event = routerInterface.parseLog(log)!;
      const id = `${strip(log.transactionHash)}:${log.index}`;
      const { outcome } = routerDepositOutcome(
        { id, from: event.args.from as string, coin: event.args.coin as string, amount: (event.args.amount as bigint).toString(), instruction: event.args.instruction as string },
        coins,
      );
      deposits.push(outcome);
      const credited = outcome.kind === 'instruction' ? outcome.instruction.balance : outcome.kind === 'refund' ? { coin: coins.get((event.args.coin as string).toLowerCase())!.coin, amount: outcome.refund.amount } : null;
      if (credited !== null) outputs.push({ txid: strip(log.transactionHash), vout: log.index, kind: 'external', amount: credited.amount, coin: credited.coin });
    }
    return { outputs, deposits };
  }

  return {
    async tip() {
      const block = await blockAt('latest');
      return { height: block.height, hash: block.hash };
    },

    /** The first block whose timestamp reaches `activeFrom` (timestamps only increase), or the block after the latest. */
    async activationSearchStart(activeFrom) {
      const latest = await blockAt('latest');
      if (latest.time < activeFrom) return latest.height + 1;
      let low = 0;
      let high = latest.height;
      while (low < high) {
        const middle = Math.floor((low + high) / 2);
        if ((await blockAt(middle)).time >= activeFrom) high = middle;
        else low = middle + 1;
      }
      return low;
    },

    async poll(state: ScanState, keys: readonly TimedKeySet[], upTo?: number): Promise<FeedPoll> {
      const finalized = await blockAt('finalized');
      const start = viewStart(state);
      const end = Math.min(finalized.height, start + MAX_VIEW_BLOCKS - 1);
      const blocks: BlockRef[] = [];
      for (let height = start; height <= end; height++) {
        const { baseFee: _, ...block } = height === finalized.height ? finalized : await blockAt(height);
        blocks.push(block);
      }
      // The finalized block is the tip the tracker sees, with one confirmation: nothing above it is final.
      const next = advance({ ...state, confirmations: 1 }, { tip: end, blocks }, upTo);
      const router = next.final.length === 0 ? null : await options.router(keys);
      const final: FinalBlock[] = [];
      for (const block of next.final) {
        const active = keys.some((key) => key.activeFrom === undefined || block.time >= key.activeFrom);
        const found = active && router !== null ? await depositsOf(block, router) : { outputs: [], deposits: [] };
        final.push({ block: { height: block.height, hash: block.hash, time: block.time }, ...found });
      }
      return { state: { ...next.state, confirmations: state.confirmations }, blocks: final, followedReorg: next.followedReorg };
    },

    /** An account chain has no outputs to spend: the Router's balances are read instead. */
    async spentOutputs() {
      return [];
    },

    /** Twice the agreed block's base fee plus the priority fee, in wei per gas. */
    async feeRateAt(blockHash) {
      const block = await blockAt(`0x${blockHash}`);
      const rate = 2n * (block.baseFee ?? 0n) + priorityFee;
      if (rate > BigInt(Number.MAX_SAFE_INTEGER)) throw new InconsistentChainViewError(block.height, `a fee per gas of ${rate} wei`);
      return Number(rate);
    },
  };
}

const strip = (hash: string): string => bytesToHex(getBytes(hash));
