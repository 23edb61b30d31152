/**
 * What the accelerated signing path needs to know about one FROST ciphersuite.
 *
 * It mirrors the options noble's `createFROST` takes (context string, hashes, challenge, the
 * BIP340 parity hooks, signature encoding) plus a `GroupEngine`: the public-point arithmetic the
 * fast path uses instead of noble's one-point-at-a-time parsing and multiplication.
 */
import type { IField } from '@noble/curves/abstract/modular.js';
import type { PublicScalar } from '../fast/public-scalar';

/** The subset of a noble point the signing path uses. */
export interface NoblePoint<P> {
  add(other: P): P;
  negate(): P;
  /** Constant-time scalar multiplication (used with secret nonces). */
  multiply(scalar: bigint): P;
  equals(other: P): boolean;
  is0(): boolean;
  toBytes(compressed?: boolean): Uint8Array;
}

export interface NoblePointCons<P> {
  readonly BASE: P;
  readonly ZERO: P;
  fromBytes(bytes: Uint8Array): P;
}

/**
 * Arithmetic on public points in the engine's own representation `E`.
 * Never used with secret scalars: it is variable-time, and `msm` takes only `PublicScalar`s
 * (crypto/fast/public-scalar.ts), so a plain bigint such as a share or a nonce does not typecheck.
 */
export interface GroupEngine<P, E> {
  /** Length of one point in our commitment wire format. */
  readonly wireLength: number;
  /** Strictly decodes one wire point; throws an Error whose message is the reason. */
  decodeWire(bytes: Uint8Array): E;
  /** noble's canonical serialization of a decoded wire point (what RFC 9591 hashes), without arithmetic. */
  canonicalFromWire(bytes: Uint8Array): Uint8Array;
  encodeWire(point: P): Uint8Array;
  fromNoble(point: P): E;
  toNoble(point: E): P;
  /** Σ scalars[i]·points[i]; scalars in [0, n), each asserted public by the caller. */
  msm(points: readonly E[], scalars: readonly PublicScalar[]): E;
  isIdentity(point: E): boolean;
  readonly base: E;
}

export interface SuiteSpec<P extends NoblePoint<P>, E> {
  /** The FROST context string: prefix of H1 (`rho`), H3 (`nonce`), H4 (`msg`), H5 (`com`). */
  readonly contextString: string;
  readonly Point: NoblePointCons<P>;
  readonly Fn: IField<bigint>;
  readonly hash: (msg: Uint8Array) => Uint8Array;
  readonly hashToScalar: (msg: Uint8Array, dst: Uint8Array) => bigint;
  readonly challenge: (R: P, PK: P, msg: Uint8Array) => bigint;
  /** Present for BIP340 suites: keys and nonces are normalized to even y, as noble's schnorr_FROST does. */
  readonly hasOddY?: (point: P) => boolean;
  /** noble's `Signature.encode(R, z)` for this suite. */
  readonly encodeSignature: (R: P, z: bigint) => Uint8Array;
  readonly engine: GroupEngine<P, E>;
}
