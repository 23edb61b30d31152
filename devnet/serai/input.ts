/**
 * The simulator's boundary: untrusted inputs in, typed values or a MalformedInputError naming the
 * field out. SignedBatches go through the processor-message validation of `messages/`, so the
 * chain accepts exactly what a processor may send.
 */
import { ristretto255 } from '@noble/curves/ed25519.js';
import { z } from 'zod';

import { parseProcessorMessage } from '../../messages/parse';
import { keyPair, type KeyPair } from '../../messages/ids';
import { data, externalAddress, seraiAddress, type SignedBatch } from '../../messages/instructions';
import { externalCoin, externalNetwork, type ExternalCoin, type ExternalNetwork } from '../../messages/networks';
import { session, u64, type Hex, type U64String } from '../../messages/primitives';
import { MalformedInputError } from './errors';

function fieldOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'input' : path.map(String).join('.');
}

function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue === undefined) throw new MalformedInputError('input', 'is invalid');
  if (issue.code === 'unrecognized_keys') throw new MalformedInputError(fieldOf([...issue.path, issue.keys[0] ?? '']), 'unexpected field');
  throw new MalformedInputError(fieldOf(issue.path), issue.message);
}

/** A SignedBatch as a processor sends it: shape, coins of the Batch's network, size, marker bit. */
export function parseSignedBatch(input: unknown): SignedBatch {
  const parsed = parseProcessorMessage({ kind: 'substrate.SignedBatch', batch: input });
  if (parsed.ok && parsed.message.kind === 'substrate.SignedBatch') return parsed.message.batch;
  if (parsed.ok) throw new MalformedInputError('input', 'is not a SignedBatch');
  // Fields are reported relative to the SignedBatch, not to the message wrapped around it.
  const field = parsed.error.field.replace(/^batch(\.|$)/, '') || 'input';
  throw new MalformedInputError(field, parsed.error.reason);
}

export interface SetKeysRequest {
  network: ExternalNetwork;
  session: number;
  keyPair: KeyPair;
}

const setKeysRequest = z.strictObject({ network: externalNetwork, session, keyPair });

export function parseSetKeys(input: unknown): SetKeysRequest {
  const request = parseInput(setKeysRequest, input);
  let identity: boolean;
  try {
    identity = ristretto255.Point.fromHex(request.keyPair.substrate_key).equals(ristretto255.Point.ZERO);
  } catch {
    throw new MalformedInputError('keyPair.substrate_key', 'expected a canonical ristretto255 point');
  }
  if (identity) throw new MalformedInputError('keyPair.substrate_key', 'expected a point other than the identity');
  return request;
}

export interface BurnRequest {
  /** The Serai account burning its coins. */
  from: Hex;
  coin: ExternalCoin;
  amount: U64String;
  /** The external address to pay, as bytes; the simulator does not judge whether it parses. */
  address: Hex;
  data?: Hex | null;
}

const burnRequest = z.strictObject({
  from: seraiAddress,
  coin: externalCoin,
  amount: u64.refine((amount) => amount !== '0', 'expected a non-zero amount'),
  address: externalAddress,
  data: data.nullable().optional(),
});

export function parseBurn(input: unknown): Required<BurnRequest> {
  const request = parseInput(burnRequest, input);
  return { ...request, data: request.data ?? null };
}

/** A devnet fault: coins credited to an account with no deposit behind them (a broken Serai). */
export interface FaultMintRequest {
  to: Hex;
  coin: ExternalCoin;
  amount: U64String;
}

const faultMintRequest = z.strictObject({ to: seraiAddress, coin: externalCoin, amount: u64.refine((amount) => amount !== '0', 'expected a non-zero amount') });

export function parseFaultMint(input: unknown): FaultMintRequest {
  return parseInput(faultMintRequest, input);
}

/** Serai time in seconds: a non-negative safe integer. */
export function parseTime(input: unknown): number {
  if (typeof input !== 'number' || !Number.isSafeInteger(input) || input < 0) {
    throw new MalformedInputError('time', 'expected whole seconds, a non-negative safe integer');
  }
  return input;
}
