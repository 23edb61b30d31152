/**
 * The simulator's state file: a missing file is a fresh chain, a saved state loads back equal and
 * continues exactly as the in-memory one would, writes leave no temporary files, and a file that
 * is not a state this simulator could have produced is refused with a CorruptStateError.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { burn, produceBlock, publishSignedBatch, setKeys } from '../../../devnet/serai/chain';
import { serializeState } from '../../../devnet/serai/serialize';
import { emptyState, type SeraiChainState } from '../../../devnet/serai/state';
import { loadSeraiState, saveSeraiState } from '../../../devnet/serai/store';
import { batchOf, hex32, signBatch, thresholdSet, transfer } from './support';

const alice = hex32(0xa1);
const set = thresholdSet(2, 3);
const first = signBatch(set, batchOf('bitcoin', 0, [transfer(alice, 900n), { instruction: { kind: 'GenesisLiquidity', address: alice }, balance: { coin: 'bitcoin', amount: '3' } }]));
const second = signBatch(set, batchOf('bitcoin', 1, [transfer(alice, 100n)]));

/** Keys, a block, a Batch, a block, a pending burn and an open Batch: every part of the state in use. */
function busyState(): SeraiChainState {
  let state = setKeys(emptyState(), { network: 'bitcoin', session: 0, keyPair: set.keyPair });
  state = produceBlock(state, 10).state;
  state = publishSignedBatch(state, first).state;
  state = produceBlock(state, 16).state;
  state = burn(state, { from: alice, coin: 'bitcoin', amount: '250', address: '0014' + '22'.repeat(20), data: 'ab' }).state;
  return publishSignedBatch(state, second).state;
}

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'serai-store-'));
  path = join(dir, 'serai.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a missing file is a fresh chain', () => {
  expect(loadSeraiState(path)).toEqual(emptyState());
});

test('a saved state loads back equal and continues exactly like the one in memory', () => {
  const state = busyState();
  saveSeraiState(path, state);
  const loaded = loadSeraiState(path);
  expect(loaded).toEqual(state);

  const continueWith = (s: SeraiChainState) => produceBlock(burn(s, { from: alice, coin: 'bitcoin', amount: '1', address: 'ff' }).state, 30);
  const [fromMemory, fromDisk] = [continueWith(state), continueWith(loaded)];
  expect(fromDisk.block).toEqual(fromMemory.block);
  expect(fromDisk.messages).toEqual(fromMemory.messages);
});

test('overwriting replaces the file and leaves no temporary file behind', () => {
  saveSeraiState(path, emptyState());
  const state = busyState();
  saveSeraiState(path, state);
  expect(readdirSync(dir)).toEqual(['serai.json']);
  expect(readFileSync(path, 'utf8')).toBe(serializeState(state));
});

test('a write into a missing directory is a SeraiStoreError and creates nothing', () => {
  const missing = join(dir, 'nope', 'serai.json');
  expect(() => saveSeraiState(missing, emptyState())).toThrow(expect.objectContaining({ name: 'SeraiStoreError', operation: 'write', path: missing }));
  expect(readdirSync(dir)).toEqual([]);
});

test('a path that cannot be read is a SeraiStoreError', () => {
  expect(() => loadSeraiState(dir)).toThrow(expect.objectContaining({ name: 'SeraiStoreError', operation: 'read' }));
});

describe('a file that is not a state this simulator produced', () => {
  function tampered(edit: (state: SeraiChainState & Record<string, unknown>) => void): string {
    const state = JSON.parse(serializeState(busyState())) as SeraiChainState & Record<string, unknown>;
    edit(state);
    return JSON.stringify(state);
  }

  test.each([
    ['not JSON', '{"version": 1,', ''],
    ['a torn write', serializeState(emptyState()).slice(0, 40), ''],
    ['another version', tampered((s) => Object.assign(s, { version: 2 })), 'version'],
    ['an unknown field', tampered((s) => Object.assign(s, { extra: true })), ''],
    ['a balance nobody minted', tampered((s) => Object.assign(s.balances, { [hex32(0x99)]: { bitcoin: '5' } })), 'coins.bitcoin'],
    ['a zero balance entry', tampered((s) => Object.assign(s.balances, { [hex32(0x99)]: { bitcoin: '0' } })), `balances.${hex32(0x99)}.bitcoin`],
    ['a skipped batch id', tampered((s) => s.batches.bitcoin.splice(0, 1)), 'batches.bitcoin.0'],
    ['a changed block time', tampered((s) => Object.assign(s.blocks[1]!, { time: '17' })), 'blocks.1.hash'],
    ['a rewritten batch in a block', tampered((s) => Object.assign(s.batches.bitcoin[0]!, { externalBlock: hex32(0x55) })), 'blocks.1.hash'],
    ['a broken parent link', tampered((s) => Object.assign(s.blocks[1]!, { parent: hex32(0x01) })), 'blocks.1.parent'],
    ['a missing block', tampered((s) => s.blocks.pop()), 'height'],
  ])('%s is a CorruptStateError', (_what, content, field) => {
    writeFileSync(path, content);
    expect(() => loadSeraiState(path)).toThrow(expect.objectContaining({ name: 'CorruptStateError', field }));
  });
});
