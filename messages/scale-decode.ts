/**
 * A strict SCALE decoder (parity-scale-codec) for untrusted bytes: every read is bounds-checked,
 * lengths are checked against their cap before anything is read, compact integers must use their
 * canonical (shortest) mode, enum and Option tags must be known, and `end` refuses trailing bytes.
 *
 * Failures are a `ScaleDecodeError` naming the field; the bytes themselves are never echoed.
 */

export class ScaleDecodeError extends Error {
  override readonly name = 'ScaleDecodeError';

  constructor(
    /** Dotted path of the field being read, e.g. `Raw.instruction.Transfer.address`. */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export class ScaleReader {
  private offset = 0;

  constructor(private readonly input: Uint8Array) {}

  /** Bytes not read yet. */
  get remaining(): number {
    return this.input.length - this.offset;
  }

  u8(field: string): number {
    return this.take(field, 1)[0] as number;
  }

  u16(field: string): number {
    return Number(this.littleEndian(field, 2));
  }

  u32(field: string): number {
    return Number(this.littleEndian(field, 4));
  }

  u64(field: string): bigint {
    return this.littleEndian(field, 8);
  }

  /** `Compact<uN>`, refused unless canonical and at most `max`. */
  compact(field: string, max: bigint): bigint {
    const first = this.u8(field);
    let value: bigint;
    switch (first & 0b11) {
      case 0b00:
        value = BigInt(first >> 2);
        break;
      case 0b01:
        value = (BigInt(first) | (BigInt(this.u8(field)) << 8n)) >> 2n;
        if (value < 1n << 6n) throw new ScaleDecodeError(field, 'non-canonical compact integer');
        break;
      case 0b10:
        value = (BigInt(first) | (this.littleEndian(field, 3) << 8n)) >> 2n;
        if (value < 1n << 14n) throw new ScaleDecodeError(field, 'non-canonical compact integer');
        break;
      default: {
        const length = (first >> 2) + 4;
        const bytes = this.take(field, length);
        if (bytes[length - 1] === 0) throw new ScaleDecodeError(field, 'non-canonical compact integer');
        value = littleEndianValue(bytes);
        if (value < 1n << 30n) throw new ScaleDecodeError(field, 'non-canonical compact integer');
      }
    }
    if (value > max) throw new ScaleDecodeError(field, `compact integer above ${max}`);
    return value;
  }

  /** `[u8; N]`. */
  fixedBytes(field: string, length: number): Uint8Array {
    return Uint8Array.from(this.take(field, length));
  }

  /** `Vec<u8>` / `BoundedVec<u8, max>`: the length is checked against `max` before reading. */
  byteVec(field: string, max: number): Uint8Array {
    const length = Number(this.compact(`${field}.length`, BigInt(max)));
    return this.fixedBytes(field, length);
  }

  /** `Option<T>`: tag 0 is None, 1 is Some, anything else is refused. */
  option<T>(field: string, readSome: (reader: ScaleReader) => T): T | null {
    const tag = this.u8(field);
    if (tag === 0) return null;
    if (tag === 1) return readSome(this);
    throw new ScaleDecodeError(field, `unknown Option tag ${tag}`);
  }

  /** An enum's variant index, refused unless it is below `variants`. */
  variant(field: string, variants: number): number {
    const index = this.u8(field);
    if (index >= variants) throw new ScaleDecodeError(field, `unknown variant ${index}`);
    return index;
  }

  /** Refuses trailing bytes: a value's encoding is exactly its input. */
  end(field: string): void {
    if (this.remaining !== 0) throw new ScaleDecodeError(field, `${this.remaining} trailing byte(s)`);
  }

  private take(field: string, length: number): Uint8Array {
    if (length > this.remaining) {
      throw new ScaleDecodeError(field, `needs ${length} byte(s), ${this.remaining} left`);
    }
    const bytes = this.input.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }

  private littleEndian(field: string, width: number): bigint {
    return littleEndianValue(this.take(field, width));
  }
}

function littleEndianValue(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  return value;
}
