/**
 * A hash transcript: SHA-512 over length-framed (label, value) pairs after a domain label, so no
 * two different sequences of appends hash the same. Challenges are 64 bytes reduced modulo the
 * group order (bias below 2^-250).
 */
import type { IField } from '@noble/curves/abstract/modular.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';

const text = new TextEncoder();

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

export class Transcript {
  readonly #hash = sha512.create();

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
    const fork = this.#hash.clone();
    fork.update(lengthPrefixed(text.encode(label)));
    return fork.digest();
  }

  challengeScalar(label: string, Fn: IField<bigint>): bigint {
    return Fn.create(bytesToNumberBE(this.challengeBytes(label)));
  }
}
