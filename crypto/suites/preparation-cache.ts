/**
 * Memoized key preparation. Preparing a public package moves every verifying share (a point
 * decompression, addition and compression each: ~40 ms at n = 100, four times a signature share),
 * and signing activities prepare the same key again and again. Results are keyed by a digest of
 * the package's content, not by object identity, so they are found across activities; callers get
 * copies, so nothing they do to a result reaches the cache.
 */
import { createHash } from 'node:crypto';
import type { FrostPublic } from '@noble/curves/abstract/frost.js';

const CAPACITY = 64;

function digestOf(tag: string, pub: FrostPublic): string {
  const hash = createHash('sha256');
  const field = (bytes: Uint8Array | string) => {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    hash.update(length).update(data);
  };
  field(tag);
  field(`${pub.signers.min}/${pub.signers.max}`);
  for (const commitment of pub.commitments) field(commitment);
  for (const id of Object.keys(pub.verifyingShares).sort()) {
    field(id);
    field(pub.verifyingShares[id]!);
  }
  return hash.digest('hex');
}

function copyPublic(pub: FrostPublic): FrostPublic {
  return {
    signers: { min: pub.signers.min, max: pub.signers.max },
    commitments: pub.commitments.map((c) => Uint8Array.from(c)),
    verifyingShares: Object.fromEntries(Object.entries(pub.verifyingShares).map(([id, v]) => [id, Uint8Array.from(v)])),
  } as FrostPublic;
}

/** A bounded least-recently-used cache: `get` computes on a miss. */
class Lru<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity = CAPACITY) {}

  get(key: string, compute: () => V): V {
    let value: V;
    if (this.entries.has(key)) {
      value = this.entries.get(key)!;
      this.entries.delete(key);
    } else {
      value = compute();
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, value);
    return value;
  }
}

/** A bounded LRU memo of a function of one string. */
export function memoize<V>(compute: (key: string) => V): (key: string) => V {
  const cache = new Lru<V>();
  return (key) => cache.get(key, () => compute(key));
}

/** `prepare` with a bounded LRU in front, keyed by scheme, kind and the package's content. */
export function memoizedPreparation<K extends string | undefined>(
  scheme: string,
  prepare: (pub: FrostPublic, kind: K) => FrostPublic,
): (pub: FrostPublic, kind: K) => FrostPublic {
  const cache = new Lru<FrostPublic>();
  return (pub, kind) =>
    copyPublic(cache.get(digestOf(`${scheme}:${kind ?? ''}`, pub), () => copyPublic(prepare(pub, kind))));
}
