/**
 * Every refusal of the Serai chain simulator, one class per cause with a stable `name`. A refused
 * operation never changes the state. Messages name accounts, networks, ids and amounts (all public
 * on a chain), never key material.
 */
import type { ExternalCoin, ExternalNetwork } from '../../messages/networks';

function describe(cause: unknown): string {
  // Not `instanceof Error`: Node's fs errors may come from another realm.
  const message = typeof cause === 'object' && cause !== null ? (cause as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(cause);
}

export abstract class SeraiChainError extends Error {
  abstract override readonly name: string;
}

/** An input field is malformed; `field` is its dotted path (`batch.instructions.0.balance.coin`). */
export class MalformedInputError extends SeraiChainError {
  override readonly name = 'MalformedInputError';

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** A Batch for a network whose validator set has no keys on Serai yet. */
export class NoKeysForNetworkError extends SeraiChainError {
  override readonly name = 'NoKeysForNetworkError';

  constructor(readonly network: ExternalNetwork) {
    super(`${network}: no validator set keys are set`);
  }
}

/** The Batch signature verifies under neither the current nor the prior (unretired) set key. */
export class InvalidBatchSignatureError extends SeraiChainError {
  override readonly name = 'InvalidBatchSignatureError';

  constructor(
    readonly network: ExternalNetwork,
    readonly id: number,
    readonly reason: string,
  ) {
    super(`${network} batch ${id}: ${reason}`);
  }
}

/** A Batch id below the next expected one: a replay or an already included Batch. */
export class StaleBatchError extends SeraiChainError {
  override readonly name = 'StaleBatchError';

  constructor(
    readonly network: ExternalNetwork,
    readonly id: number,
    readonly expected: number,
  ) {
    super(`${network} batch ${id}: already included (next expected id is ${expected})`);
  }
}

/** A Batch id above the next expected one: ids are sequential per network, gaps are refused. */
export class FutureBatchError extends SeraiChainError {
  override readonly name = 'FutureBatchError';

  constructor(
    readonly network: ExternalNetwork,
    readonly id: number,
    readonly expected: number,
  ) {
    super(`${network} batch ${id}: out of order (next expected id is ${expected})`);
  }
}

/** Serai includes at most one Batch per network per block; publish again after the next block. */
export class BatchSlotTakenError extends SeraiChainError {
  override readonly name = 'BatchSlotTakenError';

  constructor(
    readonly network: ExternalNetwork,
    readonly id: number,
    readonly block: number,
  ) {
    super(`${network} batch ${id}: block ${block} already includes a batch of ${network}`);
  }
}

/** A burn of more than the account holds. */
export class InsufficientBalanceError extends SeraiChainError {
  override readonly name = 'InsufficientBalanceError';

  constructor(
    readonly account: string,
    readonly coin: ExternalCoin,
    readonly requested: string,
    readonly available: string,
  ) {
    super(`${account}: burning ${requested} ${coin} but the balance is ${available}`);
  }
}

/** Keys for a session that is not after the network's current one. */
export class SessionOrderError extends SeraiChainError {
  override readonly name = 'SessionOrderError';

  constructor(
    readonly network: ExternalNetwork,
    readonly session: number,
    readonly current: number,
  ) {
    super(`${network}: keys for session ${session}, but session ${current} already has keys`);
  }
}

/** A block time before the previous block's (Serai time never goes backwards). */
export class BlockTimeError extends SeraiChainError {
  override readonly name = 'BlockTimeError';

  constructor(
    readonly time: string,
    readonly previous: string,
  ) {
    super(`block time ${time} is before the previous block's ${previous}`);
  }
}

/** Persisted state that is not a state this simulator could have produced; `field` '' is the whole state. */
export class CorruptStateError extends SeraiChainError {
  override readonly name = 'CorruptStateError';

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(field === '' ? `state: ${reason}` : `state.${field}: ${reason}`);
  }
}

/** The state file could not be read or written. */
export class SeraiStoreError extends SeraiChainError {
  override readonly name = 'SeraiStoreError';

  constructor(
    readonly path: string,
    readonly operation: 'read' | 'write',
    override readonly cause: unknown,
  ) {
    super(`${operation} ${path}: ${describe(cause)}`);
  }
}
