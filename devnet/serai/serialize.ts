/**
 * State to JSON and back. Reading checks the shape and that the state is one the simulator could
 * have produced: supply equals the sum of balances, Batch ids are their indices, blocks chain
 * by parent hash and every block hash matches its contents. Anything else is a CorruptStateError.
 */
import { MAX_U64 } from '../../messages/limits';
import { batchLookup, blockHash } from './block-hash';
import { CorruptStateError } from './errors';
import { EXTERNAL_COINS, EXTERNAL_NETWORKS, seraiChainStateSchema, ZERO_HASH, type SeraiChainState } from './state';
import { supplyProblem } from './totals';

type Problem = { field: string; reason: string } | undefined;

export function serializeState(state: SeraiChainState): string {
  return JSON.stringify(state);
}

function ledgerProblem(state: SeraiChainState): Problem {
  for (const [account, holdings] of Object.entries(state.balances)) {
    if (Object.keys(holdings).length === 0) return { field: `balances.${account}`, reason: 'is an empty account' };
    for (const [coin, amount] of Object.entries(holdings)) {
      if (amount === '0') return { field: `balances.${account}.${coin}`, reason: 'is a zero balance' };
    }
  }
  const supply = supplyProblem(state);
  if (supply !== undefined) return { field: `coins.${supply.coin}`, reason: supply.reason };
  for (const coin of EXTERNAL_COINS) {
    if (BigInt(state.coins[coin].minted) - BigInt(state.coins[coin].burned) > MAX_U64) {
      return { field: `coins.${coin}`, reason: 'supply above 2^64 - 1' };
    }
  }
  return undefined;
}

function batchesProblem(state: SeraiChainState): Problem {
  for (const network of EXTERNAL_NETWORKS) {
    const records = state.batches[network];
    for (const [index, record] of records.entries()) {
      if (record.id !== index || record.network !== network) return { field: `batches.${network}.${index}`, reason: 'is not batch ' + index };
      if (record.seraiBlock > state.height + 1) return { field: `batches.${network}.${index}.seraiBlock`, reason: 'is after the open block' };
    }
    const { nextBatchId, session, keyPair } = state.networks[network];
    if (nextBatchId !== records.length) return { field: `networks.${network}.nextBatchId`, reason: `expected ${records.length}` };
    if ((session === null) !== (keyPair === null)) return { field: `networks.${network}.keyPair`, reason: 'expected keys exactly when a session is set' };
  }
  for (const [index, { network, id }] of state.open.batches.entries()) {
    if (state.batches[network][id]?.seraiBlock !== state.height + 1) return { field: `open.batches.${index}`, reason: 'is not a batch of the open block' };
  }
  return undefined;
}

function blocksProblem(state: SeraiChainState): Problem {
  if (state.blocks.length !== state.height) return { field: 'height', reason: `expected ${state.blocks.length}, the number of blocks` };
  let parent = ZERO_HASH;
  let time = 0n;
  const batchOf = batchLookup(state);
  for (const [index, block] of state.blocks.entries()) {
    const field = `blocks.${index}`;
    if (block.number !== index + 1) return { field: `${field}.number`, reason: `expected ${index + 1}` };
    if (block.parent !== parent) return { field: `${field}.parent`, reason: 'is not the previous block' };
    if (BigInt(block.time) < time) return { field: `${field}.time`, reason: 'is before the previous block' };
    let hash: string;
    try {
      hash = blockHash(block, batchOf);
    } catch {
      return { field, reason: 'names a batch that was never included' };
    }
    if (hash !== block.hash) return { field: `${field}.hash`, reason: 'does not match the contents' };
    parent = block.hash;
    time = BigInt(block.time);
  }
  if (state.lastHash !== parent) return { field: 'lastHash', reason: 'is not the last block' };
  if (BigInt(state.lastTime) !== time) return { field: 'lastTime', reason: "is not the last block's time" };
  return undefined;
}

/** Parses and checks a state read from storage. */
export function parseState(json: string): SeraiChainState {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new CorruptStateError('', 'is not JSON');
  }
  const parsed = seraiChainStateSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptStateError(issue?.path.map(String).join('.') ?? '', issue?.message ?? 'is invalid');
  }
  const state = parsed.data as SeraiChainState;
  const problem = ledgerProblem(state) ?? batchesProblem(state) ?? blocksProblem(state);
  if (problem !== undefined) throw new CorruptStateError(problem.field, problem.reason);
  return state;
}
