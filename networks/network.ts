/**
 * What every external network implements for the processor. Pure data crosses this boundary as
 * plain JSON (hex strings, decimal-string amounts) so it can travel in workflow payloads.
 */
import type { ExternalNetwork } from '../messages';

/** Bitcoin-style output kinds (reference section 1): deposits are `external`. */
export type OutputKind = 'external' | 'branch' | 'change' | 'forward';

export interface BlockRef {
  /** Block hash as the chain's RPC shows it (hex). */
  hash: string;
  height: number;
  parent: string;
  /** Network time, monotonic (BIP113 median time past for Bitcoin), seconds. */
  time: number;
}

/** An output paying one of our keys. */
export interface ReceivedOutput {
  /** Unique and stable: for Bitcoin `txid:vout`. */
  id: string;
  kind: OutputKind;
  txid: string;
  vout: number;
  /** Amount in the network's base unit (satoshis), decimal string. */
  amount: string;
  /** Hex of the output script / key it pays. */
  script: string;
  /** The presumed sender's address (refunds), when it can be determined. */
  presumedOrigin: string | null;
  /** The raw data attached to this output's own transaction (OP_RETURN), capped, hex. */
  data: string | null;
}

export interface Eventuality {
  /** Identifies the plan's on-chain effect; for Bitcoin the txid (witness-independent). */
  id: string;
}

export type PublishOutcome =
  | { kind: 'published' }
  | { kind: 'already-in-mempool' }
  | { kind: 'already-confirmed' }
  | { kind: 'conflict'; reason: string };

export interface Network {
  readonly name: ExternalNetwork;
  readonly confirmations: number;
  /** Height of the chain tip. */
  latestBlockNumber(): Promise<number>;
  /** The block at a height of the current best chain. */
  blockAt(height: number): Promise<BlockRef>;
  /** Outputs of a block paying any of `keys` (x-only / script hex), dust dropped. */
  outputsOf(block: BlockRef, keys: readonly OutputKeySet[]): Promise<ReceivedOutput[]>;
  /** Fee rate to build with, in base units per weight unit the network uses (sat/vB for Bitcoin). */
  feeRate(): Promise<number>;
  /** Publishes a signed transaction, telling apart the ways it may already be there. */
  publish(rawTransaction: string): Promise<PublishOutcome>;
  /** Whether an eventuality is completed on the best chain, and by which transaction. */
  completion(eventuality: Eventuality): Promise<{ completed: boolean; claim?: string; height?: number }>;
}

/** The scripts of one key set, by output kind, that the scanner watches. */
export interface OutputKeySet {
  session: number;
  scripts: Record<OutputKind, string>;
}
