/**
 * The Serai chain simulator's state: plain JSON (amounts as decimal strings, bytes as lowercase
 * hex), so it persists and crosses activity boundaries as is. The zod schema is the contract for
 * state read back from disk.
 */
import { z } from 'zod';

import { keyPair, type KeyPair } from '../../messages/ids';
import { outInstructionWithBalance, type OutInstructionWithBalance } from '../../messages/instructions';
import { EXTERNAL_COIN_IDS, EXTERNAL_NETWORK_IDS, externalCoin, externalNetwork, type ExternalCoin, type ExternalNetwork } from '../../messages/networks';
import { hex32, hexBytes, session, u32, u64, type Hex } from '../../messages/primitives';
import { SR25519_SIGNATURE_BYTES } from '../../messages/limits';

export const STATE_VERSION = 1;
export const ZERO_HASH: Hex = '00'.repeat(32);
export const EXTERNAL_NETWORKS = Object.keys(EXTERNAL_NETWORK_IDS) as ExternalNetwork[];
export const EXTERNAL_COINS = Object.keys(EXTERNAL_COIN_IDS) as ExternalCoin[];

/** Why an InInstruction of an included Batch minted nothing (Serai's `InstructionFailure`). */
export type InstructionFailureReason = 'unsupported' | 'overflow';

export interface NetworkState {
  /** The latest session with keys on Serai, null before the first `setKeys`. */
  session: number | null;
  keyPair: KeyPair | null;
  /** The previous session's keys, valid for Batches until the current key publishes one. */
  prior: { session: number; keyPair: KeyPair } | null;
  nextBatchId: number;
  /** The external block of the last included Batch (zero before any). */
  latestFinalizedBlock: Hex;
  /** The Serai block that includes this network's last Batch, null before any. */
  lastBatchBlock: number | null;
}

export interface BatchRecord {
  network: ExternalNetwork;
  id: number;
  /** The external block the Batch reports. */
  externalBlock: Hex;
  /** blake2b-256 of SCALE(instructions), as Serai's `Batch` event carries it. */
  instructionsHash: Hex;
  instructions: number;
  signature: Hex;
  /** The Serai block that includes it. */
  seraiBlock: number;
  failures: { index: number; reason: InstructionFailureReason }[];
}

export interface BurnRecord {
  /** The Serai account that burned. */
  from: Hex;
  burn: OutInstructionWithBalance;
}

export interface KeyEvent {
  session: number;
  keyPair: KeyPair;
}

/** One network's events in one Serai block. */
export interface BlockNetworkEvents {
  latestFinalizedBlock: Hex;
  keys: KeyEvent[];
  batches: number[];
  burns: BurnRecord[];
}

export interface SeraiBlock {
  number: number;
  hash: Hex;
  parent: Hex;
  /** Serai time in seconds (u64 decimal). */
  time: string;
  /** Only networks with events appear. */
  networks: Partial<Record<ExternalNetwork, BlockNetworkEvents>>;
}

export interface CoinTotals {
  /** Ever minted by Batches. */
  minted: string;
  /** Ever burned to an external address. */
  burned: string;
  /** Deposited in included Batches but not minted: unsupported instructions or supply overflow. */
  unminted: string;
}

export interface SeraiChainState {
  version: typeof STATE_VERSION;
  /** The number of the last produced block; 0 is genesis (no block produced yet). */
  height: number;
  lastHash: Hex;
  lastTime: string;
  networks: Record<ExternalNetwork, NetworkState>;
  /** account -> coin -> balance; zero balances and empty accounts are absent. */
  balances: Record<Hex, Partial<Record<ExternalCoin, string>>>;
  coins: Record<ExternalCoin, CoinTotals>;
  /** Included Batches per network; the index is the Batch id. */
  batches: Record<ExternalNetwork, BatchRecord[]>;
  /** Events of the block being built, emitted by the next `produceBlock`. */
  open: { keys: (KeyEvent & { network: ExternalNetwork })[]; batches: { network: ExternalNetwork; id: number }[] };
  /** Burns not yet emitted in a block, oldest first. */
  pendingBurns: BurnRecord[];
  blocks: SeraiBlock[];
}

export function emptyNetworkState(): NetworkState {
  return { session: null, keyPair: null, prior: null, nextBatchId: 0, latestFinalizedBlock: ZERO_HASH, lastBatchBlock: null };
}

function perNetwork<T>(make: () => T): Record<ExternalNetwork, T> {
  return Object.fromEntries(EXTERNAL_NETWORKS.map((network) => [network, make()])) as Record<ExternalNetwork, T>;
}

export function emptyState(): SeraiChainState {
  return {
    version: STATE_VERSION,
    height: 0,
    lastHash: ZERO_HASH,
    lastTime: '0',
    networks: perNetwork(emptyNetworkState),
    balances: {},
    coins: Object.fromEntries(EXTERNAL_COINS.map((coin) => [coin, { minted: '0', burned: '0', unminted: '0' }])) as Record<
      ExternalCoin,
      CoinTotals
    >,
    batches: perNetwork(() => []),
    open: { keys: [], batches: [] },
    pendingBurns: [],
    blocks: [],
  };
}

/** A non-negative integer as a canonical decimal string, without the u64 cap (running totals). */
const natural = z.string().regex(/^(0|[1-9][0-9]*)$/, 'expected a non-negative decimal integer');
const count = z.int().min(0);
const blockNumber = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

const networkStateSchema = z.strictObject({
  session: session.nullable(),
  keyPair: keyPair.nullable(),
  prior: z.strictObject({ session, keyPair }).nullable(),
  nextBatchId: count,
  latestFinalizedBlock: hex32,
  lastBatchBlock: blockNumber.nullable(),
});

const batchRecordSchema = z.strictObject({
  network: externalNetwork,
  id: u32,
  externalBlock: hex32,
  instructionsHash: hex32,
  instructions: count,
  signature: hexBytes(SR25519_SIGNATURE_BYTES),
  seraiBlock: blockNumber,
  failures: z.array(z.strictObject({ index: count, reason: z.enum(['unsupported', 'overflow']) })),
});

const burnRecordSchema = z.strictObject({ from: hex32, burn: outInstructionWithBalance });
const keyEventSchema = z.strictObject({ session, keyPair });

const blockSchema = z.strictObject({
  number: blockNumber,
  hash: hex32,
  parent: hex32,
  time: u64,
  networks: z.partialRecord(
    externalNetwork,
    z.strictObject({ latestFinalizedBlock: hex32, keys: z.array(keyEventSchema), batches: z.array(u32), burns: z.array(burnRecordSchema) }),
  ),
});

export const seraiChainStateSchema = z.strictObject({
  version: z.literal(STATE_VERSION),
  height: blockNumber,
  lastHash: hex32,
  lastTime: u64,
  networks: z.record(externalNetwork, networkStateSchema),
  balances: z.record(hex32, z.partialRecord(externalCoin, u64)),
  coins: z.record(externalCoin, z.strictObject({ minted: natural, burned: natural, unminted: natural })),
  batches: z.record(externalNetwork, z.array(batchRecordSchema)),
  open: z.strictObject({
    keys: z.array(keyEventSchema.extend({ network: externalNetwork })),
    batches: z.array(z.strictObject({ network: externalNetwork, id: u32 })),
  }),
  pendingBurns: z.array(burnRecordSchema),
  blocks: z.array(blockSchema),
});
