/**
 * The finality tracker on made-up chains. The same decisions are checked against forking btcd
 * nodes in reorg.test.ts.
 */
import type { BlockRef } from '../../../networks/network';
import {
  advance,
  FinalizedReorgError,
  finalHeight,
  InconsistentChainViewError,
  initialScanState,
  ScanStateError,
  viewStart,
  type ChainView,
  type ScanState,
} from '../../../networks/finality';

/** A chain whose block hashes are `<branch>-<height>`, forking from `base` at `forkHeight`. */
function chain(tip: number, branch = 'a', forkHeight = Infinity, base = 'a'): BlockRef[] {
  const hash = (height: number) => `${height < forkHeight ? base : branch}-${height}`;
  return Array.from({ length: tip + 1 }, (_, height) => ({ hash: hash(height), height, parent: height === 0 ? 'genesis-parent' : hash(height - 1), time: height }));
}

function view(blocks: BlockRef[], state: ScanState, tip = blocks.length - 1): ChainView {
  return { tip, blocks: blocks.slice(viewStart(state), tip + 1) };
}

const CONFIRMATIONS = 6;

describe('finality', () => {
  test('a block is reported once it has `confirmations` confirmations, each block exactly once', () => {
    let state = initialScanState({ confirmations: CONFIRMATIONS, startHeight: 10 });
    const reported: number[] = [];
    for (let tip = 10; tip <= 30; tip++) {
      const result = advance(state, view(chain(tip), state));
      for (const block of result.final) {
        // Final exactly when the tip is confirmations - 1 blocks above it.
        expect(tip - block.height + 1).toBe(CONFIRMATIONS);
        reported.push(block.height);
      }
      state = result.state;
      // Polling again without a new block reports nothing new.
      expect(advance(state, view(chain(tip), state)).final).toEqual([]);
    }
    expect(reported).toEqual(Array.from({ length: 30 - 10 - CONFIRMATIONS + 2 }, (_, i) => 10 + i));
    expect(state.nextHeight).toBe(finalHeight(30, CONFIRMATIONS) + 1);
  });

  test('a view reaching far ahead reports every final block in order; memory is bounded', () => {
    const state = initialScanState({ confirmations: 3, startHeight: 0, memory: 4 });
    const result = advance(state, view(chain(20), state));
    expect(result.final.map((block) => block.height)).toEqual(Array.from({ length: 19 }, (_, i) => i));
    expect(result.state.reported).toEqual([15, 16, 17, 18].map((height) => ({ height, hash: `a-${height}` })));
    expect(result.state.unfinal).toEqual([19, 20].map((height) => ({ height, hash: `a-${height}` })));
    expect(JSON.parse(JSON.stringify(result.state))).toEqual(result.state);
  });

  test('a node behind what was reported (still syncing) reports nothing and changes nothing', () => {
    const state = advance(initialScanState({ confirmations: 2, startHeight: 0 }), { tip: 10, blocks: chain(10) }).state;
    const behind = advance(state, { tip: 7, blocks: chain(7).slice(viewStart(state)) });
    expect(behind.final).toEqual([]);
    expect(behind.state.nextHeight).toBe(state.nextHeight);
    expect(behind.state.reported).toEqual(state.reported);
  });
});

describe('reorgs', () => {
  function reportedUpTo(tip: number): ScanState {
    const state = initialScanState({ confirmations: CONFIRMATIONS, startHeight: 0 });
    return advance(state, view(chain(tip), state)).state;
  }

  test('a reorg of blocks above finality is followed: nothing reported changes, the new blocks become final in turn', () => {
    const state = reportedUpTo(20); // reported 0..15; 16..20 unfinal
    const forked = chain(21, 'b', 17); // replaces 17..20 and adds 21
    const result = advance(state, view(forked, state));
    expect(result.followedReorg).toEqual({ height: 17, replaced: 'a-17', by: 'b-17' });
    expect(result.final.map((block) => block.hash)).toEqual(['a-16']);
    expect(result.state.reported.map((block) => block.hash)).toEqual([...state.reported.slice(1).map((block) => block.hash), 'a-16']);
    const later = advance(result.state, view(chain(23, 'b', 17), result.state));
    expect(later.followedReorg).toBeNull();
    expect(later.final.map((block) => block.hash)).toEqual(['b-17', 'b-18']);
  });

  test('a shorter replacement chain is noticed as well', () => {
    const state = reportedUpTo(20);
    const result = advance(state, view(chain(19, 'b', 19), state));
    expect(result.followedReorg).toEqual({ height: 19, replaced: 'a-19', by: 'b-19' });
    expect(result.final).toEqual([]);
  });

  test('a reorg replacing reported blocks halts with the deepest replaced height and both hashes', () => {
    const state = reportedUpTo(20); // reported 4..15 remembered (memory 12)
    const forked = chain(30, 'b', 13);
    const error = (() => {
      try {
        advance(state, view(forked, state));
      } catch (caught) {
        return caught;
      }
      throw new Error('expected a FinalizedReorgError');
    })();
    expect(error).toBeInstanceOf(FinalizedReorgError);
    expect(error).toMatchObject({ height: 13, reportedHash: 'a-13', newHash: 'b-13', atLeast: false, retryable: false });
    expect((error as Error).message).toBe('reorg of a final block at height 13: reported a-13, the node\'s chain now has b-13; scanning halted');
    // The state did not move: polling again halts again.
    expect(() => advance(state, view(forked, state))).toThrow(FinalizedReorgError);
  });

  test('a fork below everything remembered says it may be deeper', () => {
    const state = reportedUpTo(40); // remembers 24..35
    expect(() => advance(state, view(chain(45, 'b', 2), state))).toThrow(
      "reorg of a final block at height 24 (or deeper): reported a-24, the node's chain now has b-24; scanning halted",
    );
  });
});

describe('views and states that cannot be trusted', () => {
  test('a view that is not one chain is an InconsistentChainViewError (read it again)', () => {
    const state = initialScanState({ confirmations: 2, startHeight: 0 });
    const mixed = [...chain(5).slice(0, 3), ...chain(5, 'b', 0).slice(3)];
    expect(() => advance(state, { tip: 5, blocks: mixed })).toThrow(InconsistentChainViewError);
    expect(() => advance(state, { tip: 5, blocks: mixed })).toThrow('chain view at height 3: parent b-2 is not a-2');
    const gap = [...chain(5).slice(0, 2), ...chain(5).slice(3)];
    expect(() => advance(state, { tip: 5, blocks: gap })).toThrow('chain view at height 3: follows height 1');
    expect(() => advance(state, { tip: 4, blocks: chain(5) })).toThrow('chain view at height 5: above the tip 4');
  });

  test('a view starting above the remembered blocks is refused: it could hide a reorg', () => {
    const state = advance(initialScanState({ confirmations: 2, startHeight: 0 }), { tip: 10, blocks: chain(10) }).state;
    expect(() => advance(state, { tip: 12, blocks: chain(12).slice(viewStart(state) + 1) })).toThrow(ScanStateError);
  });

  test.each([
    [{ confirmations: 0, startHeight: 0 }, 'confirmations'],
    [{ confirmations: 6, startHeight: -1 }, 'startHeight'],
    [{ confirmations: 6, startHeight: 1.5 }, 'startHeight'],
    [{ confirmations: 6, startHeight: 0, memory: 0 }, 'memory'],
  ])('initial state %j is refused naming %s', (options, field) => {
    expect(() => initialScanState(options)).toThrow(expect.objectContaining({ name: 'ScanStateError', field }));
  });
});
