import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ENCODING_CLAIM_CHECK, NoPayloadStoreCodec } from '../../temporal/claim-check';
import { createDataConverter } from '../../temporal/data-converter';
import { HttpPayloadStore, PayloadStoreError, payloadDigest } from '../../temporal/payload-store';
import { startPayloadStoreServer, type RunningPayloadStore } from '../../temporal/payload-store-server';
import { parseKeyring } from '../../temporal/keyring';

const keyring = parseKeyring(`k1=${bytesToHex(randomBytes(32))}`, 'test');

async function encode(payloads: Payload[], url: string, claimCheckBytes: number): Promise<Payload[]> {
  let out = payloads;
  for (const codec of createDataConverter(keyring, { url, claimCheckBytes }).payloadCodecs!) out = await codec.encode(out);
  return out;
}

async function decode(payloads: Payload[], url: string | undefined): Promise<Payload[]> {
  let out = payloads;
  for (const codec of [...createDataConverter(keyring, url ? { url } : undefined).payloadCodecs!].reverse()) out = await codec.decode(out);
  return out;
}

const encodingOf = (p: Payload) => Buffer.from(p.metadata!.encoding!).toString();

describe('payload store and claim-check codec (a real HTTP store on loopback)', () => {
  let dir: string;
  let server: RunningPayloadStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'payload-store-'));
    server = await startPayloadStoreServer({ dir });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the server stores bytes under their SHA-256 only and serves them back', async () => {
    const bytes = randomBytes(5000);
    const digest = payloadDigest(bytes);
    const put = (name: string, body: Uint8Array) => fetch(`${server.url}/payloads/${name}`, { method: 'PUT', body });
    expect((await put(digest, bytes)).status).toBe(201);
    expect((await put(digest, bytes)).status).toBe(200);
    expect((await put(payloadDigest(randomBytes(8)), bytes)).status).toBe(400);
    expect((await put('not-a-digest', bytes)).status).toBe(400);
    const got = await fetch(`${server.url}/payloads/${digest}`);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
    expect((await fetch(`${server.url}/payloads/${payloadDigest(randomBytes(8))}`)).status).toBe(404);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('the client refuses bytes that do not hash to the digest asked for, and names a missing one', async () => {
    const bytes = randomBytes(3000);
    const digest = await new HttpPayloadStore(server.url).put(bytes);
    writeFileSync(join(dir, digest), randomBytes(3000));
    await expect(new HttpPayloadStore(server.url).get(digest)).rejects.toThrow(/hashing to [0-9a-f]{64}/);
    const missing = payloadDigest(randomBytes(8));
    await expect(new HttpPayloadStore(server.url).get(missing)).rejects.toThrow(PayloadStoreError);
    await expect(new HttpPayloadStore('http://127.0.0.1:1').get(missing)).rejects.toThrow(/unreachable/);
    expect(() => new HttpPayloadStore('ftp://x')).toThrow(/http/);
  });

  test('a payload from the threshold on leaves as a 32-byte digest, encrypted in the store, and decodes back', async () => {
    const marker = 'claim-check marker';
    const large = defaultPayloadConverter.toPayload({ marker, filler: 'ab'.repeat(20_000) });
    const small = defaultPayloadConverter.toPayload({ marker });
    const [claimed, inline] = await encode([large, small], server.url, 8 * 1024);
    expect(encodingOf(claimed!)).toBe(ENCODING_CLAIM_CHECK);
    expect(claimed!.data!.length).toBe(32);
    expect(encodingOf(inline!)).toBe('binary/encrypted');
    const stored = await new HttpPayloadStore(server.url).get(bytesToHex(claimed!.data!));
    expect(Buffer.from(stored).includes(Buffer.from(marker))).toBe(false);
    const [back, backSmall] = await decode([claimed!, inline!], server.url);
    expect(defaultPayloadConverter.fromPayload(back!)).toEqual({ marker, filler: 'ab'.repeat(20_000) });
    expect(defaultPayloadConverter.fromPayload(backSmall!)).toEqual({ marker });
  });

  test('a claim check whose size disagrees with the stored bytes, or with no store to ask, is a typed failure', async () => {
    const [claimed] = await encode([defaultPayloadConverter.toPayload('x'.repeat(20_000))], server.url, 4096);
    const lying = { ...claimed!, metadata: { ...claimed!.metadata, 'claim-check-size': Buffer.from('12') } };
    await expect(decode([lying], server.url)).rejects.toMatchObject({ type: 'ClaimCheckError', nonRetryable: true });
    const noStore = new NoPayloadStoreCodec().decode([claimed!]);
    await expect(noStore).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(noStore).rejects.toMatchObject({ type: 'ClaimCheckError', message: expect.stringMatching(/PAYLOAD_STORE_URL/) });
    const gone = { ...claimed!, data: randomBytes(32) };
    await expect(decode([gone], server.url)).rejects.toMatchObject({ type: 'ClaimCheckError', nonRetryable: false, message: expect.stringMatching(/has no payload/) });
  });
});
