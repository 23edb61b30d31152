/**
 * The payload store's server: files named by their SHA-256 in one directory, behind
 * `PUT /payloads/<sha256>` (the body must hash to the name) and `GET /payloads/<sha256>`. It holds
 * codec-encrypted payloads only; a write is a temporary file renamed into place, so a reader never
 * sees half a blob.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DIGEST_HEX, payloadDigest } from './payload-store';

/** A payload larger than this is refused (Temporal's own limit is 2 MB; a claim check holds a few MB at most). */
export const MAX_STORED_PAYLOAD_BYTES = 64 * 1024 * 1024;

export interface RunningPayloadStore {
  url: string;
  close(): Promise<void>;
}

export async function startPayloadStoreServer(options: { dir: string; host?: string; port?: number }): Promise<RunningPayloadStore> {
  mkdirSync(options.dir, { recursive: true });
  const server = createServer((req, res) => {
    handle(options.dir, req, res).catch((err: unknown) => respond(res, 500, (err as Error).message));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('payload store: no TCP address');
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`, close: () => closeServer(server) };
}

async function handle(dir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const match = /^\/payloads\/([^/?]+)$/.exec((req.url ?? '').split('?')[0]!);
  if (!match) return respond(res, 404, 'GET or PUT /payloads/<sha256>');
  const digest = match[1]!;
  if (!DIGEST_HEX.test(digest)) return respond(res, 400, 'the name must be a lowercase hex SHA-256');
  const path = join(dir, digest);
  if (req.method === 'GET') {
    if (!existsSync(path)) return respond(res, 404, 'no such payload');
    const bytes = readFileSync(path);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
    res.end(bytes);
    return;
  }
  if (req.method !== 'PUT') return respond(res, 405, 'GET or PUT');
  const body = await readBody(req);
  if (body === undefined) return respond(res, 413, `a payload is at most ${MAX_STORED_PAYLOAD_BYTES} bytes`);
  if (payloadDigest(body) !== digest) return respond(res, 400, 'the body does not hash to its name');
  if (existsSync(path)) return respond(res, 200, 'stored already');
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, body);
  renameSync(temporary, path);
  respond(res, 201, 'stored');
}

function readBody(req: IncomingMessage): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_STORED_PAYLOAD_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function respond(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(message);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
