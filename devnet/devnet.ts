/**
 * The whole devnet in one object: Temporal dev server with its UI and codec server, btcd with a
 * miner, the devnet coordinator with the Serai chain simulator, and a set of validators whose
 * processors are Temporal workers in their own OS processes. `npm start`, the scenario and the
 * end-to-end tests all drive this.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { ProcessorSettings } from '../client';
import { batchMessage, type SignedBatch } from '../messages';
import { encodeShorthand } from '../messages/shorthand';
import { encodeAddress } from '../networks/bitcoin/instructions';
import { AesGcmPayloadCodec } from '../temporal/codec';
import { startCodecServer } from '../temporal/codec-server';
import type { PlanOutcome } from '../workflows/plan-defs';
import type { ScannerStatus, SeraiBlockOutcome } from '../workflows/scanner-defs';
import { coordinatorBatchWorkflowId, type CoordinateBatchResult, type CoordinateKeygenResult } from './coordinator/defs';
import { KeygenNetwork } from './keygen-network';
import { startMiner, type Miner } from './miner';
import { startAnvil } from '../nodes/anvil';
import { startBtcd, type BtcdNode } from '../nodes/btcd';
import { preferredOrFreePort } from './preferred-port';
import { ensureCodecKeysFile } from './secrets';
import { startTemporalServer, type RunningTemporalServer } from './temporal-server';
import type { ValidatorSpec } from './validator-set';
import { DevnetWallet, addressToScript, scriptToAddress, type SentTransaction } from './wallet';

export const DEVNET_PROCESSOR_SETTINGS: ProcessorSettings = {
  keygen: { idleTimeout: '1 hour' },
  scanner: { confirmations: 3, pollInterval: '1 second' },
  batch: { idleTimeout: '1 hour' },
  plan: { idleTimeout: '1 hour', confirmations: 2, pollInterval: '2 seconds' },
};

export interface DevnetOptions {
  dataDir: string;
  validators: ValidatorSpec[];
  /** Key shares needed to sign. */
  t: number;
  ports?: { temporal?: number; ui?: number; codec?: number };
  /** btcd mines a block this often. */
  blockIntervalMs?: number;
  seraiBlockTime?: string | number;
  keygenRounds?: { roundTimeout: string | number; blameTimeout: string | number; maxAttempts: number };
  processorSettings?: ProcessorSettings;
  log?: (line: string) => void;
}

export interface DevnetKeys {
  keygen: CoordinateKeygenResult;
  /** The External output script of the key: deposits pay it. */
  externalScript: string;
  activationHeight: number;
}

export class DevnetTimeoutError extends Error {
  override readonly name = 'DevnetTimeoutError';
}

export class Devnet {
  private keys: DevnetKeys | undefined;

  private constructor(
    readonly options: DevnetOptions,
    readonly temporal: RunningTemporalServer,
    readonly codecUrl: string,
    readonly btcd: BtcdNode,
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
    try {
      mkdirSync(options.dataDir, { recursive: true });
      const { path: codecKeysFile, keyring } = ensureCodecKeysFile(options.dataDir);
      const uiPort = options.ports?.ui ?? 0;
      const allowedOrigins: string[] = [];
      const codec = await startCodecServer({ codec: new AesGcmPayloadCodec(keyring), port: await preferredOrFreePort(options.ports?.codec ?? 0), allowedOrigins });
      stops.push(['codec server', () => codec.close()]);
      log(`codec server on ${codec.url}`);

      log('starting the Temporal dev server (SQLite under the data dir) ...');
      const temporal = await startTemporalServer({ dataDir: join(options.dataDir, 'temporal'), port: options.ports?.temporal ?? 0, uiPort, codecEndpoint: codec.url });
      stops.push(['Temporal dev server', () => temporal.stop()]);
      const uiOrigin = new URL(temporal.uiUrl).origin;
      allowedOrigins.push(uiOrigin, uiOrigin.replace('127.0.0.1', 'localhost'));
      log(`Temporal at ${temporal.address}; UI: ${temporal.uiUrl}`);

      log('starting btcd (regtest) and activating taproot ...');
      const btcd = await startBtcd({ dataDir: join(options.dataDir, 'btcd') });
      stops.push(['btcd', () => btcd.stop()]);
      await btcd.activateSoftForks();
      log(`btcd RPC ${btcd.rpc.url}, height ${await btcd.rpc.getBlockCount()}`);
      // Ethereum is not wired into the processor yet; anvil runs so its RPC is there to use.
      const anvil = await startAnvil({});
      stops.push(['anvil', () => anvil.stop()]);
      log(`anvil RPC ${anvil.rpcUrl}`);
      const miner = startMiner(btcd, { intervalMs: options.blockIntervalMs ?? 1000, onError: (err: unknown) => log(`miner: ${err instanceof Error ? err.message : String(err)}`) });
      stops.push(['miner', () => miner.stop()]);

      const net = await KeygenNetwork.start({
        temporalAddress: temporal.address,
        dataDir: options.dataDir,
        keyring,
        codecKeysFile,
        network: 'bitcoin',
        validators: options.validators,
        chains: { bitcoinRpc: btcd.rpcCredentials },
        processorSettings: options.processorSettings ?? DEVNET_PROCESSOR_SETTINGS,
        log,
      });
      stops.push(['validators and coordinator', () => net.stop()]);
      await net.startSeraiChain(options.seraiBlockTime ?? '1 second');
      log('coordinator and Serai chain simulator running');
      return new Devnet(options, temporal, codec.url, btcd, net, DevnetWallet.of(btcd), miner, stops);
    } catch (err) {
      await stopAll();
      throw err;
    }
  }

  get online(): string[] {
    return this.options.validators.filter((v) => !v.offline).map((v) => v.name);
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

  /** Key generation for session 0, Serai's confirmation of the key pair, and the scanners' activation block. */
  async generateKeys(): Promise<DevnetKeys> {
    if (this.keys) return this.keys;
    const rounds = this.options.keygenRounds ?? { roundTimeout: '30 seconds', blameTimeout: '20 seconds', maxAttempts: 3 };
    this.log(`key generation: ${this.options.validators.length} validators, ${this.options.t} shares to sign ...`);
    const keygen = await this.net.generateKey({ network: 'bitcoin', session: 0, t: this.options.t, settings: rounds });
    this.log(`key generation done in attempt ${keygen.attempt} by ${keygen.members.join(', ')}`);
    this.log(`  Serai key ${keygen.keyPair.substrateKey}`);
    this.log(`  Bitcoin key ${keygen.keyPair.networkKey}`);
    await this.net.seraiSetKeys({ network: 'bitcoin', session: 0, keyPair: { substrate_key: keygen.keyPair.substrateKey, network_key: keygen.keyPair.networkKey } });
    const statuses = await this.waitFor('every online scanner to find its activation block', async () => {
      const all = await Promise.all(this.online.map((name) => this.scannerStatus(name)));
      return all.every((s) => s?.activationHeight !== null && s?.activationHeight !== undefined) ? (all as ScannerStatus[]) : undefined;
    });
    const first = statuses[0]!;
    this.keys = { keygen, externalScript: first.externalScript!, activationHeight: first.activationHeight! };
    this.log(`key active from Bitcoin block ${first.activationHeight}; deposit address ${this.depositAddress()}`);
    return this.keys;
  }

  depositAddress(): string {
    if (!this.keys) throw new Error('no key yet: run key generation first');
    return scriptToAddress(this.keys.externalScript);
  }

  async scannerStatus(name: string): Promise<ScannerStatus | undefined> {
    return this.net.set.processor(name).scannerStatus().catch(() => undefined);
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

  /** The plans an online validator made for a Serai block, once its workflow completed. */
  /** What `name`'s processor (the first online one by default) decided for Serai block `block`, once it did. */
  async seraiBlockOutcome(block: number, limitMs = 300_000, name = this.online[0]!): Promise<SeraiBlockOutcome> {
    const handle = this.net.set.processor(name).client.workflow.getHandle(`substrate-bitcoin-${block}`);
    return this.waitFor(`Serai block ${block} applied by ${name}`, async () => {
      const status = await handle.describe().then((d) => d.status.name, () => undefined);
      return status === 'COMPLETED' ? ((await handle.result()) as SeraiBlockOutcome) : undefined;
    }, limitMs);
  }

  async planOutcome(planId: string, limitMs = 300_000): Promise<PlanOutcome> {
    const name = this.online[0]!;
    const handle = this.net.set.processor(name).client.workflow.getHandle(`plan-bitcoin-${planId}`);
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
