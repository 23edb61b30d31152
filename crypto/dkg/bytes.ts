/**
 * Strict byte encoding for DKG messages and states: fixed-width big-endian integers, points and
 * scalars of the suite's exact width, and a reader that fails with a `DkgDecodeError` naming the
 * message kind, the participant and the field on any deviation, including trailing bytes.
 */
import type { CurvePoint } from '@noble/curves/abstract/curve.js';
import { concatBytes } from '@noble/curves/utils.js';

import { DkgDecodeError, type DkgEncodingKind } from './errors';
import type { DkgSuite } from './suite';

export class ByteWriter {
  readonly #parts: Uint8Array[] = [];

  u8(value: number): this {
    this.#parts.push(Uint8Array.of(value));
    return this;
  }

  u16(value: number): this {
    const out = new Uint8Array(2);
    new DataView(out.buffer).setUint16(0, value);
    this.#parts.push(out);
    return this;
  }

  u32(value: number): this {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value);
    this.#parts.push(out);
    return this;
  }

  bytes(value: Uint8Array): this {
    this.#parts.push(value);
    return this;
  }

  finish(): Uint8Array {
    return concatBytes(...this.#parts);
  }
}

export class ByteReader {
  #at = 0;

  constructor(
    private readonly input: Uint8Array,
    private readonly kind: DkgEncodingKind,
    private readonly participant: number | undefined,
  ) {
    if (!(input instanceof Uint8Array)) throw this.fail('bytes', 'expected a Uint8Array');
  }

  fail(field: string, reason: string): DkgDecodeError {
    return new DkgDecodeError(this.kind, this.participant, field, reason);
  }

  get remaining(): number {
    return this.input.length - this.#at;
  }

  take(length: number, field: string): Uint8Array {
    if (this.remaining < length) throw this.fail(field, `truncated: needs ${length} bytes, ${this.remaining} left`);
    const out = this.input.subarray(this.#at, this.#at + length);
    this.#at += length;
    return out;
  }

  u8(field: string): number {
    return this.take(1, field)[0] as number;
  }

  u16(field: string): number {
    const bytes = this.take(2, field);
    return ((bytes[0] as number) << 8) | (bytes[1] as number);
  }

  u32(field: string): number {
    const bytes = this.take(4, field);
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  }

  expectU8(expected: number, field: string): void {
    const value = this.u8(field);
    if (value !== expected) throw this.fail(field, `expected ${expected}, got ${value}`);
  }

  expectU16(expected: number, field: string): void {
    const value = this.u16(field);
    if (value !== expected) throw this.fail(field, `expected ${expected}, got ${value}`);
  }

  point<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, field: string): { point: P; bytes: Uint8Array } {
    const bytes = this.take(suite.pointBytes, field);
    try {
      return { point: suite.decodePoint(bytes), bytes };
    } catch {
      throw this.fail(field, 'not a canonical non-identity group element');
    }
  }

  /** A canonical scalar (< group order). Zero is allowed only where a caller says so. */
  scalar<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, field: string, allowZero = false): bigint {
    const bytes = this.take(suite.scalarBytes, field);
    const value = decodeScalar(suite, bytes);
    if (value === undefined) throw this.fail(field, 'not a canonical scalar');
    if (value === 0n && !allowZero) throw this.fail(field, 'zero scalar');
    return value;
  }

  end(): void {
    if (this.remaining !== 0) throw this.fail('length', `${this.remaining} trailing bytes`);
  }
}

/** The scalar encoded by `bytes`, or undefined if they are not a canonical encoding. */
export function decodeScalar<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, bytes: Uint8Array): bigint | undefined {
  if (bytes.length !== suite.scalarBytes) return undefined;
  try {
    const value = suite.Point.Fn.fromBytes(bytes);
    return suite.Point.Fn.isValid(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
