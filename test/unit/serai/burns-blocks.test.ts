/**
 * Burns and blocks on the simulated Serai chain: a burn debits at once and reaches the processors
 * in exactly one block; blocks are content-addressed, chained and deterministic; every emitted
 * message is a valid coordinator message for its network.
 */
import { burn, produceBlock, publishSignedBatch, setKeys } from '../../../devnet/serai/chain';
import { blockMessages } from '../../../devnet/serai/block-messages';
import { emptyState, ZERO_HASH, type SeraiChainState } from '../../../devnet/serai/state';
import { totals } from '../../../devnet/serai/totals';
import type { SignedBatch } from '../../../messages/instructions';
import { parseCoordinatorMessage } from '../../../messages/parse';
import { batchOf, hex32, refusal, signBatch, thresholdSet, transfer } from './support';

const alice = hex32(0xa1);
const bob = hex32(0xb2);
const bitcoinSet = thresholdSet(2, 3);
const ethereumSet = thresholdSet(2, 3, '04' + '3c'.repeat(64));
const p2wpkh = '0014' + '7a'.repeat(20);

const deposits = signBatch(bitcoinSet, batchOf('bitcoin', 0, [transfer(alice, 1_000_000n), transfer(bob, 250_000n)]));
const etherDeposits = signBatch(ethereumSet, batchOf('ethereum', 0, [transfer(alice, 77n, 'ether'), transfer(alice, 5n, 'dai')]));

/** Keys for Bitcoin and Ethereum, one Batch each, one block: alice and bob hold sriBTC, alice sriETH and sriDAI. */
function funded(): SeraiChainState {
  let state = setKeys(emptyState(), { network: 'bitcoin', session: 0, keyPair: bitcoinSet.keyPair });
  state = setKeys(state, { network: 'ethereum', session: 0, keyPair: ethereumSet.keyPair });
  state = publishSignedBatch(state, deposits).state;
  state = publishSignedBatch(state, etherDeposits).state;
  return produceBlock(state, 1_000).state;
}
const fundedState = funded();

function burnsIn(state: SeraiChainState) {
  return state.blocks.flatMap((block) =>
    Object.entries(block.networks).flatMap(([network, events]) => events.burns.map((record) => ({ block: block.number, network, record }))),
  );
}

describe('burn', () => {
  test('debits the account and the supply at once and reaches the processors in exactly the next block', () => {
    const { state: burned, burn: out, network } = burn(fundedState, { from: alice, coin: 'bitcoin', amount: '400000', address: p2wpkh, data: 'c0ffee' });
    expect(network).toBe('bitcoin');
    expect(out).toEqual({ instruction: { address: p2wpkh, data: 'c0ffee' }, balance: { coin: 'bitcoin', amount: '400000' } });
    expect(burned.balances[alice]).toEqual({ bitcoin: '600000', ether: '77', dai: '5' });
    expect(totals(burned).bitcoin).toMatchObject({ minted: '1250000', burned: '400000', supply: '850000', balances: '850000' });

    const first = produceBlock(burned, 1_006);
    expect(first.messages).toEqual([
      {
        network: 'bitcoin',
        message: {
          kind: 'substrate.SubstrateBlock',
          context: { serai_time: '1006', network_latest_finalized_block: deposits.batch.block },
          block: '2',
          burns: [out],
          batches: [],
        },
      },
    ]);
    const second = produceBlock(first.state, 1_012);
    expect(second.messages).toEqual([]);
    expect(burnsIn(second.state)).toEqual([{ block: 2, network: 'bitcoin', record: { from: alice, burn: out } }]);
  });

  test('burns go to the network of their coin, each network in its own message', () => {
    let state = burn(fundedState, { from: alice, coin: 'dai', amount: '5', address: 'aa'.repeat(20) }).state;
    state = burn(state, { from: bob, coin: 'bitcoin', amount: '1', address: p2wpkh }).state;
    state = burn(state, { from: alice, coin: 'ether', amount: '70', address: 'bb'.repeat(20), data: null }).state;
    const { messages } = produceBlock(state, 2_000);
    expect(messages.map(({ network, message }) => [network, message.kind === 'substrate.SubstrateBlock' ? message.burns.map((b) => b.balance.coin) : []])).toEqual([
      ['bitcoin', ['bitcoin']],
      ['ethereum', ['dai', 'ether']],
    ]);
    for (const { network, message } of messages) expect(parseCoordinatorMessage(message, { network }).ok).toBe(true);
    expect(state.balances[alice]).toEqual({ bitcoin: '1000000', ether: '7' });
  });

  test('burning the whole balance removes the account', () => {
    let state = burn(fundedState, { from: bob, coin: 'bitcoin', amount: '250000', address: p2wpkh }).state;
    expect(state.balances[bob]).toBeUndefined();
    state = burn(state, { from: alice, coin: 'dai', amount: '5', address: p2wpkh }).state;
    expect(state.balances[alice]).toEqual({ bitcoin: '1000000', ether: '77' });
  });

  test('an address that parses on no network is burned to as is: the processor must report it (reference 6.8)', () => {
    const { state } = burn(fundedState, { from: alice, coin: 'bitcoin', amount: '1', address: '' });
    const { messages } = produceBlock(state, 2_000);
    const message = messages[0]!.message;
    expect(message.kind === 'substrate.SubstrateBlock' && message.burns[0]!.instruction.address).toBe('');
  });

  test.each([
    ['more than the balance', { from: bob, coin: 'bitcoin', amount: '250001', address: p2wpkh }, { name: 'InsufficientBalanceError', requested: '250001', available: '250000' }],
    ['a coin the account never held', { from: bob, coin: 'monero', amount: '1', address: p2wpkh }, { name: 'InsufficientBalanceError', available: '0' }],
    ['from an unknown account', { from: hex32(0x77), coin: 'bitcoin', amount: '1', address: p2wpkh }, { name: 'InsufficientBalanceError', account: hex32(0x77) }],
    ['a zero amount', { from: alice, coin: 'bitcoin', amount: '0', address: p2wpkh }, { name: 'MalformedInputError', field: 'amount' }],
    ['SRI, which never leaves Serai', { from: alice, coin: 'serai', amount: '1', address: p2wpkh }, { name: 'MalformedInputError', field: 'coin' }],
    ['an address above 196 bytes', { from: alice, coin: 'bitcoin', amount: '1', address: '00'.repeat(197) }, { name: 'MalformedInputError', field: 'address' }],
    ['data above 512 bytes', { from: alice, coin: 'bitcoin', amount: '1', address: p2wpkh, data: '00'.repeat(513) }, { name: 'MalformedInputError', field: 'data' }],
    ['a malformed account', { from: 'a1', coin: 'bitcoin', amount: '1', address: p2wpkh }, { name: 'MalformedInputError', field: 'from' }],
    ['an unknown field', { from: alice, coin: 'bitcoin', amount: '1', address: p2wpkh, memo: 'x' }, { name: 'MalformedInputError', field: 'memo' }],
  ])('refuses %s and changes nothing', (_what, request, expected) => {
    expect(refusal(funded(), (s) => burn(s, request))).toMatchObject(expected);
  });

  test('burns above the per-block cap wait for later blocks, oldest first, each emitted once', () => {
    let state = fundedState;
    for (let k = 1; k <= 5; k++) state = burn(state, { from: alice, coin: 'bitcoin', amount: String(k), address: p2wpkh }).state;
    const amounts: string[][] = [];
    for (let t = 0; t < 4; t++) {
      const produced = produceBlock(state, 3_000 + t, { maxBurnsPerNetwork: 2 });
      state = produced.state;
      amounts.push(produced.block.networks.bitcoin?.burns.map((r) => r.burn.balance.amount) ?? []);
    }
    expect(amounts).toEqual([['1', '2'], ['3', '4'], ['5'], []]);
    expect(state.pendingBurns).toEqual([]);
  });
});

describe('blocks', () => {
  function history(batch: SignedBatch = deposits, time = 1_000): SeraiChainState {
    let state = setKeys(emptyState(), { network: 'bitcoin', session: 0, keyPair: bitcoinSet.keyPair });
    state = produceBlock(state, time).state;
    state = publishSignedBatch(state, batch).state;
    state = produceBlock(state, time + 6).state;
    state = burn(state, { from: alice, coin: 'bitcoin', amount: '10', address: p2wpkh }).state;
    state = produceBlock(state, time + 12).state;
    return produceBlock(state, time + 18).state;
  }

  test('are numbered from 1 and chained by parent hash', () => {
    const { blocks } = history();
    expect(blocks.map((b) => b.number)).toEqual([1, 2, 3, 4]);
    expect(blocks.map((b) => b.parent)).toEqual([ZERO_HASH, ...blocks.slice(0, -1).map((b) => b.hash)]);
    expect(new Set(blocks.map((b) => b.hash)).size).toBe(4);
  });

  test('the same history gives the same blocks, hashes and messages', () => {
    const [a, b] = [history(), history()];
    expect(a.blocks).toEqual(b.blocks);
    expect(a.blocks.map(blockMessages)).toEqual(b.blocks.map(blockMessages));
  });

  test('any difference in content or time changes the hash of that block and every later one', () => {
    const base = history();
    const otherTime = history(deposits, 1_001);
    expect(otherTime.blocks.map((b, i) => b.hash === base.blocks[i]!.hash)).toEqual([false, false, false, false]);
    // The same Batch content signed again: a different (randomized) signature is different content.
    const resigned = history(signBatch(bitcoinSet, deposits.batch));
    expect(resigned.blocks.map((b, i) => b.hash === base.blocks[i]!.hash)).toEqual([true, false, false, false]);
  });

  test('a block without events is produced and carries no message', () => {
    const { block, messages } = produceBlock(emptyState(), 0);
    expect(block).toMatchObject({ number: 1, parent: ZERO_HASH, time: '0', networks: {} });
    expect(messages).toEqual([]);
  });

  test('time never goes backwards; equal times are allowed', () => {
    const state = produceBlock(emptyState(), 500).state;
    expect(refusal(state, (s) => produceBlock(s, 499))).toMatchObject({ name: 'BlockTimeError', time: '499', previous: '500' });
    expect(produceBlock(state, 500).block.number).toBe(2);
  });

  test.each([[-1], [1.5], ['100'], [Number.MAX_SAFE_INTEGER + 1]])('a block time of %p is malformed', (time) => {
    expect(refusal(emptyState(), (s) => produceBlock(s, time))).toMatchObject({ name: 'MalformedInputError', field: 'time' });
  });

  test('messages of a stored block can be derived again, equal to those emitted', () => {
    let state = burn(fundedState, { from: alice, coin: 'ether', amount: '1', address: 'bb'.repeat(20) }).state;
    const produced = produceBlock(state, 5_000);
    state = produced.state;
    expect(blockMessages(state.blocks.at(-1)!)).toEqual(produced.messages);
  });
});
