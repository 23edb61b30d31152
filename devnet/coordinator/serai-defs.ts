// Workflow-safe definitions of the devnet's Serai chain workflow: its id, input, updates, signals and status.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ExternalCoin, ExternalNetwork, OutInstructionWithBalance, SignedBatch } from '../../messages';
import type { BurnRequest, FaultMintRequest, SetKeysRequest } from '../serai/input';
import type { BatchRecord } from '../serai/state';
import type { CoinReport } from '../serai/totals';

/** One Serai chain per devnet, in the coordinator's namespace (it takes the processors' acknowledgements). */
export { SERAI_CHAIN_WORKFLOW_ID } from '../../temporal/coordinator-contract';

export type { BurnRequest, FaultMintRequest, SetKeysRequest };

/** A refused input: what it was, the error's stable name and its message (public data only). */
export interface SeraiRejection {
  what: string;
  error: string;
  message: string;
}

/** A Batch dropped because its id was already included (a second publish of the same Batch, say). */
export interface SeraiDuplicate {
  network: ExternalNetwork;
  id: number;
  signature: string;
}

/** block number -> network -> validator -> plan ids it acknowledged. */
export type SeraiAcks = Record<string, Partial<Record<ExternalNetwork, Record<string, string[]>>>>;

/** A block whose messages a member's processor refused for good, or no member got (`member` absent). */
export interface SeraiDeliveryFailure {
  block: number;
  network: ExternalNetwork;
  member?: string;
  error: string;
  message: string;
}

/** What one run hands the next across continue-as-new, besides the chain state. */
export interface SeraiCarried {
  mempool: SignedBatch[];
  acks: SeraiAcks;
  rejected: SeraiRejection[];
  duplicates: SeraiDuplicate[];
  deliveryFailures: SeraiDeliveryFailure[];
}

export interface SeraiChainInput {
  /** `serializeState` JSON, carried across continue-as-new; absent for a fresh chain. */
  state?: string;
  settings: {
    /** The least time between blocks; a block is produced this long after the first event it carries. */
    blockTime: string | number;
  };
  carried?: SeraiCarried;
}

export interface SeraiSetKeysResult {
  network: ExternalNetwork;
  session: number;
  /** The block that carries (or carried) the keys to the processors. */
  block: number;
  /** True when this exact request had already been applied (a retried call). */
  alreadySet: boolean;
}

export interface SeraiBurnResult {
  burn: OutInstructionWithBalance;
  network: ExternalNetwork;
  /** The earliest block that emits the burn (later burns of the network queue behind earlier ones). */
  block: number;
}

export interface SeraiBlockSummary {
  number: number;
  hash: string;
  time: string;
  burns: number;
  batches: Partial<Record<ExternalNetwork, number[]>>;
}

export interface SeraiChainStatus {
  height: number;
  balances: Record<string, Partial<Record<ExternalCoin, string>>>;
  coins: Record<ExternalCoin, CoinReport>;
  batches: Record<ExternalNetwork, Pick<BatchRecord, 'id' | 'seraiBlock' | 'externalBlock' | 'failures'>[]>;
  /** The newest blocks, oldest first. */
  blocks: SeraiBlockSummary[];
  acks: SeraiAcks;
  rejected: SeraiRejection[];
  duplicates: SeraiDuplicate[];
  deliveryFailures: SeraiDeliveryFailure[];
  mempool: number;
  pendingBurns: number;
}

/** The validator set of a network for a session set its keys on Serai. */
export const seraiSetKeysUpdate = defineUpdate<SeraiSetKeysResult, [SetKeysRequest]>('seraiSetKeys');
/** An account burns sriXYZ to an external address. */
export const seraiBurnUpdate = defineUpdate<SeraiBurnResult, [BurnRequest]>('seraiBurn');
/** A devnet fault: mint coins without a deposit (the processors' solvency watch must halt payouts). */
export const seraiFaultMintUpdate = defineUpdate<{ minted: string }, [FaultMintRequest]>('seraiFaultMint');
/** The coordinator publishes a SignedBatch; it waits in the mempool until its id is next. */
export const seraiPublishBatchSignal = defineSignal<[SignedBatch]>('seraiPublishBatch');
export const seraiStatusQuery = defineQuery<SeraiChainStatus>('seraiStatus');
