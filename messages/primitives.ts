import { z } from 'zod';

import { MAX_PARTICIPANT, MAX_U16, MAX_U32, MAX_U64, MAX_PEERS } from './limits';

/** Lowercase hex without `0x`: how byte strings travel inside the system. */
export type Hex = string;
/** A u64 as a canonical decimal string (JSON numbers cannot hold every u64). */
export type U64String = string;
/** A FROST participant index, 1..65535. */
export type Participant = number;
/** A map keyed by the decimal participant index, as HashMap<Participant, X> travels in JSON. */
export type ParticipantMap<T> = Record<string, T>;

/** Zod's error hook: a missing field says so, anything else gets the field's expectation. */
export function expecting(expectation: string) {
  return (issue: { input?: unknown }): string => (issue.input === undefined ? 'is required' : expectation);
}

const LOWERCASE_HEX = /^[0-9a-f]*$/;

function describeHexProblem(value: string, minBytes: number, maxBytes: number): string | undefined {
  // Checked before scanning so that an oversized string costs nothing.
  if (value.length > 2 * maxBytes + 2) return `got ${Math.floor(value.length / 2)} bytes`;
  if (value.startsWith('0x') || value.startsWith('0X')) return 'got a 0x prefix';
  if (!LOWERCASE_HEX.test(value)) return 'got a character that is not a lowercase hex digit';
  if (value.length % 2 !== 0) return 'got an odd number of hex digits';
  const bytes = value.length / 2;
  if (bytes < minBytes || bytes > maxBytes) return `got ${bytes} bytes`;
  return undefined;
}

/** A byte string of exactly `minBytes` bytes, or of `minBytes..maxBytes` bytes. */
export function hexBytes(minBytes: number, maxBytes: number = minBytes) {
  const expectation =
    minBytes === maxBytes ? `expected ${minBytes} hex bytes` : `expected ${minBytes}..${maxBytes} hex bytes`;
  return z.string({ error: expecting(expectation) }).superRefine((value, ctx) => {
    const problem = describeHexProblem(value, minBytes, maxBytes);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `${expectation}, ${problem}` });
  });
}

function unsignedInteger(max: number) {
  const expectation = `expected an integer 0..${max}`;
  return z
    .int({ error: expecting(expectation) })
    .min(0, { error: expectation })
    .max(max, { error: expectation });
}

export const u16 = unsignedInteger(MAX_U16);
export const u32 = unsignedInteger(MAX_U32);

const CANONICAL_DECIMAL = /^(0|[1-9][0-9]{0,19})$/;

/** A u64 as a canonical decimal string: no sign, no leading zeros, at most 2^64 - 1. */
export const u64 = z
  .string({ error: expecting('expected a u64 as a decimal string') })
  .superRefine((value, ctx) => {
    if (!CANONICAL_DECIMAL.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'expected a u64 as a decimal string without sign or leading zeros' });
    } else if (BigInt(value) > MAX_U64) {
      ctx.addIssue({ code: 'custom', message: 'expected a u64, got a value above 2^64 - 1' });
    }
  });

const participantExpectation = `expected a participant index 1..${MAX_PARTICIPANT}`;
export const participant = z
  .int({ error: expecting(participantExpectation) })
  .min(1, { error: participantExpectation })
  .max(MAX_PARTICIPANT, { error: participantExpectation });

const CANONICAL_PARTICIPANT_KEY = /^[1-9][0-9]{0,4}$/;
const participantKey = z
  .string()
  .refine((key) => CANONICAL_PARTICIPANT_KEY.test(key) && Number(key) <= MAX_PARTICIPANT);

const participantKeyExpectation = `expected a participant index 1..${MAX_PARTICIPANT} as key`;

/** Zod's record drops a `__proto__` key silently; a map holding one is malformed, not smaller. */
const withoutProtoKey = z.unknown().superRefine((value, ctx) => {
  if (typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, '__proto__')) {
    ctx.addIssue({ code: 'custom', message: participantKeyExpectation, path: ['__proto__'] });
  }
});

/** HashMap<Participant, X>: an object keyed by the decimal participant index. */
export function participantMap<T extends z.ZodType>(value: T, maxEntries: number = MAX_PEERS) {
  const map = z
    .record(participantKey, value, {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? participantKeyExpectation
          : expecting('expected an object keyed by participant index')(issue),
    })
    .superRefine((map, ctx) => {
      const entries = Object.keys(map).length;
      if (entries > maxEntries) {
        ctx.addIssue({ code: 'custom', message: `expected at most ${maxEntries} entries, got ${entries}` });
      }
    });
  return withoutProtoKey.pipe(map);
}

/** Vec<X> with an explicit bound. */
export function boundedArray<T extends z.ZodType>(item: T, minItems: number, maxItems: number) {
  const expectation = `expected an array of ${minItems}..${maxItems} entries`;
  return z
    .array(item, { error: expecting(expectation) })
    .min(minItems, { error: expectation })
    .max(maxItems, { error: expectation });
}

export const hex32 = hexBytes(32);
export const session = u32;
export const attempt = u32;
