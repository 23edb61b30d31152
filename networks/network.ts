/**
 * Data types shared by every external network. Pure data crosses this boundary as
 * plain JSON (hex strings, decimal-string amounts) so it can travel in workflow payloads.
 */

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

/** The scripts of one key set, by output kind, that the scanner watches. */
export interface OutputKeySet {
  session: number;
  scripts: Record<OutputKind, string>;
}
