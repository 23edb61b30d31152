/**
 * The finality tracker of a scanner: which blocks are final and reported, and what to do with the
 * node's current view of its chain. Pure, deterministic and plain JSON, so a workflow can hold it
 * across continue-as-new.
 *
 * A block at height h is final once the tip is at h + confirmations - 1 (it has `confirmations`
 * confirmations, itself included). A reorg that only replaces blocks above finality is followed:
 * nothing reported changes. A reorg that replaces a reported block halts with a
 * FinalizedReorgError: acting on a different history needs an operator (reference section 6.14).
 */
import type { BlockRef } from './network';

export interface BlockId {
  height: number;
  hash: string;
}

export interface ScanState {
  confirmations: number;
  /** How many of the latest reported blocks are remembered to detect reorgs of them. */
  memory: number;
  /** Every block below this height is reported. */
  nextHeight: number;
  /** The latest reported blocks, ascending and contiguous, ending at nextHeight - 1. */
  reported: BlockId[];
  /** The not yet final blocks of the last view, ascending, to notice reorgs above finality. */
  unfinal: BlockId[];
}

/** The node's chain from a height to the highest block the caller fetched (at most the tip). */
export interface ChainView {
  tip: number;
  /** Contiguous by height and linked by parent hash. */
  blocks: readonly BlockRef[];
}

export interface Advance {
  state: ScanState;
  /** Blocks that became final, ascending: report them, in order. */
  final: BlockRef[];
  /** The deepest replaced block of a reorg above finality since the last view, if any. */
  followedReorg: { height: number; replaced: string; by: string | null } | null;
}

export class ScanStateError extends Error {
  static readonly type = 'ScanStateError';
  override readonly name = ScanStateError.type;
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`scan state: ${field}: ${reason}`);
  }
}

/** The view is not one chain (the node reorganized while it was read): read it again. */
export class InconsistentChainViewError extends Error {
  override readonly name = 'InconsistentChainViewError';
  readonly retryable = true;
  constructor(
    /** The height where the view broke, when known. */
    readonly height: number | null,
    reason: string,
  ) {
    super(`chain view${height === null ? '' : ` at height ${height}`}: ${reason}`);
  }
}

/** A reorg replaced a block this scanner reported as final. Never retryable. */
export class FinalizedReorgError extends Error {
  static readonly type = 'FinalizedReorgError';
  override readonly name = FinalizedReorgError.type;
  readonly retryable = false;
  constructor(
    readonly height: number,
    readonly reportedHash: string,
    readonly newHash: string,
    /** True when every remembered reported block was replaced: the fork may be deeper still. */
    readonly atLeast: boolean,
  ) {
    super(
      `reorg of a final block at height ${height}${atLeast ? ' (or deeper)' : ''}: ` +
        `reported ${reportedHash}, the node's chain now has ${newHash}; scanning halted`,
    );
  }
}

export const DEFAULT_MEMORY_FACTOR = 2;

export function initialScanState(options: { confirmations: number; startHeight: number; memory?: number }): ScanState {
  const { confirmations, startHeight } = options;
  const memory = options.memory ?? DEFAULT_MEMORY_FACTOR * confirmations;
  if (!Number.isSafeInteger(confirmations) || confirmations < 1) throw new ScanStateError('confirmations', 'expected an integer >= 1');
  if (!Number.isSafeInteger(startHeight) || startHeight < 0) throw new ScanStateError('startHeight', 'expected an integer >= 0');
  if (!Number.isSafeInteger(memory) || memory < 1) throw new ScanStateError('memory', 'expected an integer >= 1');
  return { confirmations, memory, nextHeight: startHeight, reported: [], unfinal: [] };
}

/** The lowest height a view must start at: the oldest remembered reported block. */
export function viewStart(state: ScanState): number {
  return state.reported[0]?.height ?? state.nextHeight;
}

/** The height of the highest final block for a tip (negative while nothing is final). */
export function finalHeight(tip: number, confirmations: number): number {
  return tip - (confirmations - 1);
}

function checkView(state: ScanState, view: ChainView): Map<number, BlockRef> {
  const byHeight = new Map<number, BlockRef>();
  const first = view.blocks[0];
  if (first !== undefined && first.height > viewStart(state)) {
    throw new ScanStateError('view', `starts at ${first.height}, expected at most ${viewStart(state)}`);
  }
  let previous: BlockRef | undefined;
  for (const block of view.blocks) {
    if (previous !== undefined) {
      if (block.height !== previous.height + 1) throw new InconsistentChainViewError(block.height, `follows height ${previous.height}`);
      if (block.parent !== previous.hash) throw new InconsistentChainViewError(block.height, `parent ${block.parent} is not ${previous.hash}`);
    }
    byHeight.set(block.height, block);
    previous = block;
  }
  if (previous !== undefined && previous.height > view.tip) throw new InconsistentChainViewError(previous.height, `above the tip ${view.tip}`);
  return byHeight;
}

function checkReported(state: ScanState, byHeight: ReadonlyMap<number, BlockRef>): void {
  let deepest: { reported: BlockId; now: BlockRef; index: number } | undefined;
  for (const [index, reported] of state.reported.entries()) {
    const now = byHeight.get(reported.height);
    if (now !== undefined && now.hash !== reported.hash) {
      deepest = { reported, now, index };
      break;
    }
  }
  if (deepest) {
    const { reported, now, index } = deepest;
    throw new FinalizedReorgError(reported.height, reported.hash, now.hash, index === 0 && state.reported.length === state.memory);
  }
}

function deepestReplaced(unfinal: readonly BlockId[], byHeight: ReadonlyMap<number, BlockRef>, tip: number): Advance['followedReorg'] {
  for (const seen of unfinal) {
    const now = byHeight.get(seen.height);
    if (now !== undefined && now.hash !== seen.hash) return { height: seen.height, replaced: seen.hash, by: now.hash };
    if (now === undefined && seen.height > tip) return { height: seen.height, replaced: seen.hash, by: null };
  }
  return null;
}

/**
 * Decides what a view means for the scanner, reporting no block above `cap` (the scanner's wait
 * for a Batch acknowledgement). Throws FinalizedReorgError when a reported block was
 * replaced and InconsistentChainViewError when the view is not one chain; otherwise returns the
 * blocks that became final and the next state.
 */
export function advance(state: ScanState, view: ChainView, cap: number = Number.MAX_SAFE_INTEGER): Advance {
  const byHeight = checkView(state, view);
  checkReported(state, byHeight);
  const followedReorg = deepestReplaced(state.unfinal, byHeight, view.tip);

  const final: BlockRef[] = [];
  const upTo = Math.min(finalHeight(view.tip, state.confirmations), cap);
  for (let height = state.nextHeight; height <= upTo; height++) {
    const block = byHeight.get(height);
    if (block === undefined) break;
    final.push(block);
  }
  const nextHeight = state.nextHeight + final.length;
  const reported = [...state.reported, ...final.map(({ height, hash }) => ({ height, hash }))].slice(-state.memory);
  const unfinal = view.blocks.filter((block) => block.height >= nextHeight).map(({ height, hash }) => ({ height, hash }));
  return { state: { ...state, nextHeight, reported, unfinal }, final, followedReorg };
}
