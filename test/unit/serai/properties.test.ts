/**
 * Random operation sequences against an independent model of the ledger: after every operation
 * the balances equal the model's, minted - burned equals the sum of balances, and refusals are
 * the expected typed errors and change nothing. At the end every accepted burn and Batch appears
 * in exactly one block, in order, and the state survives a JSON round trip.
 *
 * Batches here are signed by a 1-of-1 sr25519 key with @scure/sr25519's own signer, to keep
 * hundreds of runs fast; threshold signatures are covered in batches.test.ts.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { getPublicKey, secretFromSeed, sign } from '@scure/sr25519';
import fc from 'fast-check';

import { burn, produceBlock, publishSignedBatch, setKeys } from '../../../devnet/serai/chain';
import { SeraiChainError } from '../../../devnet/serai/errors';
import { parseState, serializeState } from '../../../devnet/serai/serialize';
import { emptyState, type SeraiChainState } from '../../../devnet/serai/state';
import { supplyProblem, totals } from '../../../devnet/serai/totals';
import { batchMessage } from '../../../messages/batch';
import type { Batch, InInstructionWithBalance, OutInstructionWithBalance, SignedBatch } from '../../../messages/instructions';
import { MAX_U64 } from '../../../messages/limits';
import { deepFreeze, hex32 } from './support';

const ACCOUNTS = [hex32(0xa1), hex32(0xa2), hex32(0xa3)];
const setSecret = secretFromSeed(new Uint8Array(32).fill(7));
const strangerSecret = secretFromSeed(new Uint8Array(32).fill(8));
const keyPair = { substrate_key: bytesToHex(getPublicKey(setSecret)), network_key: '02' + '42'.repeat(32) };

function signed(batch: Batch, secret = setSecret): SignedBatch {
  return { batch, signature: bytesToHex(sign(secret, batchMessage(batch))) };
}

const account = fc.constantFrom(...ACCOUNTS);
const amount = fc.oneof({ arbitrary: fc.bigInt({ min: 0n, max: 1_000_000n }), weight: 4 }, { arbitrary: fc.bigInt({ min: 0n, max: MAX_U64 }), weight: 1 });
const deposit = fc.record({ to: account, amount, kind: fc.constantFrom('Transfer', 'Transfer', 'Transfer', 'GenesisLiquidity') });
// Burns are mostly smaller than deposits, so that many succeed and queue beyond the per-block cap.
const operation = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('batch' as const), deposits: fc.array(deposit, { maxLength: 4 }) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('burn' as const), from: account, amount: fc.bigInt({ min: 1n, max: 400_000n }) }), weight: 5 },
  { arbitrary: fc.record({ op: fc.constant('block' as const), dt: fc.integer({ min: 0, max: 12 }), cap: fc.integer({ min: 1, max: 3 }) }), weight: 2 },
  { arbitrary: fc.constant({ op: 'replay' as const }), weight: 1 },
  { arbitrary: fc.constant({ op: 'forged' as const }), weight: 1 },
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

function instructionOf({ to, amount, kind }: { to: string; amount: bigint; kind: string }): InInstructionWithBalance {
  const instruction = kind === 'Transfer' ? { kind: 'Transfer' as const, address: to } : { kind: 'GenesisLiquidity' as const, address: to };
  return { instruction, balance: { coin: 'bitcoin', amount: amount.toString() } };
}

/** The ledger as the test expects it, kept apart from the simulator's arithmetic. */
class Model {
  balances = new Map<string, bigint>();
  supply = 0n;
  nextId = 0;
  batchInOpenBlock = false;
  lastSigned: SignedBatch | undefined;
  burns: OutInstructionWithBalance[] = [];

  deposit(to: string, amount: bigint, kind: string): void {
    if (kind !== 'Transfer' || this.supply + amount > MAX_U64 || amount === 0n) return;
    this.supply += amount;
    this.balances.set(to, (this.balances.get(to) ?? 0n) + amount);
  }

  expectedBalances(): Record<string, { bitcoin: string }> {
    const out: Record<string, { bitcoin: string }> = {};
    for (const [who, value] of this.balances) if (value > 0n) out[who] = { bitcoin: value.toString() };
    return out;
  }
}

function refusedWith(state: SeraiChainState, name: string, run: () => unknown): void {
  const before = serializeState(state);
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(SeraiChainError);
  expect((thrown as Error).name).toBe(name);
  expect(serializeState(state)).toBe(before);
}

function apply(state: SeraiChainState, model: Model, step: Operation): SeraiChainState {
  deepFreeze(state);
  switch (step.op) {
    case 'batch': {
      const batch: Batch = { network: 'bitcoin', id: model.nextId, block: hex32(model.nextId % 256), instructions: step.deposits.map(instructionOf) };
      const signedBatch = signed(batch);
      if (model.batchInOpenBlock) {
        refusedWith(state, 'BatchSlotTakenError', () => publishSignedBatch(state, signedBatch));
        return state;
      }
      const next = publishSignedBatch(state, signedBatch).state;
      for (const d of step.deposits) model.deposit(d.to, d.amount, d.kind);
      model.nextId += 1;
      model.batchInOpenBlock = true;
      model.lastSigned = signedBatch;
      return next;
    }
    case 'burn': {
      const request = { from: step.from, coin: 'bitcoin', amount: step.amount.toString(), address: '0014' + '11'.repeat(20) };
      if ((model.balances.get(step.from) ?? 0n) < step.amount) {
        refusedWith(state, 'InsufficientBalanceError', () => burn(state, request));
        return state;
      }
      const result = burn(state, request);
      model.balances.set(step.from, model.balances.get(step.from)! - step.amount);
      model.supply -= step.amount;
      model.burns.push(result.burn);
      return result.state;
    }
    case 'block':
      model.batchInOpenBlock = false;
      return produceBlock(state, Number(state.lastTime) + step.dt, { maxBurnsPerNetwork: step.cap }).state;
    case 'replay':
      if (model.lastSigned !== undefined) refusedWith(state, 'StaleBatchError', () => publishSignedBatch(state, model.lastSigned));
      return state;
    case 'forged': {
      const batch: Batch = { network: 'bitcoin', id: model.nextId, block: hex32(0xff), instructions: [instructionOf({ to: ACCOUNTS[0]!, amount: 1n, kind: 'Transfer' })] };
      refusedWith(state, 'InvalidBatchSignatureError', () => publishSignedBatch(state, signed(batch, strangerSecret)));
      return state;
    }
  }
}

test('the ledger matches the model and minted - burned = balances after every operation', () => {
  fc.assert(
    fc.property(fc.array(operation, { minLength: 1, maxLength: 24 }), (steps) => {
      const model = new Model();
      let state = setKeys(emptyState(), { network: 'bitcoin', session: 0, keyPair });
      for (const step of steps) {
        state = apply(state, model, step);
        expect(state.balances).toEqual(model.expectedBalances());
        expect(supplyProblem(state)).toBeUndefined();
        expect(BigInt(totals(state).bitcoin.supply)).toBe(model.supply);
      }

      // Drain: every accepted burn and Batch reaches exactly one block, in order.
      while (state.pendingBurns.length > 0 || state.open.batches.length > 0) state = produceBlock(state, Number(state.lastTime) + 1, { maxBurnsPerNetwork: 2 }).state;
      const emitted = state.blocks.flatMap((block) => block.networks.bitcoin?.burns.map((record) => record.burn) ?? []);
      expect(emitted).toEqual(model.burns);
      const ids = state.blocks.flatMap((block) => block.networks.bitcoin?.batches ?? []);
      expect(ids).toEqual(Array.from({ length: model.nextId }, (_, id) => id));
      expect(parseState(serializeState(state))).toEqual(state);
    }),
    { numRuns: 100 },
  );
});
