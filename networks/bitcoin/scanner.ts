/**
 * One poll of a Bitcoin scanner: read the chain view the finality tracker needs, advance it, and
 * scan the blocks that became final. The scanner workflow runs these steps as activities around
 * the pure `advance`; this function strings them together for tests, tools and benchmarks.
 */
import type { BlockRef, OutputKeySet } from '../network';
import type { BitcoinNetwork } from './chain';
import { depositOutcomes, type DepositOutcome } from './instructions';
import { WatchedScripts, type ScannedOutput } from './scan';
import { advance, viewStart, type Advance, type ScanState } from './scan-state';

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

/** Throws FinalizedReorgError (halt) or InconsistentChainViewError (poll again). */
export async function pollScanner(network: BitcoinNetwork, state: ScanState, keys: readonly OutputKeySet[]): Promise<Poll> {
  const view = await network.chainView(viewStart(state));
  const next = advance(state, view);
  const watched = new WatchedScripts(keys);
  const blocks: ScannedBlock[] = [];
  for (const block of next.final) {
    const outputs = await network.outputsOfWatched(block, watched);
    blocks.push({ block, outputs, deposits: depositOutcomes(outputs) });
  }
  return { state: next.state, blocks, followedReorg: next.followedReorg };
}
