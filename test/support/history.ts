import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ENCODING_CLAIM_CHECK } from '../../temporal/claim-check';

/** Every payload-shaped object (has `data` bytes or `metadata`) anywhere in a raw history. */
export function collectPayloads(node: unknown, out: Payload[] = []): Payload[] {
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return out;
  if (Array.isArray(node)) {
    for (const item of node) collectPayloads(item, out);
    return out;
  }
  const record = node as Record<string, unknown>;
  if (record.data instanceof Uint8Array && typeof record.metadata === 'object' && record.metadata !== null) {
    out.push(record as Payload);
    return out;
  }
  for (const value of Object.values(record)) collectPayloads(value, out);
  return out;
}

/** All byte arrays and strings of a raw history, as one searchable buffer. */
export function rawHistoryBytes(node: unknown): Buffer {
  const parts: Buffer[] = [];
  const walk = (n: unknown): void => {
    if (n === null || n === undefined) return;
    if (n instanceof Uint8Array) parts.push(Buffer.from(n));
    else if (typeof n === 'string') parts.push(Buffer.from(n, 'utf8'));
    else if (Array.isArray(n)) n.forEach(walk);
    else if (typeof n === 'object') Object.values(n as Record<string, unknown>).forEach(walk);
  };
  walk(node);
  return Buffer.concat(parts);
}

/** True when `needle` occurs in `haystack` as UTF-8, hex or base64 (the forms a leak could take). */
export function containsInAnyEncoding(haystack: Buffer, needle: Uint8Array | string): boolean {
  const bytes = typeof needle === 'string' ? Buffer.from(needle, 'utf8') : Buffer.from(needle);
  const text = haystack.toString('latin1');
  return (
    haystack.includes(bytes) ||
    text.includes(bytes.toString('hex')) ||
    text.toLowerCase().includes(bytes.toString('hex')) ||
    text.includes(bytes.toString('base64').replace(/=+$/, ''))
  );
}

/** The encoded size of every payload of a raw history, and how many of them are claim checks (held in the payload store). */
export function payloadSizes(history: unknown): { largest: number; count: number; claimChecks: number } {
  let largest = 0;
  let claimChecks = 0;
  const payloads = collectPayloads(history);
  for (const payload of payloads) {
    largest = Math.max(largest, temporal.api.common.v1.Payload.encode(payload).finish().length);
    if (Buffer.from(payload.metadata?.encoding ?? []).toString() === ENCODING_CLAIM_CHECK) claimChecks++;
  }
  return { largest, count: payloads.length, claimChecks };
}
