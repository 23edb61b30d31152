/**
 * The SCALE encodings the protocol needs (parity-scale-codec): little-endian fixed-width
 * integers, compact integers, fixed arrays, Vec with a compact length prefix, Option, enum
 * variants as a u8 index followed by their fields, and tuples/structs as concatenation.
 *
 * Inputs are values this system already validated; a value out of range is a programming error
 * and throws a RangeError.
 */
import { concatBytes } from '@noble/hashes/utils.js';

const MAX_U64 = 0xffff_ffff_ffff_ffffn;

function littleEndian(value: bigint, width: number): Uint8Array {
  const out = new Uint8Array(width);
  let rest = value;
  for (let i = 0; i < width; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

function requireUnsigned(value: number | bigint, max: bigint, type: string): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`${type}: not an integer`);
  const big = BigInt(value);
  if (big < 0n || big > max) throw new RangeError(`${type}: out of range`);
  return big;
}

export function u8(value: number): Uint8Array {
  return littleEndian(requireUnsigned(value, 0xffn, 'u8'), 1);
}

export function u16(value: number): Uint8Array {
  return littleEndian(requireUnsigned(value, 0xffffn, 'u16'), 2);
}

export function u32(value: number): Uint8Array {
  return littleEndian(requireUnsigned(value, 0xffff_ffffn, 'u32'), 4);
}

export function u64(value: bigint | number): Uint8Array {
  return littleEndian(requireUnsigned(value, MAX_U64, 'u64'), 8);
}

/**
 * `Compact<uN>`: the two low bits of the first byte select the mode. 0b00: one byte (< 2^6),
 * 0b01: two bytes (< 2^14), 0b10: four bytes (< 2^30), 0b11: the upper six bits hold the byte
 * count minus four and the value follows in as few little-endian bytes as hold it (>= 4).
 */
export function compact(value: number | bigint): Uint8Array {
  const big = requireUnsigned(value, (1n << 536n) - 1n, 'compact');
  if (big < 1n << 6n) return littleEndian(big << 2n, 1);
  if (big < 1n << 14n) return littleEndian((big << 2n) | 0b01n, 2);
  if (big < 1n << 30n) return littleEndian((big << 2n) | 0b10n, 4);
  let length = 4;
  while (big >> BigInt(8 * length) > 0n) length++;
  return concatBytes(u8(((length - 4) << 2) | 0b11), littleEndian(big, length));
}

/** `[u8; N]`: the bytes themselves, of exactly the declared length. */
export function fixedBytes(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length !== length) throw new RangeError(`[u8; ${length}]: got ${bytes.length} bytes`);
  return Uint8Array.from(bytes);
}

/** `Vec<u8>` (also BoundedVec<u8, N>): compact length, then the bytes. */
export function byteVec(bytes: Uint8Array): Uint8Array {
  return concatBytes(compact(bytes.length), bytes);
}

/** `Vec<T>`: compact item count, then each item. */
export function vec<T>(items: readonly T[], encodeItem: (item: T) => Uint8Array): Uint8Array {
  return concatBytes(compact(items.length), ...items.map(encodeItem));
}

/** `Option<T>`: 0 for None, 1 then the value for Some. */
export function option<T>(value: T | null | undefined, encodeValue: (value: T) => Uint8Array): Uint8Array {
  return value === null || value === undefined ? u8(0) : concatBytes(u8(1), encodeValue(value));
}

/** An enum variant: its index as a u8, then its fields. */
export function variant(index: number, ...fields: Uint8Array[]): Uint8Array {
  return concatBytes(u8(index), ...fields);
}

/** A tuple or struct: its fields in order, nothing else. */
export function tuple(...fields: Uint8Array[]): Uint8Array {
  return concatBytes(...fields);
}
