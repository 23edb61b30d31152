// Signals, queries and payload types of the scanner and Serai-block workflows: workflow-safe, shared with client.ts.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ExternalNetwork } from '../messages';
import type { Dropped } from './scheduling';
import type { PlanSettings } from './plan-defs';
import type { RotationSettings } from './scanner-rotation';
import type { ScannerCore, SeraiBlockMessage, SeraiBlockResult, Solvency, UnpaidRefund, UnpayableBurn } from './scanner-state';

export interface ScannerSettings {
  /** A block is final with this many confirmations (itself included). */
  confirmations: number;
  /** How often the chain is polled. */
  pollInterval: string | number;
  /** Where scanning starts when the first key arrives; by default the first block that may activate it. */
  startHeight?: number;
  batch: { idleTimeout: string | number };
  plan: PlanSettings;
  /** Serai's rotation windows, shortened for a devnet (seconds; by default 600 s of grace and 6 h of forwarding). */
  rotation?: RotationSettings;
}

/** Serai confirmed a key: watch it from the first block whose median time reaches `activeFrom`. */
export interface ScannerKeyRequest {
  session: number;
  activeFrom: number;
  /** The network key Serai confirmed (hex): a key this validator holds no share of is followed by it (requests before carried none). */
  networkKey?: string;
}

export interface ScannerInput {
  network: ExternalNetwork;
  settings: ScannerSettings;
  /** Carried across continue-as-new. */
  carried?: { core: ScannerCore; keyRequests: ScannerKeyRequest[]; substrateBlocks: SeraiBlockMessage[]; rejected?: string[] };
}

export interface ScannerStatus {
  stage: string;
  session: number | null;
  activationHeight: number | null;
  /** The output script deposits pay (the key's External address), once a key is active. */
  externalScript: string | null;
  nextHeight: number | null;
  nextBatchId: number;
  awaitingAck: { height: number; batches: number[] }[];
  /** The last Serai block applied with all it decided (its plans started or held, the solvency read). */
  lastSeraiBlock: string | null;
  queuedSeraiBlocks: string[];
  /** Serai blocks applied while payouts were halted: planned, their signing held until payouts resume. */
  heldSeraiBlocks: string[];
  scheduler: { outputs: number; queuedPayments: number } | null;
  rejected: string[];
  /** The solvency watch: whether payouts are signed, and why not (null before a key, or in old states). */
  solvency: Solvency | null;
  /** A rotation in progress: the later key, its activation block and stage, and the block from which its session signs the Batches once the existing key drained. */
  rotation?: { session: number; activationHeight: number | null; stage: string; retirementBlock: number | null } | null;
  retiredSessions?: number[];
  /** Sessions whose key this validator follows without a share (a set it leaves): never signed with. */
  observedSessions?: number[];
}

export const scannerKeySignal = defineSignal<[ScannerKeyRequest]>('scannerKey');
export const scannerSeraiBlockSignal = defineSignal<[SeraiBlockMessage]>('scannerSubstrateBlock');
export const scannerStatusQuery = defineQuery<ScannerStatus>('scannerStatus');
/** An operator resumes payouts the solvency watch halted, naming why; the watch halts again on the next problem once the books agreed. */
export const scannerResumePayoutsSignal = defineSignal<[{ reason: string }]>('scannerResumePayouts');

export function scannerWorkflowId(network: ExternalNetwork): string {
  return `scanner-${network}`;
}

/** A Serai block's effects as the scanner decided them (histories before unusable deposits lack those). */
export interface SeraiBlockInput extends Omit<SeraiBlockResult, 'unusableDeposits' | 'unpaidRefunds'> {
  network: ExternalNetwork;
  unusableDeposits?: SeraiBlockResult['unusableDeposits'];
  unpaidRefunds?: SeraiBlockResult['unpaidRefunds'];
  settings: PlanSettings;
}

export interface SeraiBlockOutcome {
  block: string;
  plans: string[];
  /** Plans whose workflow already existed (a re-run of this block's effects). */
  alreadyStarted: string[];
  dropped: Dropped[];
  unpayable: UnpayableBurn[];
  acknowledged: number[];
  unusableDeposits: { output: string; reason: string }[];
  /** Refunds the scheduler refused; absent in outcomes recorded before refunds were checked one by one. */
  unpaidRefunds?: UnpaidRefund[];
  ack: 'sent' | 'no-coordinator';
}

export function seraiBlockWorkflowId(network: ExternalNetwork, block: string): string {
  return `substrate-${network}-${block}`;
}
