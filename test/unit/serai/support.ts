/**
 * Helpers for the Serai simulator tests: validator sets with real threshold sr25519 keys (the
 * processor's own signing code, trusted-dealer shares), Batches, and refusal checks.
 */
import type { Key } from '@noble/curves/abstract/frost.js';
import { bytesToHex } from '@noble/hashes/utils.js';

import { dealKeys, signWithThreshold } from '../../../crypto/sign/simulate';
import { schemes } from '../../../crypto/suites';
import { batchMessage } from '../../../messages/batch';
import type { KeyPair } from '../../../messages/ids';
import type { Batch, InInstructionWithBalance, SignedBatch } from '../../../messages/instructions';
import type { ExternalNetwork } from '../../../messages/networks';
import type { Hex } from '../../../messages/primitives';
import { serializeState } from '../../../devnet/serai/serialize';
import type { SeraiChainState } from '../../../devnet/serai/state';

export interface ThresholdSet {
  t: number;
  n: number;
  keys: Map<number, Key>;
  keyPair: KeyPair;
}

/** A t-of-n set: sr25519 shares from a trusted dealer and its key pair as Serai stores it. */
export function thresholdSet(t: number, n: number, networkKey: Hex = '02' + '5e'.repeat(32)): ThresholdSet {
  const keys = dealKeys(schemes.sr25519, t, n);
  const substrateKey = bytesToHex(schemes.sr25519.groupKeyEncoding(keys.get(1)!.public));
  return { t, n, keys, keyPair: { substrate_key: substrateKey, network_key: networkKey } };
}

/** A threshold signature of `signers` (default: the first t) over `b"InInstructions-batch" || SCALE(batch)`. */
export function signBatch(set: ThresholdSet, batch: Batch, signers?: number[]): SignedBatch {
  const who = signers ?? Array.from({ length: set.t }, (_, k) => k + 1);
  const { signature } = signWithThreshold(schemes.sr25519, set.keys, who, batchMessage(batch));
  return { batch, signature: bytesToHex(signature) };
}

/** A deterministic 32-byte value (Serai accounts, external block hashes). */
export function hex32(label: number): Hex {
  return label.toString(16).padStart(2, '0').repeat(32);
}

export function transfer(address: Hex, amount: string | bigint, coin: 'bitcoin' | 'ether' | 'dai' | 'monero' = 'bitcoin'): InInstructionWithBalance {
  return { instruction: { kind: 'Transfer', address }, balance: { coin, amount: String(amount) } };
}

export function batchOf(network: ExternalNetwork, id: number, instructions: InInstructionWithBalance[], block: Hex = hex32(0xb0 + id)): Batch {
  return { network, id, block, instructions };
}

/** Freezes every object reachable from `value`, so any in-place change throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Runs `operation` on a frozen `state`, expects it to throw, and that the state is untouched. */
export function refusal(state: SeraiChainState, operation: (state: SeraiChainState) => unknown): Error {
  const before = serializeState(state);
  deepFreeze(state);
  let thrown: unknown;
  try {
    operation(state);
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof Error)) throw new Error('expected the operation to be refused');
  expect(serializeState(state)).toBe(before);
  return thrown;
}
