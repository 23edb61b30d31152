/**
 * One poll of a Bitcoin scanner: read the chain view the finality tracker needs, advance it, and
 * scan the blocks that became final. The scanner workflow runs this as one activity around the
 * pure `advance`; tools and benchmarks call it directly.
 */
import type { BlockRef, OutputKeySet } from '../network';
import type { BitcoinNetwork } from './chain';
import { depositOutcomes, type DepositOutcome } from './instructions';
import { WatchedScripts, type ScannedOutput } from './scan';
import { advance, viewStart, type Advance, type ScanState } from '../finality';

export interface ScannedBlock {
  block: BlockRef;
  outputs: ScannedOutput[];
  /** What each External output asks for: an InInstruction, a refund, or unusable. */
  deposits: DepositOutcome[];
}

export interface Poll {
  state: ScanState;
  blocks: ScannedBlock[];
  followedReorg: Advance['followedReorg'];
}

/** A key set the scanner watches from the first block whose median time past reaches `activeFrom` (seconds). */
export interface TimedKeySet extends OutputKeySet {
  activeFrom?: number;
}

export interface PollOptions {
  /** Report no block above this height (the scanner waits for a Batch acknowledgement). */
  upTo?: number;
}

/** Throws FinalizedReorgError (halt) or InconsistentChainViewError (poll again). */
export async function pollScanner(network: BitcoinNetwork, state: ScanState, keys: readonly TimedKeySet[], options: PollOptions = {}): Promise<Poll> {
  const view = await network.chainView(viewStart(state));
  const next = advance(state, view, options.upTo);
  const blocks: ScannedBlock[] = [];
  for (const block of next.final) {
    const active = keys.filter((key) => key.activeFrom === undefined || block.time >= key.activeFrom);
    const outputs = active.length === 0 ? [] : await network.outputsOfWatched(block, new WatchedScripts(active));
    blocks.push({ block, outputs, deposits: depositOutcomes(outputs) });
  }
  return { state: next.state, blocks, followedReorg: next.followedReorg };
}
