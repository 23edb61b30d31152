/**
 * The participant's secret DKG state after round 1 and after round 2, and their byte encodings.
 * The keystore stores these (sealed, write-once) so a round can run in a new process after a crash
 * and continue with the same polynomial, encryption key and round-2 randomness.
 *
 *   header:   tag kind version  network(u8 length + utf8) session:u32 attempt:u32 key:u8  t:u16 n:u16 participant:u16
 *   round 1:  header  seed(32)  e  a_0..a_{t-1}  message(u32 length + bytes)
 *   round 2:  header  share  e  round1Digest(64)  M_0..M_{t-1}  V_1..V_n  E_j (j = 1..n, j != participant)  message(u32 length + bytes)
 */
import type { CurvePoint } from '@noble/curves/abstract/curve.js';

import { ByteReader, ByteWriter } from './bytes';
import { DKG_KEYS, validateContext, validateParams, validateParticipant, type DkgContext, type DkgParams } from './context';
import { DkgError } from './errors';
import { decodeRound1 } from './messages';
import type { DkgSuite } from './suite';

const STATE_KIND = { round1: 0x11, round2: 0x12 } as const;
const STATE_VERSION = 1;
export const SEED_BYTES = 32;
export const DIGEST_BYTES = 64;

export interface StateHeader {
  readonly context: DkgContext;
  readonly params: DkgParams;
  readonly participant: number;
}

export interface Round1State extends StateHeader {
  readonly stage: 'round1';
  /** Secret: derives this participant's round-2 randomness (ephemeral keys, nonces). */
  readonly seed: Uint8Array;
  /** Secret: e, whose public key E = e·G is in the round-1 message. */
  readonly encryptionSecret: bigint;
  /** Secret: the polynomial a_0 + a_1 x + ... + a_{t-1} x^{t-1}. */
  readonly coefficients: readonly bigint[];
  /** Our own round-1 broadcast. */
  readonly message: Uint8Array;
}

export interface Round2State extends StateHeader {
  readonly stage: 'round2';
  /** Secret: f_self(self), our share of our own polynomial. */
  readonly ownShare: bigint;
  readonly encryptionSecret: bigint;
  /** Digest of all n round-1 messages as authenticated in round 2. */
  readonly round1Digest: Uint8Array;
  /** Our own round-1 broadcast, still needed to check round 3's input against the digest. */
  readonly message: Uint8Array;
  /** Public, precomputed in round 2: Σ_j C_{j,k} for k = 0..t-1 (M_0 is the group key). */
  readonly groupCommitments: readonly Uint8Array[];
  /** Public: V_l = Σ_k l^k·M_k for l = 1..n (index l-1). */
  readonly verifyingShares: readonly Uint8Array[];
  /** Public: Σ_k self^k·C_{j,k}, what sender j's share times G must equal, for j != self in order. */
  readonly expectedShares: readonly Uint8Array[];
}

function writeHeader<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, kind: number, state: StateHeader): ByteWriter {
  const network = new TextEncoder().encode(state.context.network);
  return new ByteWriter()
    .u8(suite.tag)
    .u8(kind)
    .u8(STATE_VERSION)
    .u8(network.length)
    .bytes(network)
    .u32(state.context.session)
    .u32(state.context.attempt)
    .u8(DKG_KEYS.indexOf(state.context.key))
    .u16(state.params.t)
    .u16(state.params.n)
    .u16(state.participant);
}

function readHeader<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, kind: number, reader: ByteReader): StateHeader {
  reader.expectU8(suite.tag, 'suite');
  reader.expectU8(kind, 'kind');
  reader.expectU8(STATE_VERSION, 'version');
  const networkBytes = reader.take(reader.u8('network length'), 'network');
  let network: string;
  try {
    network = new TextDecoder('utf-8', { fatal: true }).decode(networkBytes);
  } catch {
    throw reader.fail('network', 'not UTF-8');
  }
  const session = reader.u32('session');
  const attempt = reader.u32('attempt');
  const key = DKG_KEYS[reader.u8('key')];
  if (key === undefined) throw reader.fail('key', 'unknown key name');
  const t = reader.u16('t');
  const n = reader.u16('n');
  const participant = reader.u16('participant');
  try {
    const context = validateContext({ network, session, attempt, key });
    const params = validateParams({ t, n });
    validateParticipant(params, participant);
    return { context, params, participant };
  } catch (error) {
    if (error instanceof DkgError) throw reader.fail('header', error.message);
    throw error;
  }
}

function readOwnMessage<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, header: StateHeader, reader: ByteReader): Uint8Array {
  const message = reader.take(reader.u32('message length'), 'message').slice();
  try {
    decodeRound1(suite, header.params, message, header.participant);
  } catch (error) {
    if (error instanceof DkgError) throw reader.fail('message', error.message);
    throw error;
  }
  return message;
}

export function serializeRound1State<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, state: Round1State): Uint8Array {
  const { Fn } = suite.Point;
  const writer = writeHeader(suite, STATE_KIND.round1, state).bytes(state.seed).bytes(Fn.toBytes(state.encryptionSecret));
  for (const coefficient of state.coefficients) writer.bytes(Fn.toBytes(coefficient));
  return writer.u32(state.message.length).bytes(state.message).finish();
}

export function deserializeRound1State<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, bytes: Uint8Array): Round1State {
  const reader = new ByteReader(bytes, 'state', undefined);
  const header = readHeader(suite, STATE_KIND.round1, reader);
  const seed = reader.take(SEED_BYTES, 'seed').slice();
  const encryptionSecret = reader.scalar(suite, 'encryptionSecret');
  const coefficients: bigint[] = [];
  for (let k = 0; k < header.params.t; k++) coefficients.push(reader.scalar(suite, `coefficients[${k}]`));
  const message = readOwnMessage(suite, header, reader);
  reader.end();
  return { stage: 'round1', ...header, seed, encryptionSecret, coefficients, message };
}

export function serializeRound2State<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, state: Round2State): Uint8Array {
  const { Fn } = suite.Point;
  const writer = writeHeader(suite, STATE_KIND.round2, state)
    .bytes(Fn.toBytes(state.ownShare))
    .bytes(Fn.toBytes(state.encryptionSecret))
    .bytes(state.round1Digest);
  for (const point of [...state.groupCommitments, ...state.verifyingShares, ...state.expectedShares]) writer.bytes(point);
  return writer.u32(state.message.length).bytes(state.message).finish();
}

export function deserializeRound2State<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, bytes: Uint8Array): Round2State {
  const reader = new ByteReader(bytes, 'state', undefined);
  const header = readHeader(suite, STATE_KIND.round2, reader);
  const ownShare = reader.scalar(suite, 'ownShare', true);
  const encryptionSecret = reader.scalar(suite, 'encryptionSecret');
  const round1Digest = reader.take(DIGEST_BYTES, 'round1Digest').slice();
  const points = (count: number, field: string) => Array.from({ length: count }, (_, i) => reader.point(suite, `${field}[${i}]`).bytes.slice());
  const groupCommitments = points(header.params.t, 'groupCommitments');
  const verifyingShares = points(header.params.n, 'verifyingShares');
  const expectedShares = points(header.params.n - 1, 'expectedShares');
  const message = readOwnMessage(suite, header, reader);
  reader.end();
  return { stage: 'round2', ...header, ownShare, encryptionSecret, round1Digest, groupCommitments, verifyingShares, expectedShares, message };
}
