/**
 * The running devnet's control endpoint for `npm run devnet -- ...`: loopback HTTP with a bearer
 * token, whose address and token are written to `<dataDir>/control.json` (mode 0600).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import type { Devnet } from './devnet';
import { parseEther18, parseSeraiUnits } from './ethereum';
import { parseBtc, scriptToAddress } from './wallet';

export const CONTROL_FILE = 'control.json';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a 32-byte Serai account as 64 lowercase hex digits');
const coin = z.enum(['btc', 'eth', 'dai']).default('btc');
const depositBody = z.union([
  z.strictObject({ amount: z.string(), to: hex32, coin }),
  z.strictObject({ amount: z.string(), swapRefundTo: z.string().min(1) }),
]);
const burnBody = z.strictObject({ amount: z.string(), from: hex32, to: z.string().min(1), coin });
const rotateBody = z.strictObject({ network: z.enum(['bitcoin', 'ethereum']).default('bitcoin'), remove: z.array(z.string().min(1)).max(64).default([]) });

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

export async function startControlServer(devnet: Devnet, dataDir: string): Promise<{ url: string; file: string; close(): Promise<void> }> {
  const token = randomBytes(32).toString('hex');
  const expected = Buffer.from(`Bearer ${token}`);
  const server = createServer((req, res) => {
    const reply = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
    };
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) return reply(401, { error: 'unauthorized' });
    void (async () => {
      try {
        if (req.method === 'POST' && req.url === '/deposit') {
          const request = depositBody.parse(await body(req));
          if ('to' in request && request.coin !== 'btc') {
            const sent = await devnet.depositEthereum(request.coin, parseEther18(request.amount), request.to);
            return reply(200, { txid: sent.hash, block: sent.height, router: devnet.routerAddress() });
          }
          const amount = parseBtc(request.amount);
          const sent = 'to' in request ? await devnet.deposit(amount, request.to) : await devnet.depositSwap(amount, request.swapRefundTo);
          return reply(200, { txid: sent.txid, address: devnet.depositAddress() });
        }
        if (req.method === 'POST' && req.url === '/burn') {
          const { amount, from, to, coin } = burnBody.parse(await body(req));
          return reply(200, coin === 'btc' ? await devnet.burn(from, parseBtc(amount), to) : await devnet.burnEthereum(from, coin, parseSeraiUnits(amount), to));
        }
        if (req.method === 'POST' && req.url === '/rotate') {
          const { network, remove } = rotateBody.parse(await body(req));
          const keys = await devnet.rotate(network, { remove });
          const where = network === 'bitcoin' ? { depositAddress: scriptToAddress(keys.externalScript) } : { router: `0x${keys.externalScript}` };
          return reply(200, { network, session: keys.session, keyPair: keys.keygen.keyPair, members: keys.keygen.members, removed: remove, activationHeight: keys.activationHeight, ...where });
        }
        if (req.method === 'GET' && req.url === '/status') {
          const scannersOf = async (network: 'bitcoin' | 'ethereum') =>
            Object.fromEntries(await Promise.all(devnet.onlineOn(network).map(async (name) => [name, await devnet.scannerStatus(name, network)] as const)));
          const serai = await devnet.net.seraiStatus();
          const bitcoin = { height: await devnet.btcd.rpc.getBlockCount(), depositAddress: devnet.depositAddress(), set: devnet.setOf('bitcoin'), scanners: await scannersOf('bitcoin') };
          const ethereum = devnet.ethereum && {
            height: await devnet.ethereum.provider.getBlockNumber(),
            finalized: (await devnet.ethereum.provider.getBlock('finalized'))?.number ?? null,
            router: devnet.routerAddress(),
            set: devnet.setOf('ethereum'),
            dai: devnet.ethereum.daiAddress,
            scanners: await scannersOf('ethereum'),
          };
          return reply(200, { bitcoin, ...(ethereum ? { ethereum } : {}), serai: { height: serai.height, balances: serai.balances, coins: serai.coins, batches: serai.batches } });
        }
        return reply(404, { error: `no ${req.method} ${req.url}` });
      } catch (err) {
        const message = err instanceof z.ZodError ? z.prettifyError(err) : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        return reply(400, { error: message });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const file = join(dataDir, CONTROL_FILE);
  writeFileSync(file, JSON.stringify({ url, token }), { mode: 0o600 });
  return { url, file, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
