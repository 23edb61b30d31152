import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { pollUntil } from './poll';
import { freePort } from './ports';
import { startProcess, startWithRetries, type ManagedProcess } from './process';
import { toolPath } from './tools';

export interface AnvilOptions {
  /** Default: a free loopback port (a fixed port is tried startAttempts times, then fails). */
  port?: number;
  /** Default 31337, anvil's own default. */
  chainId?: number;
  /** Kept after stop. Default: a fresh temp dir (anvil's log and account file), removed on stop. */
  dataDir?: string;
  /** Per start attempt. Default 60 s. */
  readyTimeoutMs?: number;
  /** Default 3. */
  startAttempts?: number;
  /** The `finalized` tag is the latest block less twice this, `safe` less once. Default 32, anvil's. */
  slotsInAnEpoch?: number;
  /** Mine a block this often (interval mining; transactions wait for the next block). Default: a block per transaction. */
  blockTimeSeconds?: number;
  /** Dev accounts of anvil's test mnemonic. Default 10, anvil's. */
  accounts?: number;
}

export interface DevAccount {
  address: string;
  /** 0x-prefixed secp256k1 key of anvil's well-known test mnemonic: worthless outside a devnet. */
  privateKey: string;
}

const DEFAULT_CHAIN_ID = 31337;
const DEFAULT_READY_TIMEOUT_MS = 60_000;
const DEFAULT_START_ATTEMPTS = 3;
const PROBE_TIMEOUT_MS = 2_000;
const LOOPBACK = '127.0.0.1';

/** What `anvil --config-out` writes once it is set up. */
const anvilConfigSchema = z.object({
  available_accounts: z.array(z.string().regex(/^0x[0-9a-fA-F]{40}$/)),
  private_keys: z.array(z.string().regex(/^0x[0-9a-f]{64}$/)),
});

const chainIdAnswerSchema = z.object({ result: z.string().regex(/^0x[0-9a-f]+$/) });

/** A running anvil (a real EVM) on a loopback port. */
export class AnvilNode {
  private stopping: Promise<void> | undefined;

  constructor(
    readonly rpcUrl: string,
    readonly port: number,
    readonly chainId: number,
    readonly accounts: readonly DevAccount[],
    readonly dataDir: string,
    readonly process: ManagedProcess,
    private readonly ownsDataDir: boolean,
  ) {}

  get logPath(): string {
    return this.process.logPath;
  }

  /** Stops anvil (SIGTERM, then SIGKILL) and removes its temp dir; idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.process.stop().then(() => {
      if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
    });
    return this.stopping;
  }
}

export class AnvilOptionError extends Error {
  override readonly name = 'AnvilOptionError';
  constructor(
    readonly option: keyof AnvilOptions,
    detail: string,
  ) {
    super(`startAnvil: option ${option}: ${detail}`);
  }
}

export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilNode> {
  const anvil = toolPath('anvil');
  const chainId = options.chainId ?? DEFAULT_CHAIN_ID;
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new AnvilOptionError('chainId', `must be a positive integer, got ${chainId}`);
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) {
    throw new AnvilOptionError('port', `must be a TCP port, got ${options.port}`);
  }

  const slots = options.slotsInAnEpoch;
  if (slots !== undefined && !(Number.isSafeInteger(slots) && slots > 0)) throw new AnvilOptionError('slotsInAnEpoch', `must be a positive integer, got ${slots}`);
  const { blockTimeSeconds, accounts } = options;
  if (blockTimeSeconds !== undefined && !(Number.isSafeInteger(blockTimeSeconds) && blockTimeSeconds > 0)) throw new AnvilOptionError('blockTimeSeconds', `must be a positive integer, got ${blockTimeSeconds}`);
  if (accounts !== undefined && !(Number.isSafeInteger(accounts) && accounts > 0 && accounts <= 1000)) throw new AnvilOptionError('accounts', `must be an integer within 1..1000, got ${accounts}`);

  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'anvil-'));
  mkdirSync(dataDir, { recursive: true });
  const configOut = join(dataDir, 'anvil-accounts.json');

  try {
    return await startWithRetries(options.startAttempts ?? DEFAULT_START_ATTEMPTS, async () => {
      const port = options.port ?? (await freePort());
      const rpcUrl = `http://${LOOPBACK}:${port}`;
      rmSync(configOut, { force: true });
      const child = await startProcess(
        {
          name: 'anvil',
          command: anvil,
          args: [
            ...['--host', LOOPBACK, '--port', String(port), '--chain-id', String(chainId), '--config-out', configOut],
            ...(slots === undefined ? [] : ['--slots-in-an-epoch', String(slots)]),
            ...(blockTimeSeconds === undefined ? [] : ['--block-time', String(blockTimeSeconds)]),
            ...(accounts === undefined ? [] : ['--accounts', String(accounts)]),
          ],
          logPath: join(dataDir, 'anvil.out.log'),
        },
        {
          probe: async (signal) => (await fetchChainId(rpcUrl, signal)) === chainId,
          timeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
        },
      );
      try {
        return new AnvilNode(rpcUrl, port, chainId, await readDevAccounts(configOut), dataDir, child, ownsDataDir);
      } catch (error) {
        await child.stop();
        throw error;
      }
    });
  } catch (error) {
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function fetchChainId(rpcUrl: string, signal: AbortSignal): Promise<number> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal: AbortSignal.any([signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]),
  });
  return Number.parseInt(chainIdAnswerSchema.parse(await response.json()).result, 16);
}

/** Read once anvil serves RPC; polled briefly in case its write is still in flight. */
async function readDevAccounts(configOut: string): Promise<DevAccount[]> {
  let accounts: DevAccount[] = [];
  await pollUntil(
    async () => {
      const config = anvilConfigSchema.parse(JSON.parse(readFileSync(configOut, 'utf8')));
      if (config.available_accounts.length !== config.private_keys.length) {
        throw new Error(`${configOut}: ${config.available_accounts.length} accounts but ${config.private_keys.length} keys`);
      }
      accounts = config.available_accounts.map((address, index) => ({ address, privateKey: config.private_keys[index] ?? '' }));
      return accounts.length > 0;
    },
    { what: `anvil's account file ${configOut}`, timeoutMs: 5_000 },
  );
  return accounts;
}
