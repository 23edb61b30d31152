/**
 * The chain seam: what a network provides to the processor's activities, split by the parts the
 * processor needs. Bitcoin implements it (networks/bitcoin/adapter.ts); the Ethereum Router will
 * (an account feed of Router events, an account/nonce scheduler, `execute` transactions). Workflows
 * never see an adapter: they call activities, which call the adapter the registry picked.
 *
 * Everything crossing into a workflow is plain JSON.
 */
import type { ThresholdProtocol } from '../crypto/sign/protocol';
import type { ExternalCoin, ExternalNetwork } from '../messages/networks';
import type { AnyPlan } from '../scheduler/plans';
import type { DepositOutcome } from './deposits';
import type { OutputKeySet, OutputKind, PublishOutcome } from './network';
import type { ScanState } from './finality';

/** An output of a final block paying one of our keys. */
export interface FoundOutput {
  /** Ethereum: the deposit's transaction hash, and its log index as `vout`. */
  txid: string;
  vout: number;
  kind: OutputKind;
  /** In Serai's units (8 decimals). */
  amount: string;
  /** The coin, on a chain that holds more than one (Ethereum: ether, dai). */
  coin?: ExternalCoin;
  /** The session of the key it pays, on a chain where each key has its own addresses (absent: the one contract every key holds in turn). */
  session?: number;
}

/** A block that became final, with our outputs in it and what each deposit asks for. */
export interface FinalBlock {
  block: { height: number; hash: string; time: number };
  outputs: FoundOutput[];
  deposits: DepositOutcome[];
}

/** A key set the feed watches from the first block whose time reaches `activeFrom` (seconds). */
export interface TimedKeySet extends OutputKeySet {
  activeFrom?: number;
}

export interface FeedPoll {
  state: ScanState;
  blocks: FinalBlock[];
  followedReorg: { height: number; replaced: string; by: string | null } | null;
}

/** Blocks, finality, our outputs and deposits, and time. */
export interface ChainFeed {
  /** The node's best block. */
  tip(): Promise<{ height: number; hash: string }>;
  /** The first height whose block time reaches `activeFrom`, or the height after the tip if none does yet. */
  activationSearchStart(activeFrom: number): Promise<number>;
  /** One step of the finality tracker; throws `FinalizedReorgError` to halt, `ScanStateError` on a bad state. */
  poll(state: ScanState, keys: readonly TimedKeySet[], upTo?: number): Promise<FeedPoll>;
  /** Of our outputs (by the scheduler's ids), those no longer unspent on the node's chain. */
  spentOutputs(ids: readonly string[]): Promise<string[]>;
  /** The fee rate plans are built with, read at a block every validator has. */
  feeRateAt(blockHash: string): Promise<number>;
}

/** Our addresses for a session's key, by output kind, and the key as Serai knows it. */
export interface ChainKeys {
  /**
   * From the group key alone (the network key as Serai publishes it), so a key this validator
   * holds no share of can be followed too. Async where the chain must be asked (Ethereum: the key's
   * Router). `sessionZeroKey` is the network's session-0 group key where this keystore holds it: a
   * chain whose one contract is identified by its first key (Ethereum's Router) keeps that
   * contract for every later session.
   */
  keySet(session: number, groupKey: Uint8Array, sessionZeroKey?: Uint8Array): KeySet | Promise<KeySet>;
}

export interface KeySet {
  networkKey: string;
  scripts: Record<OutputKind, string>;
  /** The key as the chain's contract holds it, where there is one (Ethereum: the Router's px, 32-byte hex). */
  contractKey?: string;
}

export type ClaimVerdict = { valid: true } | { valid: false; reason: string; pending?: boolean };

/** The signable form of a plan: plain JSON, with the eventuality that shows it was carried out. */
export interface Signable {
  readonly eventuality: { readonly id: string };
}

/** Plans as transactions: built for a key, threshold-signed, published, and found on chain. */
export interface ChainTransactions {
  /** Of the key's group key, async where the chain must be asked (Ethereum: where the Router is; `sessionZeroKey` as for `ChainKeys.keySet`). */
  signable(plan: AnyPlan, session: number, groupKey: Uint8Array, sessionZeroKey?: Uint8Array): Signable | Promise<Signable>;
  /** How a signable is threshold-signed under the network key (the signing driver's protocol). */
  signing: ThresholdProtocol<unknown, { txid: string; hex: string }>;
  publish(signed: string): Promise<PublishOutcome>;
  /** Whether the plan's eventuality is on the best chain with `confirmations`. */
  completion(signable: Signable, confirmations: number): Promise<{ completed: boolean; height?: number }>;
  /**
   * Another validator's claim that a plan completed, checked against the chain: valid once the
   * eventuality has `confirmations`; `pending` while the claimed transaction is the plan's and on its
   * way (in the mempool or on chain with fewer confirmations).
   */
  verifyClaim(signable: Signable, claim: string, confirmations: number): Promise<ClaimVerdict>;
}

export interface ChainAdapter {
  readonly network: ExternalNetwork;
  readonly feed: ChainFeed;
  readonly keys: ChainKeys;
  readonly transactions: ChainTransactions;
}
