/**
 * The client of the payload store: content-addressed bytes behind HTTP (`PUT /payloads/<sha256>`,
 * `GET /payloads/<sha256>`), shared by every process that holds the codec keys. Whatever the store
 * answers is checked against the digest asked for, so a store that loses or alters a blob is
 * caught on arrival; it only ever holds payloads the codec has already encrypted.
 */
import { createHash } from 'node:crypto';

export const DIGEST_HEX = /^[0-9a-f]{64}$/;

export interface PayloadStore {
  /** Stores `bytes` (idempotent) and returns their SHA-256, hex. */
  put(bytes: Uint8Array): Promise<string>;
  /** The bytes whose SHA-256 is `digest`; throws PayloadStoreError when the store has none or they do not match. */
  get(digest: string): Promise<Uint8Array>;
}

/** The store is unreachable, refused a write, or has no bytes (or wrong bytes) for a digest. */
export class PayloadStoreError extends Error {
  static readonly type = 'PayloadStoreError';
  override readonly name = PayloadStoreError.type;
}

/** SHA-256, hex: OpenSSL's, as a relayed DKG round hashes about 100 MB at n = 150 (noble's takes 120 ms per 2 MB here). */
export function payloadDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Keeps recently fetched blobs, newest last, up to `maxBytes` in all: a replayed workflow asks for the same ones again. */
class BlobCache {
  private readonly blobs = new Map<string, Uint8Array>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  get(digest: string): Uint8Array | undefined {
    const blob = this.blobs.get(digest);
    if (blob) {
      this.blobs.delete(digest);
      this.blobs.set(digest, blob);
    }
    return blob;
  }

  set(digest: string, blob: Uint8Array): void {
    if (blob.length > this.maxBytes || this.blobs.has(digest)) return;
    this.blobs.set(digest, blob);
    this.bytes += blob.length;
    for (const [oldest, old] of this.blobs) {
      if (this.bytes <= this.maxBytes) break;
      this.blobs.delete(oldest);
      this.bytes -= old.length;
    }
  }
}

export class HttpPayloadStore implements PayloadStore {
  private readonly base: string;
  private readonly cache: BlobCache;

  constructor(url: string, options: { cacheBytes?: number; timeoutMs?: number } = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PayloadStoreError(`payload store URL ${JSON.stringify(url)} is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new PayloadStoreError(`payload store URL ${url} must be http(s)`);
    this.base = url.replace(/\/+$/, '');
    this.cache = new BlobCache(options.cacheBytes ?? 64 * 1024 * 1024);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  private readonly timeoutMs: number;

  get url(): string {
    return this.base;
  }

  async put(bytes: Uint8Array): Promise<string> {
    const digest = payloadDigest(bytes);
    const response = await this.request(digest, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
    if (response.status !== 201 && response.status !== 200) {
      throw new PayloadStoreError(`payload store refused ${digest}: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
    }
    this.cache.set(digest, bytes);
    return digest;
  }

  async get(digest: string): Promise<Uint8Array> {
    if (!DIGEST_HEX.test(digest)) throw new PayloadStoreError(`${JSON.stringify(digest)} is not a SHA-256 digest`);
    const cached = this.cache.get(digest);
    if (cached) return cached;
    const response = await this.request(digest, { method: 'GET' });
    if (response.status === 404) throw new PayloadStoreError(`payload store has no payload ${digest}`);
    if (response.status !== 200) throw new PayloadStoreError(`payload store answered HTTP ${response.status} for ${digest}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const actual = payloadDigest(bytes);
    if (actual !== digest) throw new PayloadStoreError(`payload store returned bytes hashing to ${actual} for ${digest}`);
    this.cache.set(digest, bytes);
    return bytes;
  }

  private async request(digest: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.base}/payloads/${digest}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new PayloadStoreError(`payload store ${this.base} unreachable (${init.method} ${digest}): ${(err as Error).message}`);
    }
  }
}
