/**
 * Validation of the values that identify rows. Every check throws a `StoreInputError` naming the field,
 * so bad input from an activity surfaces as a typed failure instead of a SQLite exception.
 */
import { StoreInputError } from './errors';

/** Curves the processor holds keys on: secp256k1 (Bitcoin, Ethereum), ristretto255 (Serai), ed25519 (Monero). */
export const KEY_CURVES = ['secp256k1', 'ristretto255', 'ed25519'] as const;
export type KeyCurve = (typeof KEY_CURVES)[number];

const NETWORK_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
// Control characters would make ids unreadable in errors and logs.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const MAX_SIGN_ID_LENGTH = 256;
const MAX_VALUE_BYTES = 16 * 1024 * 1024;
const U32_MAX = 0xffff_ffff;
const U16_MAX = 0xffff;

function integerIn(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StoreInputError(field, `expected an integer in [${min}, ${max}], got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `a string of length ${value.length}`;
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return typeof value;
}

export function network(value: unknown, field = 'network'): string {
  if (typeof value !== 'string' || !NETWORK_PATTERN.test(value)) {
    throw new StoreInputError(field, `expected a lowercase name like "bitcoin" matching ${NETWORK_PATTERN}, got ${describe(value)}`);
  }
  return value;
}

export function curve(value: unknown, field = 'curve'): KeyCurve {
  const known = KEY_CURVES.find((name) => name === value);
  if (known === undefined) throw new StoreInputError(field, `expected one of ${KEY_CURVES.join(', ')}`);
  return known;
}

export function session(value: unknown, field = 'session'): number {
  return integerIn(field, value, 0, U32_MAX);
}

export function attempt(value: unknown, field = 'attempt'): number {
  return integerIn(field, value, 0, U32_MAX);
}

/** FROST participant indices start at 1 and fit a u16. */
export function participant(value: unknown, field = 'participant'): number {
  return integerIn(field, value, 1, U16_MAX);
}

export function signId(value: unknown, field = 'signId'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SIGN_ID_LENGTH || CONTROL_CHARACTERS.test(value)) {
    throw new StoreInputError(field, `expected 1..${MAX_SIGN_ID_LENGTH} printable characters, got ${describe(value)}`);
  }
  return value;
}

/** Non-empty bytes of bounded size; with `length`, exactly that many. */
export function bytes(value: unknown, field: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new StoreInputError(field, `expected a Uint8Array, got ${describe(value)}`);
  if (length !== undefined && value.length !== length) {
    throw new StoreInputError(field, `expected ${length} bytes, got ${value.length}`);
  }
  if (value.length === 0 || value.length > MAX_VALUE_BYTES) {
    throw new StoreInputError(field, `expected 1..${MAX_VALUE_BYTES} bytes, got ${value.length}`);
  }
  return value;
}

/** A message hash: a digest of 32 to 64 bytes (SHA-256, Keccak-256, BLAKE2b, SHA-512...). */
export function messageHash(value: unknown, field = 'messageHash'): Uint8Array {
  const hash = bytes(value, field);
  if (hash.length < 32 || hash.length > 64) throw new StoreInputError(field, `expected a 32..64-byte digest, got ${hash.length} bytes`);
  return hash;
}
