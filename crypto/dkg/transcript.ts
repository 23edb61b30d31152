/**
 * A hash transcript: SHA-512 over length-framed (label, value) pairs after a domain label, so no
 * two different sequences of appends hash the same. Challenges are 64 bytes reduced modulo the
 * group order (bias below 2^-250).
 *
 * SHA-512 is Node's (OpenSSL): a round hashes every participant's commitments, ~750 KB at
 * 101-of-150, which the pure-JS SHA-512 takes half a second for and OpenSSL a millisecond.
 */
import { createHash } from 'node:crypto';

import type { IField } from '@noble/curves/abstract/modular.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';

const text = new TextEncoder();

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

export class Transcript {
  readonly #hash = createHash('sha512');

  constructor(domain: string) {
    this.#hash.update(lengthPrefixed(text.encode(domain)));
  }

  append(label: string, value: Uint8Array): this {
    this.#hash.update(lengthPrefixed(text.encode(label)));
    this.#hash.update(lengthPrefixed(value));
    return this;
  }

  appendU16(label: string, value: number): this {
    const bytes = new Uint8Array(2);
    new DataView(bytes.buffer).setUint16(0, value);
    return this.append(label, bytes);
  }

  /** 64 bytes bound to everything appended so far and to `label`; the transcript stays usable. */
  challengeBytes(label: string): Uint8Array {
    const fork = this.#hash.copy();
    fork.update(lengthPrefixed(text.encode(label)));
    return new Uint8Array(fork.digest());
  }

  challengeScalar(label: string, Fn: IField<bigint>): bigint {
    return Fn.create(bytesToNumberBE(this.challengeBytes(label)));
  }
}

/** SHA-512 of one byte string. */
export function sha512(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha512').update(bytes).digest());
}
