import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { address as bitcoinAddress, initEccLib, networks } from 'bitcoinjs-lib';
import * as ecc from 'tiny-secp256k1';
import { BitcoinRpc, type BitcoinRpcConfig } from '../networks/bitcoin/rpc';
import { pollUntil } from './poll';
import { freePorts } from './ports';
import { startProcess, startWithRetries, type ManagedProcess } from './process';
import { newRegtestKey, type RegtestKey } from './regtest-key';
import { toolPath } from './tools';

export interface BtcdOptions {
  /**
   * Kept after stop. Default: a fresh temp dir, removed on stop. btcd wipes its regtest block
   * database at every start, so a restarted node begins again at genesis whatever the dir holds.
   */
  dataDir?: string;
  /** A regtest address for coinbase rewards. Default: the address of a fresh key (see `miningKey`). */
  miningAddress?: string;
  /** Accept P2P peers on a loopback port (`p2pAddress`). Default false (--nolisten). */
  listen?: boolean;
  /** Connect only to these peers ("127.0.0.1:port"), btcd --connect. */
  connect?: readonly string[];
  /** Persistent extra peers, btcd --addpeer. */
  addPeers?: readonly string[];
  /** Maintain the address index searchrawtransactions needs. */
  addrIndex?: boolean;
  /** Per start attempt. Default 60 s: the machine may be slow and shared. */
  readyTimeoutMs?: number;
  /** Start attempts with fresh ports before giving up. Default 3. */
  startAttempts?: number;
  rpcTimeoutMs?: number;
}

export class BtcdOptionError extends Error {
  override readonly name = 'BtcdOptionError';
  constructor(
    readonly option: keyof BtcdOptions,
    detail: string,
  ) {
    super(`startBtcd: option ${option}: ${detail}`);
  }
}

export class SoftForkActivationError extends Error {
  override readonly name = 'SoftForkActivationError';
  constructor(
    readonly deployment: string,
    readonly status: string | undefined,
    readonly height: number,
  ) {
    super(`btcd regtest: ${deployment} is ${status ?? 'unknown'} at height ${height}, expected active`);
  }
}

/**
 * btcd regtest runs segwit and taproot as BIP9 deployments over 144-block windows: started at
 * height 144, locked in at 288, enforced from block 432. At tip 431 the next block enforces them.
 */
export const SOFT_FORK_ACTIVE_TIP_HEIGHT = 431;
export const COINBASE_MATURITY = 100;

const DEFAULT_READY_TIMEOUT_MS = 60_000;
const DEFAULT_START_ATTEMPTS = 3;
const PROBE_TIMEOUT_MS = 2_000;
const LOOPBACK = '127.0.0.1';

/** A running btcd regtest node. */
export class BtcdNode {
  private stopping: Promise<void> | undefined;

  readonly rpc: BitcoinRpc;

  constructor(
    /** What another process needs to reach this node's RPC (e.g. a worker's config). */
    readonly rpcCredentials: Readonly<BitcoinRpcConfig>,
    readonly rpcPort: number,
    /** Loopback P2P port, when started with `listen`. */
    readonly p2pPort: number | undefined,
    readonly dataDir: string,
    readonly miningAddress: string,
    /** The generated mining key, when no miningAddress was given. */
    readonly miningKey: RegtestKey | undefined,
    readonly process: ManagedProcess,
    private readonly ownsDataDir: boolean,
    rpcTimeoutMs: number | undefined,
  ) {
    this.rpc = new BitcoinRpc({ ...rpcCredentials, timeoutMs: rpcTimeoutMs });
  }

  /** "127.0.0.1:port" other nodes connect to; undefined unless started with `listen`. */
  get p2pAddress(): string | undefined {
    return this.p2pPort === undefined ? undefined : `${LOOPBACK}:${this.p2pPort}`;
  }

  get logPath(): string {
    return this.process.logPath;
  }

  /** Mines `count` blocks to the mining address; returns their hashes in chain order. */
  mine(count: number): Promise<string[]> {
    return this.rpc.generate(count, { timeoutMs: 30_000 + count * 500 });
  }

  /** Mines up to the tip height at which segwit and taproot rules apply to the next block, and checks them. */
  async activateSoftForks(): Promise<number> {
    const height = await this.rpc.getBlockCount();
    if (height < SOFT_FORK_ACTIVE_TIP_HEIGHT) await this.mine(SOFT_FORK_ACTIVE_TIP_HEIGHT - height);
    const info = await this.rpc.getBlockchainInfo();
    for (const deployment of ['segwit', 'taproot']) {
      const status = info.bip9_softforks?.[deployment]?.status;
      if (status !== 'active') throw new SoftForkActivationError(deployment, status, info.blocks);
    }
    return info.blocks;
  }

  /** Opens a temporary outbound connection to another node's p2pAddress (undo with disconnectPeer). */
  connectPeer(peerAddress: string): Promise<void> {
    return this.rpc.node('connect', peerAddress, 'temp');
  }

  disconnectPeer(peerAddress: string): Promise<void> {
    return this.rpc.node('disconnect', peerAddress);
  }

  /** Waits until this node's best block is `blockHash` (e.g. after a peer announced it). */
  waitForBestBlock(blockHash: string, timeoutMs = 30_000): Promise<void> {
    return pollUntil(async (signal) => (await this.rpc.getBestBlockHash({ signal })) === blockHash, {
      what: `btcd ${this.rpcPort} to reach best block ${blockHash}`,
      timeoutMs,
    });
  }

  /**
   * Freezes btcd (SIGSTOP): it keeps its sockets, so RPC callers connect and then hear nothing, as
   * with a node that hangs. `resume()` (SIGCONT) lets it carry on where it stopped.
   */
  pause(): void {
    if (!this.process.signal('SIGSTOP')) throw new Error('btcd is not running');
  }

  resume(): void {
    if (!this.process.signal('SIGCONT')) throw new Error('btcd is not running');
  }

  /** True while btcd is stopped by a signal (`pause()`), as the kernel reports it. */
  get paused(): boolean {
    return this.process.schedulerState() === 'T';
  }

  /** Stops btcd (SIGTERM, then SIGKILL) and removes its temp data dir; idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.process.stop().then(() => {
      if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
    });
    return this.stopping;
  }
}

export async function startBtcd(options: BtcdOptions = {}): Promise<BtcdNode> {
  const btcd = toolPath('btcd');
  const miningKey = options.miningAddress === undefined ? newRegtestKey() : undefined;
  const miningAddress = options.miningAddress ?? miningKey?.address ?? '';
  assertRegtestAddress(miningAddress);

  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'btcd-'));
  mkdirSync(dataDir, { recursive: true });
  const username = `rpc-${randomBytes(6).toString('hex')}`;
  const password = randomBytes(24).toString('hex');
  // Credentials go in a private config file rather than argv, where any local user could read them.
  const configFile = join(dataDir, 'btcd.conf');
  writeFileSync(configFile, `rpcuser=${username}\nrpcpass=${password}\n`, { mode: 0o600 });

  try {
    return await startWithRetries(options.startAttempts ?? DEFAULT_START_ATTEMPTS, async () => {
      const [rpcPort, p2pPort] = await freePorts(2);
      if (rpcPort === undefined || p2pPort === undefined) throw new Error('freePorts returned too few ports');
      const listenPort = options.listen ? p2pPort : undefined;
      const rpcCredentials = { url: `http://${LOOPBACK}:${rpcPort}`, username, password };
      const rpc = new BitcoinRpc({ ...rpcCredentials, timeoutMs: options.rpcTimeoutMs });
      const child = await startProcess(
        {
          name: 'btcd',
          command: btcd,
          args: btcdArgs({ dataDir, configFile, rpcPort, listenPort, miningAddress, options }),
          logPath: join(dataDir, 'btcd.out.log'),
        },
        {
          probe: async (signal) => {
            await rpc.getBlockCount({ signal, timeoutMs: PROBE_TIMEOUT_MS });
            return true;
          },
          timeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
        },
      );
      return new BtcdNode(rpcCredentials, rpcPort, listenPort, dataDir, miningAddress, miningKey, child, ownsDataDir, options.rpcTimeoutMs);
    });
  } catch (error) {
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

function btcdArgs(spec: {
  dataDir: string;
  configFile: string;
  rpcPort: number;
  listenPort: number | undefined;
  miningAddress: string;
  options: BtcdOptions;
}): string[] {
  const { dataDir, options } = spec;
  return [
    '--regtest',
    `--configfile=${spec.configFile}`,
    `--datadir=${join(dataDir, 'data')}`,
    `--logdir=${join(dataDir, 'logs')}`,
    // Unused with --notls, but keeps btcd from touching ~/.btcd.
    `--rpccert=${join(dataDir, 'rpc.cert')}`,
    `--rpckey=${join(dataDir, 'rpc.key')}`,
    '--notls',
    `--rpclisten=${LOOPBACK}:${spec.rpcPort}`,
    '--txindex',
    ...(options.addrIndex ? ['--addrindex'] : []),
    `--miningaddr=${spec.miningAddress}`,
    '--nodnsseed',
    ...(spec.listenPort === undefined ? ['--nolisten'] : [`--listen=${LOOPBACK}:${spec.listenPort}`]),
    ...(options.connect ?? []).map((peer) => `--connect=${peer}`),
    ...(options.addPeers ?? []).map((peer) => `--addpeer=${peer}`),
  ];
}

function assertRegtestAddress(candidate: string): void {
  // bitcoinjs-lib needs an EC library to check taproot (bcrt1p) output keys.
  initEccLib(ecc);
  try {
    bitcoinAddress.toOutputScript(candidate, networks.regtest);
  } catch (error) {
    throw new BtcdOptionError('miningAddress', `${JSON.stringify(candidate)} is not a regtest address (${(error as Error).message})`);
  }
}
