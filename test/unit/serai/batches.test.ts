/**
 * Batches on the simulated Serai chain: a threshold sr25519 signature from the processor's own
 * signing code, verified by @scure/sr25519, mints; every kind of bad Batch is refused with its own
 * error and changes nothing.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

import { burn, produceBlock, publishSignedBatch, setKeys } from '../../../devnet/serai/chain';
import { emptyState, type SeraiChainState } from '../../../devnet/serai/state';
import { totals } from '../../../devnet/serai/totals';
import { parseCoordinatorMessage } from '../../../messages/parse';
import type { SignedBatch } from '../../../messages/instructions';
import { MAX_U64 } from '../../../messages/limits';
import { batchOf, hex32, refusal, signBatch, thresholdSet, transfer } from './support';

const alice = hex32(0xa1);
const bob = hex32(0xb2);
const validators = thresholdSet(3, 5);
const otherSet = thresholdSet(3, 5);

function withKeys(state: SeraiChainState = emptyState()): SeraiChainState {
  return setKeys(state, { network: 'bitcoin', session: 0, keyPair: validators.keyPair });
}

function publish(state: SeraiChainState, signed: SignedBatch): SeraiChainState {
  return publishSignedBatch(state, signed).state;
}

describe('a valid Batch', () => {
  test('mints every Transfer to its Serai address and is reported in the next block', () => {
    const batch = batchOf('bitcoin', 0, [transfer(alice, 100_000n), transfer(bob, 5_000n), transfer(alice, 1n)]);
    const signed = signBatch(validators, batch, [2, 4, 5]);
    const { state, included } = publishSignedBatch(withKeys(), signed);

    expect(included).toEqual({ network: 'bitcoin', id: 0, seraiBlock: 1, failures: [] });
    expect(state.balances).toEqual({ [alice]: { bitcoin: '100001' }, [bob]: { bitcoin: '5000' } });
    expect(totals(state).bitcoin).toEqual({ minted: '105001', burned: '0', supply: '105001', balances: '105001', unminted: '0' });
    expect(state.networks.bitcoin.nextBatchId).toBe(1);

    const { block, messages } = produceBlock(state, 1_700_000_000);
    expect(block.number).toBe(1);
    expect(messages).toEqual([
      { network: 'bitcoin', message: { kind: 'substrate.ConfirmKeyPair', context: expect.anything(), session: 0, key_pair: validators.keyPair } },
      {
        network: 'bitcoin',
        message: {
          kind: 'substrate.SubstrateBlock',
          context: { serai_time: '1700000000', network_latest_finalized_block: batch.block },
          block: '1',
          burns: [],
          batches: [0],
        },
      },
    ]);
    for (const { network, message } of messages) expect(parseCoordinatorMessage(message, { network })).toEqual({ ok: true, message });
  });

  test('records the included Batch: external block, instruction count and hash, signature, Serai block', () => {
    const signed = signBatch(validators, batchOf('bitcoin', 0, [transfer(alice, 7n), transfer(bob, 8n)]));
    const state = publish(withKeys(), signed);
    const [record] = state.batches.bitcoin;
    expect(record).toMatchObject({ id: 0, externalBlock: signed.batch.block, instructions: 2, signature: signed.signature, seraiBlock: 1 });
    expect(record!.instructionsHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('an empty Batch (a notable block without deposits) is included and mints nothing', () => {
    const state = publish(withKeys(), signBatch(validators, batchOf('bitcoin', 0, [])));
    expect(state.balances).toEqual({});
    expect(produceBlock(state, 10).block.networks.bitcoin?.batches).toEqual([0]);
  });

  test('ids continue sequentially over later blocks', () => {
    let state = withKeys();
    for (let id = 0; id < 3; id++) {
      state = publish(state, signBatch(validators, batchOf('bitcoin', id, [transfer(alice, 10n)])));
      state = produceBlock(state, 100 + id).state;
    }
    expect(state.balances[alice]).toEqual({ bitcoin: '30' });
    expect(state.blocks.map((b) => b.networks.bitcoin?.batches)).toEqual([[0], [1], [2]]);
  });
});

describe('refused Batches change nothing', () => {
  const batch = batchOf('bitcoin', 0, [transfer(alice, 50_000n)]);
  const signed = signBatch(validators, batch);

  test('a signature over a different Batch', () => {
    const other = signBatch(validators, batchOf('bitcoin', 0, [transfer(alice, 50_001n)]));
    const error = refusal(withKeys(), (s) => publishSignedBatch(s, { batch, signature: other.signature }));
    expect(error).toMatchObject({ name: 'InvalidBatchSignatureError', network: 'bitcoin', id: 0 });
  });

  test("another set's key", () => {
    const error = refusal(withKeys(), (s) => publishSignedBatch(s, signBatch(otherSet, batch)));
    expect(error).toMatchObject({ name: 'InvalidBatchSignatureError', reason: 'does not verify under the set key' });
  });

  test.each([
    ['amount', { ...batch, instructions: [transfer(alice, 50_001n)] }],
    ['recipient', { ...batch, instructions: [transfer(bob, 50_000n)] }],
    ['external block', { ...batch, block: hex32(0xee) }],
    ['extra instruction', { ...batch, instructions: [...batch.instructions, transfer(bob, 1n)] }],
  ])('a Batch tampered after signing (%s)', (_what, tampered) => {
    const error = refusal(withKeys(), (s) => publishSignedBatch(s, { batch: tampered, signature: signed.signature }));
    expect(error.name).toBe('InvalidBatchSignatureError');
  });

  test('a Batch re-labelled with the next id after signing', () => {
    const state = produceBlock(publish(withKeys(), signBatch(validators, batchOf('bitcoin', 0, []))), 5).state;
    const error = refusal(state, (s) => publishSignedBatch(s, { batch: { ...batch, id: 1 }, signature: signed.signature }));
    expect(error).toMatchObject({ name: 'InvalidBatchSignatureError', id: 1 });
  });

  test('a signature whose R is not a ristretto255 point', () => {
    const bytes = hexToBytes(signed.signature);
    bytes.fill(0xff, 0, 32);
    const error = refusal(withKeys(), (s) => publishSignedBatch(s, { batch, signature: bytesToHex(bytes) }));
    expect(error).toMatchObject({ name: 'InvalidBatchSignatureError' });
    expect((error as Error & { reason: string }).reason).toMatch(/^malformed signature/);
  });

  test('a network whose set has no keys yet', () => {
    const error = refusal(emptyState(), (s) => publishSignedBatch(s, signed));
    expect(error).toMatchObject({ name: 'NoKeysForNetworkError', network: 'bitcoin' });
  });

  test('a gap in the ids', () => {
    const error = refusal(withKeys(), (s) => publishSignedBatch(s, signBatch(validators, batchOf('bitcoin', 1, []))));
    expect(error).toMatchObject({ name: 'FutureBatchError', id: 1, expected: 0 });
  });

  test('a replay, in the same block and in a later one', () => {
    const once = publish(withKeys(), signed);
    expect(refusal(once, (s) => publishSignedBatch(s, signed))).toMatchObject({ name: 'StaleBatchError', id: 0, expected: 1 });
    const later = produceBlock(once, 60).state;
    expect(refusal(later, (s) => publishSignedBatch(s, signed))).toMatchObject({ name: 'StaleBatchError', id: 0, expected: 1 });
    expect(later.balances[alice]).toEqual({ bitcoin: '50000' });
  });

  test('a second Batch of the same network in one block waits for the next block', () => {
    const once = publish(withKeys(), signed);
    const second = signBatch(validators, batchOf('bitcoin', 1, [transfer(bob, 9n)]));
    expect(refusal(once, (s) => publishSignedBatch(s, second))).toMatchObject({ name: 'BatchSlotTakenError', id: 1, block: 1 });
    const { state, included } = publishSignedBatch(produceBlock(once, 60).state, second);
    expect(included.seraiBlock).toBe(2);
    expect(state.balances[bob]).toEqual({ bitcoin: '9' });
  });

  test.each([
    ['a coin of another network', { ...signed, batch: { ...batch, instructions: [transfer(alice, 1n, 'ether')] } }, 'batch.instructions.0.balance.coin'],
    ['no Schnorrkel marker bit', { ...signed, signature: signed.signature.slice(0, 126) + '00' }, 'signature'],
    ['a short signature', { ...signed, signature: signed.signature.slice(0, 126) }, 'signature'],
    ['an unknown field', { ...signed, extra: 1 }, 'extra'],
    ['a u64 amount as a number', { ...signed, batch: { ...batch, instructions: [{ ...batch.instructions[0]!, balance: { coin: 'bitcoin', amount: 5 } }] } }, 'batch.instructions.0.balance.amount'],
    ['no batch at all', null, 'input'],
  ])('malformed input: %s', (_what, input, field) => {
    const error = refusal(withKeys(), (s) => publishSignedBatch(s, input));
    expect(error).toMatchObject({ name: 'MalformedInputError', field });
  });
});

describe('key rotation', () => {
  const next = thresholdSet(2, 3, '03' + '77'.repeat(32));
  const rotated = () => setKeys(withKeys(), { network: 'bitcoin', session: 1, keyPair: next.keyPair });

  test("the prior set's key signs until the new key publishes a Batch, which retires it", () => {
    let state = publish(rotated(), signBatch(validators, batchOf('bitcoin', 0, [transfer(alice, 1n)])));
    expect(state.networks.bitcoin.prior?.session).toBe(0);
    state = produceBlock(state, 1).state;
    state = publish(state, signBatch(next, batchOf('bitcoin', 1, [transfer(alice, 2n)])));
    expect(state.networks.bitcoin.prior).toBeNull();
    state = produceBlock(state, 2).state;
    const error = refusal(state, (s) => publishSignedBatch(s, signBatch(validators, batchOf('bitcoin', 2, []))));
    expect(error.name).toBe('InvalidBatchSignatureError');
    expect(state.balances[alice]).toEqual({ bitcoin: '3' });
  });

  test('both key sets are confirmed to the processors in the block that set them', () => {
    const { messages } = produceBlock(rotated(), 5);
    expect(messages.map((m) => [m.message.kind, 'session' in m.message ? m.message.session : null])).toEqual([
      ['substrate.ConfirmKeyPair', 0],
      ['substrate.ConfirmKeyPair', 1],
    ]);
  });

  test('keys for a session that is not newer are refused', () => {
    const error = refusal(rotated(), (s) => setKeys(s, { network: 'bitcoin', session: 1, keyPair: otherSet.keyPair }));
    expect(error).toMatchObject({ name: 'SessionOrderError', session: 1, current: 1 });
  });

  test.each([
    ['not a point', 'ff'.repeat(32)],
    ['the identity', '00'.repeat(32)],
  ])('a substrate key that is %s is refused', (_what, key) => {
    const error = refusal(emptyState(), (s) =>
      setKeys(s, { network: 'bitcoin', session: 0, keyPair: { substrate_key: key, network_key: '02' + '11'.repeat(32) } }),
    );
    expect(error).toMatchObject({ name: 'MalformedInputError', field: 'keyPair.substrate_key' });
  });
});

describe('InInstructions that mint nothing', () => {
  test('Dex, GenesisLiquidity and SwapToStakedSRI are included, recorded as unsupported and counted as unminted', () => {
    const batch = batchOf('bitcoin', 0, [
      transfer(alice, 10n),
      { instruction: { kind: 'Dex', call: { kind: 'SwapAndAddLiquidity', address: bob } }, balance: { coin: 'bitcoin', amount: '20' } },
      { instruction: { kind: 'GenesisLiquidity', address: bob }, balance: { coin: 'bitcoin', amount: '30' } },
      { instruction: { kind: 'SwapToStakedSRI', address: bob, network: 'serai' }, balance: { coin: 'bitcoin', amount: '40' } },
    ]);
    const { state, included } = publishSignedBatch(withKeys(), signBatch(validators, batch));
    expect(included.failures).toEqual([
      { index: 1, reason: 'unsupported' },
      { index: 2, reason: 'unsupported' },
      { index: 3, reason: 'unsupported' },
    ]);
    expect(state.balances).toEqual({ [alice]: { bitcoin: '10' } });
    expect(totals(state).bitcoin).toMatchObject({ minted: '10', supply: '10', balances: '10', unminted: '90' });
    expect(state.networks.bitcoin.nextBatchId).toBe(1);
  });

  test('a Transfer that would push the supply above 2^64 - 1 fails alone', () => {
    const batch = batchOf('bitcoin', 0, [transfer(alice, MAX_U64 - 5n), transfer(bob, 6n), transfer(bob, 5n)]);
    const { state, included } = publishSignedBatch(withKeys(), signBatch(validators, batch));
    expect(included.failures).toEqual([{ index: 1, reason: 'overflow' }]);
    expect(totals(state).bitcoin).toMatchObject({ supply: MAX_U64.toString(), balances: MAX_U64.toString(), unminted: '6' });
  });

  test('after burns the supply has room again', () => {
    let state = publish(withKeys(), signBatch(validators, batchOf('bitcoin', 0, [transfer(alice, MAX_U64)])));
    state = burn(state, { from: alice, coin: 'bitcoin', amount: '100', address: '00'.repeat(20) }).state;
    state = produceBlock(state, 1).state;
    const { included } = publishSignedBatch(state, signBatch(validators, batchOf('bitcoin', 1, [transfer(bob, 100n)])));
    expect(included.failures).toEqual([]);
  });
});
