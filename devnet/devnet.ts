/**
 * The whole devnet in one object: Temporal dev server with its UI and codec server, btcd with a
 * miner, anvil with the Deployer and the devnet DAI (when Ethereum is one of its networks), the
 * devnet coordinator with the Serai chain simulator, and a set of validators whose processors
 * (one per network) are Temporal workers in their own OS processes. `npm start`, the scenario and
 * the end-to-end tests all drive this.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { ProcessorSettings } from '../client';
import type { NetworkName } from '../config/worker-config';
import { batchMessage, type SignedBatch } from '../messages';
import { encodeShorthand } from '../messages/shorthand';
import { encodeAddress } from '../networks/bitcoin/instructions';
import { scriptsOfNetworkKey } from '../networks/bitcoin/keys';
import { AesGcmPayloadCodec } from '../temporal/codec';
import { startCodecServer } from '../temporal/codec-server';
import type { PlanOutcome } from '../workflows/plan-defs';
import type { ScannerStatus, SeraiBlockOutcome } from '../workflows/scanner-defs';
import { coordinatorBatchWorkflowId, type CoordinateBatchResult, type CoordinateKeygenResult } from './coordinator/defs';
import { KeygenNetwork } from './keygen-network';
import { startMiner, type Miner } from './miner';
import { DevnetEthereum, ETHEREUM_COINS, transferInstruction, type EthereumCoinName, type RawEthereumTransaction } from './ethereum';
import { encodeEthereumAddress } from '../networks/ethereum/address';
import { chainRules } from '../networks/rules';
import { startBtcd, type BtcdNode } from '../nodes/btcd';
import { preferredOrFreePort } from './preferred-port';
import { ensureCodecKeysFile } from './secrets';
import { startTemporalCluster, type RunningTemporalCluster } from './temporal-cluster';
import { startTemporalServer, type RunningTemporalServer } from './temporal-server';
import type { ValidatorSpec } from './validator-set';
import { DevnetWallet, addressToScript, scriptToAddress, type SentTransaction } from './wallet';

export const DEVNET_PROCESSOR_SETTINGS: ProcessorSettings = {
  keygen: { idleTimeout: '1 hour' },
  // A rotation's windows shortened: grace and forwarding for 6 blocks each (the activation: devnetProcessorSettings).
  scanner: { confirmations: 3, pollInterval: '1 second', rotation: { graceSeconds: 3_600, forwardingSeconds: 3_600 } },
  batch: { idleTimeout: '1 hour' },
  plan: { idleTimeout: '1 hour', confirmations: 2, pollInterval: '2 seconds' },
};

/** How long a later key's confirmation may take to reach every scanner on the devnet. */
const CONFIRMATION_DELIVERY_SECONDS = 30;

/**
 * The devnet's processor settings for a chain whose time runs `chainAheadSeconds` ahead of the
 * clock. A later key activates at the first block whose median time reaches Serai's time of its
 * confirmation plus the activation delay, and regtest's chain time runs ahead by the blocks the
 * devnet mines at once when it starts (each a second after the last); the delay is that lead plus
 * the time the confirmation needs to reach every scanner. `blockTimeSeconds` is the network's
 * estimated block time its rules plan with (Bitcoin 600 s, Ethereum 12 s); the rotation's grace
 * lasts `graceBlocks` of them and its forwarding 6.
 */
export function devnetProcessorSettings(chainAheadSeconds: number, blockTimeSeconds = 600, graceBlocks = 6): ProcessorSettings {
  // Grace for `graceBlocks` of the network's (estimated) block times, forwarding for 6.
  const rotation = { graceSeconds: graceBlocks * blockTimeSeconds, forwardingSeconds: 6 * blockTimeSeconds, activationDelaySeconds: Math.max(0, chainAheadSeconds) + CONFIRMATION_DELIVERY_SECONDS };
  return { ...DEVNET_PROCESSOR_SETTINGS, scanner: { ...DEVNET_PROCESSOR_SETTINGS.scanner, rotation } };
}

export interface DevnetOptions {
  dataDir: string;
  validators: ValidatorSpec[];
  /** Key shares needed to sign. */
  t: number;
  ports?: { temporal?: number; ui?: number; codec?: number };
  /** The networks every validator runs a processor for: Bitcoin, and Ethereum too if named. Default Bitcoin only. */
  networks?: readonly NetworkName[];
  /** btcd mines a block this often. */
  blockIntervalMs?: number;
  /** anvil mines a block this often. Default 1. */
  ethereumBlockTimeSeconds?: number;
  seraiBlockTime?: string | number;
  keygenRounds?: { roundTimeout: string | number; blameTimeout: string | number; maxAttempts: number };
  processorSettings?: ProcessorSettings;
  /** The Ethereum processors' settings, if not `processorSettings` (set by `start`: a rotation's windows in Ethereum's block times). */
  ethereumProcessorSettings?: ProcessorSettings;
  /** Every validator's worker serves Prometheus metrics on a loopback port of its own (see `metricsEndpoints`). */
  metrics?: boolean;
  /** Worker processes per validator and network, sharing its task queues and keystore (default 1). */
  workersPerValidator?: number;
  /** The Temporal server: the CLI's dev server (SQLite, one process, with the UI; the default) or a cluster on PostgreSQL. */
  temporal?: 'dev' | 'cluster';
  log?: (line: string) => void;
}

export interface DevnetKeys {
  session: number;
  keygen: CoordinateKeygenResult;
  /** Where deposits go: the key's External output script (Bitcoin), its Router's address (Ethereum; hex). */
  externalScript: string;
  activationHeight: number;
}

export class DevnetNetworkError extends Error {
  override readonly name = 'DevnetNetworkError';
}

/** A rotation the devnet cannot start now (one is in progress). */
export class DevnetRotationError extends Error {
  override readonly name = 'DevnetRotationError';
}

export class DevnetTimeoutError extends Error {
  override readonly name = 'DevnetTimeoutError';
}

export class Devnet {
  private readonly keys = new Map<NetworkName, Promise<DevnetKeys>>();
  private readonly settled = new Map<NetworkName, DevnetKeys>();
  private readonly leftForGood = new Set<string>();
  private readonly offlineOn = new Map<NetworkName, Set<string>>();
  /** Each network's set: the members of its last key generation (every validator before the first). */
  private readonly sets = new Map<NetworkName, string[]>();

  private constructor(
    readonly options: DevnetOptions,
    readonly temporal: RunningTemporalServer | RunningTemporalCluster,
    readonly codecUrl: string,
    readonly btcd: BtcdNode,
    /** Undefined unless Ethereum is one of the networks. */
    readonly ethereum: DevnetEthereum | undefined,
    readonly net: KeygenNetwork,
    readonly wallet: DevnetWallet,
    /** btcd's only source of blocks (regtest): a test pauses it to hold the chain still. */
    readonly miner: Miner,
    private readonly stops: Array<[string, () => Promise<unknown>]>,
  ) {}

  static async start(options: DevnetOptions): Promise<Devnet> {
    const log = options.log ?? (() => undefined);
    const stops: Array<[string, () => Promise<unknown>]> = [];
    const stopAll = async () => {
      for (const [name, stop] of stops.reverse()) await stop().catch((err: unknown) => log(`stopping ${name} failed: ${(err as Error).message}`));
    };
    const networks = options.networks ?? ['bitcoin'];
    if (!networks.includes('bitcoin') || networks.some((n) => n !== 'bitcoin' && n !== 'ethereum') || new Set(networks).size !== networks.length) {
      throw new DevnetNetworkError(`the devnet runs bitcoin, optionally with ethereum; got ${JSON.stringify(networks)}`);
    }
    try {
      mkdirSync(options.dataDir, { recursive: true });
      const { path: codecKeysFile, keyring } = ensureCodecKeysFile(options.dataDir);
      const uiPort = options.ports?.ui ?? 0;
      const allowedOrigins: string[] = [];
      const codec = await startCodecServer({ codec: new AesGcmPayloadCodec(keyring), port: await preferredOrFreePort(options.ports?.codec ?? 0), allowedOrigins });
      stops.push(['codec server', () => codec.close()]);
      log(`codec server on ${codec.url}`);

      let temporal: RunningTemporalServer | RunningTemporalCluster;
      if (options.temporal === 'cluster') {
        log('starting the Temporal cluster (PostgreSQL, then frontend, history, matching and worker as processes of their own) ...');
        temporal = await startTemporalCluster({ dataDir: join(options.dataDir, 'temporal-cluster'), log });
        stops.push(['Temporal cluster', () => temporal.stop()]);
        log(`Temporal at ${temporal.address} (cluster on PostgreSQL; no UI)`);
      } else {
        log('starting the Temporal dev server (SQLite under the data dir) ...');
        const dev = await startTemporalServer({ dataDir: join(options.dataDir, 'temporal'), port: options.ports?.temporal ?? 0, uiPort, codecEndpoint: codec.url });
        temporal = dev;
        stops.push(['Temporal dev server', () => dev.stop()]);
        const uiOrigin = new URL(dev.uiUrl).origin;
        allowedOrigins.push(uiOrigin, uiOrigin.replace('127.0.0.1', 'localhost'));
        log(`Temporal at ${dev.address}; UI: ${dev.uiUrl}`);
      }

      log('starting btcd (regtest) and activating taproot ...');
      const btcd = await startBtcd({ dataDir: join(options.dataDir, 'btcd') });
      stops.push(['btcd', () => btcd.stop()]);
      await btcd.activateSoftForks();
      log(`btcd RPC ${btcd.rpc.url}, height ${await btcd.rpc.getBlockCount()}`);
      const chainAhead = (await btcd.rpc.getBlockchainInfo()).mediantime - Math.floor(Date.now() / 1000);
      const processorSettings = options.processorSettings ?? devnetProcessorSettings(chainAhead);
      // anvil's blocks carry the clock's time: no lead to wait out. It mines a block a second, so the
      // grace is 20 blocks: use-existing outlasts the scanners' report of the activation.
      const ethereumSettings = options.processorSettings ?? devnetProcessorSettings(0, chainRules('ethereum').blockTimeSeconds, 20);
      if (!options.processorSettings) log(`btcd's chain time runs ${chainAhead} s ahead of the clock: a later key activates ${processorSettings.scanner.rotation?.activationDelaySeconds} s after Serai confirms it`);
      let ethereum: DevnetEthereum | undefined;
      if (networks.includes('ethereum')) {
        log('starting anvil, deploying the keyless Deployer and the devnet DAI ...');
        ethereum = await DevnetEthereum.start({ dataDir: join(options.dataDir, 'anvil'), validators: options.validators.length, blockTimeSeconds: options.ethereumBlockTimeSeconds });
        stops.push(['anvil', () => ethereum!.stop()]);
        log(`anvil RPC ${ethereum.rpcUrl} (chain ${ethereum.anvil.chainId}), DAI at ${ethereum.daiAddress}`);
      }
      const validators = options.validators.map((v, index) => (ethereum && v.relayerKey === undefined ? { ...v, relayerKey: ethereum.relayerKey(index) } : v));
      const miner = startMiner(btcd, { intervalMs: options.blockIntervalMs ?? 1000, onError: (err: unknown) => log(`miner: ${err instanceof Error ? err.message : String(err)}`) });
      stops.push(['miner', () => miner.stop()]);

      const net = await KeygenNetwork.start({
        temporalAddress: temporal.address,
        dataDir: options.dataDir,
        keyring,
        codecKeysFile,
        networks,
        validators,
        chains: { bitcoinRpc: btcd.rpcCredentials, ...(ethereum ? { ethereumRpcUrl: ethereum.rpcUrl, ethereumDaiAddress: ethereum.daiAddress } : {}) },
        processorSettings,
        networkSettings: { ethereum: ethereumSettings },
        metrics: options.metrics,
        workersPerValidator: options.workersPerValidator,
        log,
      });
      stops.push(['validators and coordinator', () => net.stop()]);
      await net.startSeraiChain(options.seraiBlockTime ?? '1 second');
      log('coordinator and Serai chain simulator running');
      return new Devnet({ ...options, processorSettings, ethereumProcessorSettings: ethereumSettings }, temporal, codec.url, btcd, ethereum, net, DevnetWallet.of(btcd), miner, stops);
    } catch (err) {
      await stopAll();
      throw err;
    }
  }

  /** Where each validator's worker for each network serves its metrics (with `metrics`). */
  metricsEndpoints(): { validator: string; network: NetworkName; worker: number; url: string }[] {
    return this.networks.flatMap((network) =>
      [...this.net.setOf(network).members.values()].flatMap((m) => m.metricsUrls.map((url, worker) => ({ validator: m.spec.name, network, worker, url }))),
    );
  }

  /** The validators whose workers run (neither started offline nor taken offline since). */
  get online(): string[] {
    return this.options.validators.filter((v) => !v.offline && !this.leftForGood.has(v.name)).map((v) => v.name);
  }

  /** The validators whose worker for `network` runs. */
  onlineOn(network: NetworkName): string[] {
    return this.online.filter((name) => !this.offlineOn.get(network)?.has(name));
  }

  /**
   * A validator goes away for good, on every network or on `network` alone: its workers there are
   * SIGKILLed and never started again, and the devnet stops waiting for them (a later key
   * generation times its attempt out and goes on without it).
   */
  takeOffline(name: string, network?: NetworkName): void {
    const networks = network === undefined ? this.networks : [network];
    for (const each of networks) {
      if (!this.onlineOn(each).includes(name)) throw new Error(`${name} is not an online ${each} validator of this devnet (online: ${this.onlineOn(each).join(', ')})`);
    }
    for (const each of networks) {
      this.net.setOf(each).kill(name);
      this.offlineOn.set(each, new Set([...(this.offlineOn.get(each) ?? []), name]));
    }
    if (network === undefined) this.leftForGood.add(name);
    this.log(`${name} SIGKILLed and taken offline for good${network === undefined ? '' : ` on ${network}`}`);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Polls `check` every `intervalMs` until it returns a value. */
  async waitFor<T>(what: string, check: () => Promise<T | undefined>, limitMs = 300_000, intervalMs = 500): Promise<T> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new DevnetTimeoutError(`timed out after ${limitMs / 1000} s waiting for ${what}`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  get networks(): readonly NetworkName[] {
    return [...this.net.sets.keys()];
  }

  /**
   * Key generation for session 0 of every network (side by side), Serai's confirmation of each key
   * pair, and each network's scanners' activation block. Returns Bitcoin's keys.
   */
  async generateKeys(): Promise<DevnetKeys> {
    const all = await Promise.all(this.networks.map((network) => this.keysOf(network)));
    return all[0]!;
  }

  /** `network`'s session-0 key, generated (once) if it is not yet. */
  keysOf(network: NetworkName): Promise<DevnetKeys> {
    let keys = this.keys.get(network);
    if (!keys) {
      keys = this.generateKey(network);
      keys.catch(() => this.keys.delete(network));
      this.keys.set(network, keys);
    }
    return keys;
  }

  private async generateKey(network: NetworkName): Promise<DevnetKeys> {
    if (!this.networks.includes(network)) throw new DevnetNetworkError(`this devnet runs no ${network} processors (networks: ${this.networks.join(', ')})`);
    this.log(`${network} key generation: ${this.options.validators.length} validators, ${this.options.t} shares to sign ...`);
    const keygen = await this.generateAndConfirm(network, 0);
    const statuses = await this.waitFor(`every online ${network} scanner to find its activation block`, async () => {
      const all = await Promise.all(this.onlineOn(network).map((name) => this.scannerStatus(name, network)));
      return all.every((s) => s?.activationHeight !== null && s?.activationHeight !== undefined) ? (all as ScannerStatus[]) : undefined;
    });
    const first = statuses[0]!;
    const keys = { session: 0, keygen, externalScript: first.externalScript!, activationHeight: first.activationHeight! };
    const where = network === 'bitcoin' ? `deposit address ${scriptToAddress(keys.externalScript)}` : `Router 0x${keys.externalScript}`;
    if (network === 'ethereum') {
      // The Router takes deposits once the key confirmed itself (nonce 1), its first plan after Serai's first Batch.
      const ethereum = this.requireEthereum();
      await this.waitFor('the Router\'s key confirmed (nonce 1)', async () => (BigInt(await ethereum.routerKey(`0x${keys.externalScript}`)) !== 0n ? true : undefined));
    }
    this.settled.set(network, keys);
    this.log(`${network} key active from block ${first.activationHeight}; ${where}`);
    return keys;
  }

  /** The validators of `network`'s current set (its last key generation's members). */
  setOf(network: NetworkName): string[] {
    return this.sets.get(network) ?? this.options.validators.map((v) => v.name);
  }

  /**
   * The next session of `network`: its key generation by the current set less `remove`, Serai's
   * confirmation of the key pair, and every online scanner's activation of the new key, which then
   * takes over by the block schedule (each scanner's `rotation` in `status` says its stage,
   * `retiredSessions` when the old key retired). A removed validator keeps serving the old key until
   * it retires, following the new key without a share (`observedSessions`). Deposits go to the new
   * key from then on.
   */
  async rotate(network: NetworkName = 'bitcoin', options: { remove?: readonly string[] } = {}): Promise<DevnetKeys> {
    if (!this.networks.includes(network)) throw new DevnetNetworkError(`this devnet runs no ${network} processors (networks: ${this.networks.join(', ')})`);
    const set = this.setOf(network);
    const remove = [...new Set(options.remove ?? [])];
    const strangers = remove.filter((name) => !set.includes(name));
    if (strangers.length > 0) throw new DevnetRotationError(`${strangers.join(', ')} ${strangers.length === 1 ? 'is' : 'are'} not in ${network}'s set (${set.join(', ')})`);
    const members = set.filter((name) => !remove.includes(name));
    const weight = this.options.validators.filter((v) => members.includes(v.name)).reduce((sum, v) => sum + v.weight, 0);
    if (weight < this.options.t) throw new DevnetRotationError(`without ${remove.join(', ')} ${network}'s set holds ${weight} key shares, fewer than the ${this.options.t} that sign`);
    const current = await this.keysOf(network);
    const busy = (await Promise.all(this.onlineOn(network).map((name) => this.scannerStatus(name, network)))).find((s) => s?.rotation);
    if (busy?.rotation) throw new DevnetRotationError(`${network} is rotating to session ${busy.rotation.session} already (stage ${busy.rotation.stage}): wait for session ${current.session} to retire`);
    const session = current.session + 1;
    this.log(`${network} rotation: key generation for session ${session} by ${members.join(', ')}${remove.length > 0 ? ` (${remove.join(', ')} removed: serving session ${current.session} until it retires)` : ''} ...`);
    const keygen = await this.generateAndConfirm(network, session, members);
    this.sets.set(network, keygen.members);
    const holders = this.onlineOn(network).filter((name) => keygen.members.includes(name));
    const rotations = await this.waitFor(`the ${network} scanners of ${holders.join(', ')} to activate session ${session}'s key`, async () => {
      const all = await Promise.all(holders.map((name) => this.scannerStatus(name, network)));
      const rotations = all.map((s) => (s?.rotation?.session === session && s.rotation.activationHeight !== null ? s.rotation : undefined));
      return rotations.every((r) => r !== undefined) ? rotations : undefined;
    });
    // Ethereum's later keys take over session 0's Router; Bitcoin's have scripts of their own.
    const externalScript = network === 'bitcoin' ? scriptsOfNetworkKey(keygen.keyPair.networkKey).external : current.externalScript;
    const keys = { session, keygen, externalScript, activationHeight: rotations[0]!.activationHeight! };
    this.keys.set(network, Promise.resolve(keys));
    this.settled.set(network, keys);
    const where = network === 'bitcoin' ? `deposit address ${scriptToAddress(keys.externalScript)}` : `it takes over the Router 0x${keys.externalScript}`;
    this.log(`${network} session ${session}'s key active from block ${keys.activationHeight}; ${where}; session ${current.session} retires once drained`);
    return keys;
  }

  /** `session`'s key generation on `network` by `members` (by default every validator), and Serai's confirmation of its key pair. */
  private async generateAndConfirm(network: NetworkName, session: number, members?: readonly string[]) {
    const rounds = this.options.keygenRounds ?? { roundTimeout: '30 seconds', blameTimeout: '20 seconds', maxAttempts: 3 };
    const keygen = await this.net.generateKey({ network, session, t: this.options.t, settings: rounds, ...(members === undefined ? {} : { members }) });
    this.log(`${network} session ${session} key generation done in attempt ${keygen.attempt} by ${keygen.members.join(', ')}`);
    this.log(`  ${network} Serai key ${keygen.keyPair.substrateKey}`);
    this.log(`  ${network} key ${keygen.keyPair.networkKey}`);
    await this.net.seraiSetKeys({ network, session, keyPair: { substrate_key: keygen.keyPair.substrateKey, network_key: keygen.keyPair.networkKey } });
    return keygen;
  }

  /** Bitcoin's deposit address (after key generation). */
  depositAddress(): string {
    const keys = this.settledKeys('bitcoin');
    return scriptToAddress(keys.externalScript);
  }

  /** The Ethereum key's Router (0x and lowercase hex), after key generation. */
  routerAddress(): string {
    return `0x${this.settledKeys('ethereum').externalScript}`;
  }

  private settledKeys(network: NetworkName): DevnetKeys {
    const keys = this.settled.get(network);
    if (!keys) throw new Error(`no ${network} key yet: run key generation first`);
    return keys;
  }

  /** The settings `network`'s processors run with. */
  settingsOf(network: NetworkName): ProcessorSettings {
    return (network === 'ethereum' ? this.options.ethereumProcessorSettings : undefined) ?? this.options.processorSettings ?? DEVNET_PROCESSOR_SETTINGS;
  }

  async scannerStatus(name: string, network: NetworkName = 'bitcoin'): Promise<ScannerStatus | undefined> {
    return this.net.setOf(network).processor(name).scannerStatus().catch(() => undefined);
  }

  private requireEthereum(): DevnetEthereum {
    if (!this.ethereum) throw new DevnetNetworkError('this devnet runs no Ethereum (start it with ethereum among its networks)');
    return this.ethereum;
  }

  /** A deposit of `amount` (18 decimals) of ETH or DAI into the Router with a Transfer to `seraiAccount`. */
  async depositEthereum(coin: EthereumCoinName, amount: bigint, seraiAccount: string): Promise<RawEthereumTransaction> {
    const ethereum = this.requireEthereum();
    const { externalScript } = await this.keysOf('ethereum');
    return ethereum.deposit(externalScript, coin, amount, transferInstruction(seraiAccount));
  }

  /** `from` burns `amount` (Serai's 8 decimals) of sriETH or sriDAI on Serai to an Ethereum address. */
  async burnEthereum(from: string, coin: EthereumCoinName, amount: bigint, address: string) {
    this.requireEthereum();
    let encoded: Uint8Array;
    try {
      encoded = encodeEthereumAddress(address);
    } catch (err) {
      throw new DevnetNetworkError(`Serai cannot name ${address} as an Ethereum address: ${(err as Error).message}`);
    }
    return this.net.seraiBurn({ from, coin: ETHEREUM_COINS[coin], amount: amount.toString(), address: bytesToHex(encoded), data: null });
  }

  /** The Batch carrying an Ethereum deposit's block, once the coordinator has its SignedBatch. */
  async signedBatchOfEthereum(deposit: RawEthereumTransaction, limitMs = 300_000): Promise<CoordinateBatchResult> {
    const block = deposit.block.replace(/^0x/, '');
    return this.waitFor(`the SignedBatch of Ethereum block ${deposit.height}`, async () => {
      const status = await this.net.seraiStatus().catch(() => undefined);
      const record = status?.batches.ethereum.find((b) => b.externalBlock === block);
      if (!record) return undefined;
      return (await this.net.coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId('ethereum', record.id)).result()) as CoordinateBatchResult;
    }, limitMs);
  }

  /** A deposit to the validators' key with a Transfer to `seraiAccount`. */
  async deposit(amount: bigint, seraiAccount: string): Promise<SentTransaction> {
    const { externalScript } = await this.generateKeys();
    return this.wallet.deposit({ to: externalScript, amount, seraiAddress: seraiAccount });
  }

  /**
   * A deposit Serai cannot credit: a Swap Shorthand (which the processor refunds, as the original's
   * `todo!()` would not) whose refund origin is `refundTo`. With our own deposit address as the
   * origin it is the hostile deposit that once stopped every scanner: its refund is reported, never paid.
   */
  async depositSwap(amount: bigint, refundTo: string): Promise<SentTransaction> {
    const { externalScript } = await this.generateKeys();
    const origin = encodeAddress(hexToBytes(addressToScript(refundTo)));
    if (origin === null) throw new Error(`Serai cannot name ${refundTo} as a Bitcoin address`);
    const data = encodeShorthand({ kind: 'Swap', origin: bytesToHex(origin), coin: 'ether', minimum: '1', out: { address: 'aa', data: null } });
    return this.wallet.depositWithData({ to: externalScript, amount, data });
  }

  /** `from` burns sriBTC on Serai to a regtest Bitcoin address. */
  async burn(from: string, amount: bigint, bitcoinAddress: string) {
    const script = addressToScript(bitcoinAddress);
    const encoded = encodeAddress(hexToBytes(script));
    if (encoded === null) throw new Error(`Serai cannot name ${bitcoinAddress} as a Bitcoin address`);
    return this.net.seraiBurn({ from, coin: 'bitcoin', amount: amount.toString(), address: bytesToHex(encoded), data: null });
  }

  /** The Batch carrying a deposit's block, once the coordinator has its SignedBatch. */
  async signedBatchOf(txid: string, limitMs = 300_000): Promise<{ result: CoordinateBatchResult; height: number }> {
    const height = await this.waitFor(`deposit ${txid} to be mined`, async () => {
      const tx = await this.btcd.rpc.getRawTransaction(txid).catch(() => undefined);
      if (!tx?.blockhash) return undefined;
      return (await this.btcd.rpc.getBlockHeader(tx.blockhash)).height;
    }, limitMs);
    const hash = await this.btcd.rpc.getBlockHash(height);
    return this.waitFor(`the SignedBatch of block ${height}`, async () => {
      const status = await this.net.seraiStatus().catch(() => undefined);
      const record = status?.batches.bitcoin.find((b) => b.externalBlock === hash);
      if (!record) return undefined;
      const handle = this.net.coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId('bitcoin', record.id));
      return { result: (await handle.result()) as CoordinateBatchResult, height };
    }, limitMs);
  }

  /**
   * Once every online processor of `network` has scanned past `height` and Serai acknowledged every
   * block up to it: the outputs those blocks brought (a payout's change, say) are in each scheduler,
   * so the next Serai block's burns are planned from them.
   */
  async acknowledgedThrough(height: number, network: NetworkName = 'bitcoin', limitMs = 300_000): Promise<void> {
    await this.waitFor(`every ${network} scanner to have block ${height} acknowledged`, async () => {
      const all = await Promise.all(this.onlineOn(network).map((name) => this.scannerStatus(name, network)));
      const done = (s: ScannerStatus | undefined) => s?.nextHeight != null && s.nextHeight > height && s.awaitingAck.every((pending) => pending.height > height);
      return all.every(done) ? true : undefined;
    }, limitMs);
  }

  /** What `name`'s processor (the first online one by default) for `network` decided for Serai block `block`, once it did. */
  async seraiBlockOutcome(block: number, limitMs = 300_000, name = this.online[0]!, network: NetworkName = 'bitcoin'): Promise<SeraiBlockOutcome> {
    const handle = this.net.setOf(network).processor(name).client.workflow.getHandle(`substrate-${network}-${block}`);
    return this.waitFor(`Serai block ${block} applied by ${name}`, async () => {
      const status = await handle.describe().then((d) => d.status.name, () => undefined);
      return status === 'COMPLETED' ? ((await handle.result()) as SeraiBlockOutcome) : undefined;
    }, limitMs);
  }

  async planOutcome(planId: string, limitMs = 300_000, network: NetworkName = 'bitcoin'): Promise<PlanOutcome> {
    const name = this.online[0]!;
    const handle = this.net.setOf(network).processor(name).client.workflow.getHandle(`plan-${network}-${planId}`);
    return this.waitFor(`plan ${planId} completed`, async () => {
      const status = await handle.describe().then((d) => d.status.name, () => undefined);
      return status === 'COMPLETED' ? ((await handle.result()) as PlanOutcome) : undefined;
    }, limitMs);
  }

  static batchEvidence(signed: SignedBatch) {
    return { id: signed.batch.id, block: signed.batch.block, message: bytesToHex(batchMessage(signed.batch)), signature: signed.signature, instructions: signed.batch.instructions };
  }

  async stop(): Promise<void> {
    for (const [name, stop] of [...this.stops].reverse()) {
      try {
        await stop();
        this.log(`stopped ${name}`);
      } catch (err) {
        this.log(`stopping ${name} failed: ${(err as Error).message}`);
      }
    }
  }
}
