import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { ClaimCheckCodec, NoPayloadStoreCodec } from './claim-check';
import { AesGcmPayloadCodec } from './codec';
import { HttpPayloadStore } from './payload-store';
import { loadCodecKeyring } from './keyring';

/** A payload as the Temporal UI and CLI send it to a codec server: proto3 JSON, bytes as base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Loopback only: the server decrypts anything it is sent. */
  host?: string;
  port?: number;
  /** Origins allowed by CORS, e.g. the Temporal UI at http://127.0.0.1:8233. */
  allowedOrigins: string[];
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  authToken?: string;
}

export interface RunningCodecServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`codec server: refusing to listen on ${host}; it decrypts payloads and must stay on loopback`);
  const server = createServer((req, res) => {
    handle(options, req, res).catch((err: unknown) => {
      if (!res.headersSent) respond(res, 500, { error: err instanceof Error ? err.message : 'internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function handle(options: CodecServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const origin = req.headers.origin;
  if (origin && options.allowedOrigins.includes(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    res.setHeader('Vary', 'Origin');
  }
  if (req.method === 'OPTIONS') return respond(res, origin && !options.allowedOrigins.includes(origin) ? 403 : 204);
  if (origin && !options.allowedOrigins.includes(origin)) return respond(res, 403, { error: 'origin not allowed' });
  const path = (req.url ?? '').split('?')[0];
  if (req.method !== 'POST' || (path !== '/encode' && path !== '/decode')) return respond(res, 404, { error: 'POST /encode or /decode' });
  if (options.authToken && req.headers.authorization !== `Bearer ${options.authToken}`) return respond(res, 401, { error: 'unauthorized' });

  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch (err) {
    return respond(res, 400, { error: err instanceof BodyTooLargeError ? err.message : 'body is not JSON' });
  }
  let payloads: Payload[];
  try {
    payloads = parsePayloads(body);
  } catch (err) {
    return respond(res, 400, { error: (err as Error).message });
  }
  try {
    const out = path === '/encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
    respond(res, 200, { payloads: out.map(toJsonPayload) });
  } catch (err) {
    respond(res, 400, { error: err instanceof Error ? err.message : 'codec error' });
  }
}

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError(`body exceeds ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parsePayloads(body: unknown): Payload[] {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { payloads?: unknown }).payloads)) {
    throw new Error('expected {"payloads": [...]}');
  }
  return (body as { payloads: unknown[] }).payloads.map((p, i) => {
    if (typeof p !== 'object' || p === null) throw new Error(`payloads[${i}] is not an object`);
    const { metadata, data } = p as JsonPayload;
    const out: Payload = { metadata: {} };
    if (metadata !== undefined) {
      if (typeof metadata !== 'object' || metadata === null) throw new Error(`payloads[${i}].metadata is not an object`);
      for (const [k, v] of Object.entries(metadata)) {
        if (typeof v !== 'string') throw new Error(`payloads[${i}].metadata.${k} is not base64`);
        out.metadata![k] = Buffer.from(v, 'base64');
      }
    }
    if (data !== undefined) {
      if (typeof data !== 'string') throw new Error(`payloads[${i}].data is not base64`);
      out.data = Buffer.from(data, 'base64');
    }
    return out;
  });
}

function toJsonPayload(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: p.data ? Buffer.from(p.data).toString('base64') : undefined };
}

function respond(res: ServerResponse, status: number, body?: unknown): void {
  res.statusCode = status;
  if (body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

/** The UI's view of a payload: a claim check is fetched from the payload store and decrypted; encoding never claims. */
function uiCodec(aes: AesGcmPayloadCodec, storeUrl: string | undefined): PayloadCodec {
  const claims = storeUrl ? new ClaimCheckCodec(new HttpPayloadStore(storeUrl)) : new NoPayloadStoreCodec();
  return {
    encode: (payloads) => aes.encode(payloads),
    decode: async (payloads) => aes.decode(await claims.decode(payloads)),
  };
}

/** `npm run codec-server`: CODEC_KEYS(_FILE), CODEC_SERVER_PORT (8888), CODEC_SERVER_ORIGINS, CODEC_SERVER_TOKEN, PAYLOAD_STORE_URL. */
async function main(): Promise<void> {
  const port = Number(process.env.CODEC_SERVER_PORT ?? 8888);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`CODEC_SERVER_PORT must be a TCP port, got ${process.env.CODEC_SERVER_PORT}`);
  const allowedOrigins = (process.env.CODEC_SERVER_ORIGINS ?? 'http://127.0.0.1:8233,http://localhost:8233').split(',').map((o) => o.trim()).filter(Boolean);
  const server = await startCodecServer({ codec: uiCodec(new AesGcmPayloadCodec(loadCodecKeyring()), process.env.PAYLOAD_STORE_URL), port, allowedOrigins, authToken: process.env.CODEC_SERVER_TOKEN });
  console.log(`codec server on ${server.url} for ${allowedOrigins.join(', ')}${process.env.CODEC_SERVER_TOKEN ? ' (bearer token required)' : ''}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.close());
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`codec server: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
