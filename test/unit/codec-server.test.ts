import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../../temporal/codec';
import { startCodecServer, type RunningCodecServer } from '../../temporal/codec-server';
import { parseKeyring } from '../../temporal/keyring';

const UI_ORIGIN = 'http://127.0.0.1:8233';
let server: RunningCodecServer;

beforeAll(async () => {
  const codec = new AesGcmPayloadCodec(parseKeyring(`k1=${bytesToHex(randomBytes(32))}`, 'test'));
  server = await startCodecServer({ codec, allowedOrigins: [UI_ORIGIN], authToken: 'operator-token' });
});
afterAll(async () => {
  await server?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(server.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer operator-token', Origin: UI_ORIGIN, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

function toJson(p: ReturnType<typeof defaultPayloadConverter.toPayload>) {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
    data: Buffer.from(p.data!).toString('base64'),
  };
}

test('POST /encode then /decode round-trips payloads in the UI JSON format, with CORS for the UI', async () => {
  const original = toJson(defaultPayloadConverter.toPayload({ hello: 'operator' }));
  const enc = await post('/encode', { payloads: [original] });
  expect(enc.status).toBe(200);
  expect(enc.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  const encoded = (await enc.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
  expect(Buffer.from(encoded.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
  const dec = await post('/decode', encoded, { 'X-Namespace': 'default' });
  expect(dec.status).toBe(200);
  expect(((await dec.json()) as { payloads: unknown[] }).payloads[0]).toEqual(original);
});

test('CORS preflight is answered for the UI origin and refused for others', async () => {
  const ok = await fetch(server.url + '/decode', { method: 'OPTIONS', headers: { Origin: UI_ORIGIN, 'Access-Control-Request-Method': 'POST' } });
  expect(ok.status).toBe(204);
  expect(ok.headers.get('access-control-allow-headers')).toContain('X-Namespace');
  const bad = await fetch(server.url + '/decode', { method: 'OPTIONS', headers: { Origin: 'http://evil.example' } });
  expect(bad.status).toBe(403);
  expect(bad.headers.get('access-control-allow-origin')).toBeNull();
  expect((await post('/decode', { payloads: [] }, { Origin: 'http://evil.example' })).status).toBe(403);
});

test('requests without the token, with bad JSON, or on other paths are refused', async () => {
  expect((await post('/decode', { payloads: [] }, { Authorization: 'Bearer wrong' })).status).toBe(401);
  expect((await post('/decode', '{not json')).status).toBe(400);
  expect((await post('/decode', { payloads: 'x' })).status).toBe(400);
  expect((await post('/decode', { payloads: [{ metadata: { encoding: 5 } }] })).status).toBe(400);
  expect((await post('/other', { payloads: [] })).status).toBe(404);
  const undecryptable = await post('/decode', { payloads: [{ metadata: { encoding: Buffer.from('binary/encrypted').toString('base64'), 'encryption-key-id': Buffer.from('k1').toString('base64') }, data: Buffer.alloc(40).toString('base64') }] });
  expect(undecryptable.status).toBe(400);
});

test('refuses to listen beyond loopback', async () => {
  const codec = new AesGcmPayloadCodec(parseKeyring(`k1=${bytesToHex(randomBytes(32))}`, 'test'));
  await expect(startCodecServer({ codec, host: '0.0.0.0', allowedOrigins: [] })).rejects.toThrow('must stay on loopback');
});
