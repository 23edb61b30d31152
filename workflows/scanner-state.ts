/**
 * The state a network's scanner workflow holds, and every decision it makes, as pure functions:
 * notable blocks become Batches with sequential ids, Serai's acknowledgement releases their
 * outputs to the scheduler, and a Serai block's burns become scheduled plans.
 *
 * The scheduler state lives here, in the scanner's workflow state, rather than in a workflow of
 * its own: an acknowledged block's outputs, the burns of the same Serai block and the plans made
 * from them must change together, in the order Serai delivered them, and one workflow is one
 * serialized owner (the reference holds a lock across the same steps, section 1 item 9).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { encodeBatch, encodeInInstructionWithBalance } from '../messages/batch';
import type { CoordinatorMessageOf } from '../messages/coordinator';
import type { Batch, InInstructionWithBalance } from '../messages/instructions';
import { MAX_BATCH_INSTRUCTIONS, MAX_BATCH_SIZE } from '../messages/limits';
import { COIN_NETWORK, type ExternalNetwork } from '../messages/networks';
import type { FinalBlock, FoundOutput } from '../networks/chain';
import type { DepositOutcome } from '../networks/deposits';
import type { OutputKind } from '../networks/network';
import { chainRules } from '../networks/rules';
import type { ScanState } from '../networks/finality';
import {
  activateQueued,
  activatesQueued,
  advanceSchedulers,
  checkRetirement,
  forwardedInstruction,
  holder,
  isRotationMilestone,
  payer,
  routeOutput,
  scanCapDuringRotation,
  type ForwardedDeposit,
  type QueuedKey,
  type SessionPlan,
  type SuccessorKey,
} from './scanner-rotation';
import { hasBranches, schedulingFor, type AnyPlan, type CoinPayment, type Dropped, type HeldOutput, type SchedulerSlot } from './scheduling';

export type SeraiBlockMessage = CoordinatorMessageOf<'substrate.SubstrateBlock'>;

/** The key the scanner watches and the scheduler spends. */
export interface ScannerKey {
  session: number;
  /** Serai time (seconds) of the key's confirmation: the first block whose median time reaches it activates the key. */
  activeFrom: number;
  /** The network key as Serai knows it (hex), bound into every plan id. */
  networkKey: string;
  scripts: Record<OutputKind, string>;
  /** The key as the chain's contract holds it (its group key as the contract's key rule wants it), from the adapter; absent before it reported one. */
  contractKey?: string;
  /**
   * False for a key of a set this validator is not in (it leaves at this rotation): followed so that
   * the existing key's side of the handover is decided as every other validator decides it, never
   * signed with. Absent: a key this validator holds a share of.
   */
  held?: false;
  activationHeight: number | null;
}

export type { FinalBlock, FoundOutput };

/** A notable block waiting for Serai to include its Batches. */
export interface PendingBlock {
  height: number;
  hash: string;
  batches: number[];
  /** What the scheduler receives once the Batches are included. */
  outputs: HeldOutput[];
  refunds: CoinPayment[];
  unusable: { output: string; reason: string }[];
  /** What its Batches mint on Serai, per coin (absent in states from before the books were kept). */
  minted?: Record<string, string>;
  /** During a rotation: outputs paying the successor (its scheduler receives them). */
  successorOutputs?: HeldOutput[];
  /** During a rotation: deposits that reached the existing key after forwarding began. */
  forwards?: PendingForward[];
}

/** A deposit to forward once its block is acknowledged, with what it asked for. */
export interface PendingForward {
  output: HeldOutput;
  deposit: DepositOutcome | null;
}

/**
 * What Serai owes this key's holders, per coin, from the Serai blocks applied since the key was
 * activated: minted by our included Batches, burned by Serai's burns of the network's coins.
 */
export interface Books {
  minted: Record<string, string>;
  burned: Record<string, string>;
}

/** Whether payouts are signed: halted while Serai's supply is not backed by what our Batches minted. */
export interface Solvency {
  state: 'solvent' | 'halted';
  /** Why payouts are halted, or why they resumed (an operator's override, say). */
  reason: string | null;
  /** An operator resumed payouts despite the books; cleared once they agree again. */
  override: string | null;
}

export interface ScannerCore {
  network: ExternalNetwork;
  key: ScannerKey | null;
  scan: ScanState | null;
  nextBatchId: number;
  pending: PendingBlock[];
  /** The block of the highest Batch Serai included (plans read their fee rate there). */
  lastIncluded: { batch: number; height: number; hash: string } | null;
  scheduler: SchedulerSlot | null;
  /** Branch outputs our plans will create: outpoint id -> branch id. */
  expectedBranches: Record<string, string>;
  /** The last Serai block applied (decimal u64). */
  lastSeraiBlock: string | null;
  /**
   * The latest applied Serai blocks with a digest of their content, to tell a re-delivery (ignored)
   * from a different block at or below `lastSeraiBlock` (refused and reported, never applied: a
   * block older than this window cannot be told from a replay). Absent in states before it existed.
   */
  recentSeraiBlocks?: { block: string; digest: string }[];
  /**
   * The highest Batch id any applied Serai block included, whether or not its external block is
   * acknowledged yet (a block with several Batches waits for all of them). Absent in older states,
   * which fall back to `lastIncluded`.
   */
  highestIncludedBatch?: number;
  /**
   * Serai blocks applied while the solvency watch halted payouts: their plans are made (scheduling
   * is the same at every validator), their signing waits until payouts resume, oldest first.
   */
  heldSeraiBlocks?: SeraiBlockResult[];
  /** Kept from the key's activation on (absent in states from before, which then skip the solvency check). */
  books?: Books;
  solvency?: Solvency;
  /** Rotation (workflows/scanner-rotation.ts); each absent until the first rotation. */
  queuedKey?: QueuedKey | null;
  successor?: SuccessorKey | null;
  /** Forward plans' outputs at the successor (outpoint id) -> the deposit each carries. */
  forwards?: Record<string, ForwardedDeposit>;
  /** Forward plans made, waiting for their transaction's id (plan id -> the deposit). */
  forwarding?: Record<string, ForwardedDeposit>;
  retiredSessions?: number[];
  /** From which block height each later session signs the Batches. */
  batchSessions?: { fromHeight: number; session: number }[];
  /** The time of the last final block scanned (absent in states from before rotation). */
  lastBlockTime?: number;
}

/** How many applied Serai blocks are remembered with their content's digest. */
export const RECENT_SERAI_BLOCKS = 64;

export interface UnpayableBurn {
  index: number;
  address: string;
  amount: string;
  reason: string;
}

/** A refund of a deposit with bad data that cannot be paid (to one of our own addresses, say): the coins stay with the key. */
export interface UnpaidRefund {
  /** The refund's payment id: the deposit's output id. */
  payment: string;
  address: string;
  amount: string;
  reason: string;
}

export interface SeraiBlockResult {
  block: string;
  session: number;
  plans: AnyPlan[];
  dropped: Dropped[];
  unpayable: UnpayableBurn[];
  /** Heights of the notable blocks this Serai block acknowledged. */
  acknowledged: number[];
  /** Deposits in those blocks with invalid data and no address to refund to: kept, reported. */
  unusableDeposits: PendingBlock['unusable'];
  /** Refunds the scheduler refused (our own address, an amount out of range): kept, reported. */
  unpaidRefunds: UnpaidRefund[];
  /** During a rotation: the session whose key signs each plan, in plan order (absent: every plan is `session`'s). */
  planSessions?: number[];
}

export class ScannerStateError extends Error {
  override readonly name = 'ScannerStateError';
}

export function emptyCore(network: ExternalNetwork): ScannerCore {
  return { network, key: null, scan: null, nextBatchId: 0, pending: [], lastIncluded: null, scheduler: null, expectedBranches: {}, lastSeraiBlock: null, recentSeraiBlocks: [] };
}

export function withKey(core: ScannerCore, key: Omit<ScannerKey, 'activationHeight'>, scan: ScanState): ScannerCore {
  if (core.key !== null) throw new ScannerStateError(`a key (session ${core.key.session}) is already active; rotation is not supported`);
  const scheduler = schedulingFor(core.network).create(key);
  return { ...core, key: { ...key, activationHeight: null }, scan, scheduler, books: { minted: {}, burned: {} }, solvency: { state: 'solvent', reason: null, override: null } };
}

const addTo = (record: Record<string, string>, coin: string, amount: string | bigint) => ({ ...record, [coin]: (BigInt(record[coin] ?? '0') + BigInt(amount)).toString() });

/** Σ instruction amounts per coin. */
function mintedBy(instructions: readonly InInstructionWithBalance[]): Record<string, string> {
  let minted: Record<string, string> = {};
  for (const { balance } of instructions) minted = addTo(minted, balance.coin, balance.amount);
  return minted;
}

/**
 * Why Serai's supply is not backed, if it is not: Serai can only mint what our Batches report, so a
 * supply of a coin above what our included Batches minted, less what Serai burned, plus what our
 * Batches still waiting for inclusion will mint, means coins were minted without a deposit.
 * `supply` is Serai's minted-and-not-burned amount per coin of this network (what Serai says).
 */
export function solvencyProblem(core: ScannerCore, supply: Readonly<Record<string, string>>): string | null {
  if (!core.books) return null;
  for (const [coin, said] of Object.entries(supply)) {
    const minted = BigInt(core.books.minted[coin] ?? '0');
    const burned = BigInt(core.books.burned[coin] ?? '0');
    const coming = core.pending.reduce((sum, entry) => sum + BigInt(entry.minted?.[coin] ?? '0'), 0n);
    const backed = minted - burned + coming;
    if (BigInt(said) > backed) {
      return `Serai's supply of ${coin} is ${said}, but our Batches minted ${minted} (${coming} more on its way) and Serai burned ${burned}: ${BigInt(said) - backed} was minted without a deposit`;
    }
  }
  return null;
}

/** Records a solvency check: payouts halt on a problem, resume when the books agree (or by an operator's override). */
export function withSolvency(core: ScannerCore, problem: string | null, override?: string): ScannerCore {
  const previous = core.solvency ?? { state: 'solvent', reason: null, override: null };
  if (override !== undefined) return { ...core, solvency: { state: 'solvent', reason: `resumed by an operator: ${override}`, override } };
  if (problem === null) return { ...core, solvency: { state: 'solvent', reason: null, override: null } };
  if (previous.override !== null) return { ...core, solvency: { ...previous, reason: `resumed by an operator (${previous.override}) despite: ${problem}` } };
  return { ...core, solvency: { state: 'halted', reason: problem, override: null } };
}

/** The highest block the scanner may report: a notable block's Batch must be acknowledged before scanning C blocks past it. */
export function scanCap(core: ScannerCore): number | undefined {
  const first = core.pending[0];
  const ackWindow = first === undefined || core.scan === null ? undefined : first.height + core.scan.confirmations;
  const rotation = scanCapDuringRotation(core);
  if (rotation === undefined) return ackWindow;
  return ackWindow === undefined ? rotation : Math.min(ackWindow, rotation);
}

/** The scheduler's id of an output: txid (RPC order) || vout as u32 little-endian. */
export function outpointHex(txid: string, vout: number): string {
  const index = new Uint8Array(4);
  new DataView(index.buffer).setUint32(0, vout, true);
  return txid + bytesToHex(index);
}

function compactLength(n: number): number {
  if (n < 1 << 6) return 1;
  if (n < 1 << 14) return 2;
  return 4;
}

/** Splits a block's InInstructions into Batches of at most MAX_BATCH_SIZE encoded bytes, ids from `firstId`; one empty Batch if none. */
export function batchesOf(network: ExternalNetwork, firstId: number, block: string, instructions: readonly InInstructionWithBalance[]): Batch[] {
  const header = encodeBatch({ network, id: firstId, block, instructions: [] }).length - 1;
  const batches: Batch[] = [];
  let current: InInstructionWithBalance[] = [];
  let body = 0;
  const close = () => {
    batches.push({ network, id: firstId + batches.length, block, instructions: current });
    current = [];
    body = 0;
  };
  for (const instruction of instructions) {
    const size = encodeInInstructionWithBalance(instruction).length;
    const fits = current.length < MAX_BATCH_INSTRUCTIONS && header + compactLength(current.length + 1) + body + size <= MAX_BATCH_SIZE;
    if (!fits && current.length > 0) close();
    current.push(instruction);
    body += size;
  }
  if (current.length > 0 || batches.length === 0) close();
  return batches;
}

function refundPayment(outcome: Extract<DepositOutcome, { kind: 'refund' }>, output: FoundOutput): CoinPayment {
  const payment = { id: outpointHex(output.txid, output.vout), address: outcome.refund.address, amount: outcome.refund.amount };
  return output.coin === undefined ? payment : { ...payment, coin: output.coin };
}

/** Takes the blocks that became final, in order: notable ones get Batches (to sign) and wait for acknowledgement. */
export interface AcceptOptions {
  /**
   * Credit a forward that reaches the key after its predecessor retired (the forward signed late in
   * forwarding confirms once the successor is the existing key). Histories recorded before this
   * credited a forward only while the rotation lasted.
   */
  forwardsAfterRetirement?: boolean;
}

export function acceptFinalBlocks(start: ScannerCore, blocks: readonly FinalBlock[], options: AcceptOptions = {}): { core: ScannerCore; batches: Batch[] } {
  let core = start;
  if (core.key === null) throw new ScannerStateError('no key to scan for');
  let key = core.key;
  let nextBatchId = core.nextBatchId;
  const expectedBranches = { ...core.expectedBranches };
  const forwards = core.forwards === undefined ? undefined : { ...core.forwards };
  const pending = [...core.pending];
  const batches: Batch[] = [];
  for (const { block, outputs, deposits } of blocks) {
    const activation = key.activationHeight === null && block.time >= key.activeFrom;
    if (activation) key = { ...key, activationHeight: block.height };
    // A later key's activation makes its block notable too (its Batch tells Serai the key is in use).
    const rotationStarts = activatesQueued(core, block);
    if (rotationStarts) core = activateQueued(core, block.height);
    if (!activation && !rotationStarts && outputs.length === 0 && !isRotationMilestone(core, block.height)) continue;

    const byOutput = new Map(deposits.map((d) => [d.output, d]));
    const received: HeldOutput[] = [];
    const successorReceived: HeldOutput[] = [];
    const toForward: PendingForward[] = [];
    const refunds: CoinPayment[] = [];
    const unusable: PendingBlock['unusable'] = [];
    const instructions: InInstructionWithBalance[] = [];
    for (const output of outputs) {
      const id = outpointHex(output.txid, output.vout);
      const route = routeOutput(core, block.height, output);
      const deposit = byOutput.get(`${output.txid}:${output.vout}`);
      if (route.to === 'ignore') {
        unusable.push({ output: deposit?.output ?? `${output.txid}:${output.vout}`, reason: route.reason });
        continue;
      }
      const into = route.to === 'successor' ? successorReceived : received;
      if (output.kind === 'branch') {
        const branch = expectedBranches[id];
        delete expectedBranches[id];
        // A payment to a branch address that no plan of ours made is just more coins in the pool.
        into.push(branch === undefined ? { id, kind: 'change', amount: output.amount } : { id, kind: 'branch', amount: output.amount, branch });
        continue;
      }
      const held: HeldOutput = output.coin === undefined ? { id, kind: output.kind, amount: output.amount } : { id, kind: output.kind, amount: output.amount, coin: output.coin };
      if (route.to === 'forward') {
        toForward.push({ output: held, deposit: deposit ?? null });
        continue;
      }
      const toForwardKey = route.to === 'successor' || (options.forwardsAfterRetirement === true && route.to === 'existing');
      const forwarded = toForwardKey && output.kind === 'forward' ? forwards?.[id] : undefined;
      if (forwarded !== undefined) {
        // A deposit the existing key forwarded: credited now, at what arrived, once.
        delete forwards![id];
        const instruction = forwardedInstruction(forwarded, output.amount);
        if (instruction !== null) instructions.push(instruction);
        else if (forwarded.deposit?.kind === 'refund') refunds.push(refundPayment({ ...forwarded.deposit, refund: { ...forwarded.deposit.refund, amount: output.amount } }, output));
        else unusable.push({ output: forwarded.deposit?.output ?? id, reason: forwarded.deposit?.kind === 'unusable' ? forwarded.deposit.invalid.reason : 'forwarded for less than its deposit fee' });
      }
      into.push(held);
      if (output.kind !== 'external') continue;
      if (deposit?.kind === 'instruction') instructions.push(deposit.instruction);
      else if (deposit?.kind === 'refund') refunds.push(refundPayment(deposit, output));
      else if (deposit?.kind === 'unusable') unusable.push({ output: deposit.output, reason: deposit.invalid.reason });
    }
    const blockBatches = batchesOf(core.network, nextBatchId, block.hash, instructions);
    nextBatchId += blockBatches.length;
    batches.push(...blockBatches);
    const entry: PendingBlock = { height: block.height, hash: block.hash, batches: blockBatches.map((b) => b.id), outputs: received, refunds, unusable, minted: mintedBy(instructions) };
    if (successorReceived.length > 0) entry.successorOutputs = successorReceived;
    if (toForward.length > 0) entry.forwards = toForward;
    pending.push(entry);
  }
  const last = blocks[blocks.length - 1];
  const scanned = last === undefined ? {} : { lastBlockTime: last.block.time };
  return { core: { ...core, key, nextBatchId, pending, expectedBranches, ...(forwards === undefined ? {} : { forwards }), ...scanned }, batches };
}

/** The digest a Serai block is remembered by. */
export function seraiBlockDigest(message: SeraiBlockMessage): string {
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify(message))));
}

/** A Serai block this scanner applied already, delivered again with the same content. */
export function isRedelivery(core: ScannerCore, message: SeraiBlockMessage): boolean {
  if (core.lastSeraiBlock === null || BigInt(message.block) > BigInt(core.lastSeraiBlock)) return false;
  const recent = core.recentSeraiBlocks;
  // States from before the digests were kept: every block at or below the last was a re-delivery.
  if (recent === undefined) return true;
  return recent.some((entry) => entry.block === message.block && entry.digest === seraiBlockDigest(message));
}

/**
 * Why a (new) Serai block cannot be applied, if it cannot: Serai includes each Batch once and in
 * id order, so a Batch already acknowledged, or ids out of order, mean the message is not Serai's.
 */
export function seraiBlockProblem(core: ScannerCore, message: SeraiBlockMessage): string | null {
  if (core.lastSeraiBlock !== null && BigInt(message.block) <= BigInt(core.lastSeraiBlock) && !isRedelivery(core, message)) {
    const applied = core.recentSeraiBlocks?.some((entry) => entry.block === message.block);
    return applied
      ? `differs from the Serai block ${message.block} applied before`
      : `is numbered at or below the last applied Serai block ${core.lastSeraiBlock} and is not one this scanner applied recently (out of order, or a replay of an old block): not applied`;
  }
  const ids = message.batches;
  if (ids.some((id, i) => i > 0 && id <= ids[i - 1]!)) return `Batches ${ids.join(', ')} are not in increasing order`;
  const included = highestIncludedBatch(core);
  if (included !== undefined && ids.some((id) => id <= included)) return `includes a Batch at or below ${included}, which an earlier Serai block already included`;
  return null;
}

function highestIncludedBatch(core: ScannerCore): number | undefined {
  const acknowledged = core.lastIncluded?.batch;
  if (core.highestIncludedBatch === undefined) return acknowledged;
  return acknowledged === undefined ? core.highestIncludedBatch : Math.max(acknowledged, core.highestIncludedBatch);
}

/** Whether this scanner has made every Batch the Serai block includes (a lagging scanner waits until it has). */
export function knowsBatches(core: ScannerCore, message: SeraiBlockMessage): boolean {
  return message.batches.every((id) => id < core.nextBatchId);
}

/** The block whose transactions set the fee rate of this Serai block's plans: the external block of the highest included Batch. */
export function feeRateBlock(core: ScannerCore, message: SeraiBlockMessage): string | null {
  const highest = Math.max(-1, ...message.batches);
  const entry = core.pending.find((p) => p.batches.includes(highest));
  return entry?.hash ?? core.lastIncluded?.hash ?? null;
}

function paymentId(block: string, index: number): string {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(block), true);
  view.setUint32(8, index, true);
  return bytesToHex(bytes);
}

/** Burns of a Serai block as payments; a burn whose address names no payee on the network is reported, never dropped silently. */
export function burnsToPayments(core: ScannerCore, message: SeraiBlockMessage): { payments: CoinPayment[]; unpayable: UnpayableBurn[] } {
  const payments: CoinPayment[] = [];
  const unpayable: UnpayableBurn[] = [];
  message.burns.forEach((burn, index) => {
    const { address } = burn.instruction;
    const amount = burn.balance.amount;
    const unpaid = (reason: string) => unpayable.push({ index, address, amount, reason });
    if (COIN_NETWORK[burn.balance.coin] !== core.network) return unpaid(`coin ${burn.balance.coin} is not ${core.network}'s`);
    const rules = chainRules(core.network);
    let payee: string | null;
    try {
      payee = rules.paymentAddress(hexToBytes(address));
    } catch {
      payee = null;
    }
    if (payee === null) return unpaid(`the address does not parse as ${rules.addressName}`);
    payments.push({ id: paymentId(message.block, index), address: payee, amount, coin: burn.balance.coin });
  });
  return { payments, unpayable };
}

/**
 * What the solvency watch read after a Serai block is applied: Serai's supply per coin (null when
 * Serai cannot be asked), outputs the scheduler holds that the chain shows spent by no plan of ours,
 * and an operator's override, if one came.
 */
export interface SolvencyReading {
  supply: Readonly<Record<string, string>> | null;
  spentElsewhere: readonly string[];
  override?: string;
}

/** Holds a Serai block's plans back from signing while payouts are halted; otherwise none is held. */
export function holdIfHalted(core: ScannerCore, result: SeraiBlockResult): { core: ScannerCore; release: SeraiBlockResult[] } {
  const held = [...(core.heldSeraiBlocks ?? []), result];
  if (core.solvency?.state === 'halted') return { core: { ...core, heldSeraiBlocks: held }, release: [] };
  return { core: { ...core, heldSeraiBlocks: [] }, release: held };
}

/** The held Serai blocks, oldest first, once payouts are no longer halted. */
export function releaseHeld(core: ScannerCore): { core: ScannerCore; release: SeraiBlockResult[] } {
  if (core.solvency?.state === 'halted' || (core.heldSeraiBlocks ?? []).length === 0) return { core, release: [] };
  return { core: { ...core, heldSeraiBlocks: [] }, release: core.heldSeraiBlocks! };
}

/** The solvency watch's verdict on a reading, with the books as they are in `core`. */
export function judgeSolvency(core: ScannerCore, reading: SolvencyReading): ScannerCore {
  const spent = reading.spentElsewhere;
  if (spent.length > 0) {
    return withSolvency(core, `${spent.length} output(s) the scheduler holds are spent on chain by no plan of ours (${spent.slice(0, 3).join(', ')})`, reading.override);
  }
  // Serai could not be asked: nothing is learned, so a halt stays a halt (only an operator lifts it).
  if (reading.supply === null) return reading.override === undefined ? core : withSolvency(core, null, reading.override);
  return withSolvency(core, solvencyProblem(core, reading.supply), reading.override);
}

/**
 * Applies a Serai block: the included Batches acknowledge their blocks (whose outputs and refunds
 * go to the scheduler), the burns become payments, and everything payable is scheduled.
 */
export function applySeraiBlock(core: ScannerCore, message: SeraiBlockMessage, feeRate: number): { core: ScannerCore; result: SeraiBlockResult } {
  if (core.key === null || core.scheduler === null) throw new ScannerStateError('a Serai block arrived before any key was active');
  if (isRedelivery(core, message)) throw new ScannerStateError(`Serai block ${message.block} was already applied`);
  if (!knowsBatches(core, message)) throw new ScannerStateError(`Serai block ${message.block} includes Batches this scanner has not made yet`);
  const problem = seraiBlockProblem(core, message);
  if (problem !== null) throw new ScannerStateError(`Serai block ${message.block}: ${problem}`);
  const highest = Math.max(-1, ...message.batches);
  const acked: PendingBlock[] = [];
  const pending: PendingBlock[] = [];
  for (const entry of core.pending) (entry.batches.every((id) => id <= highest) ? acked : pending).push(entry);

  const scheduling = schedulingFor(core.network);
  const lastAcked = acked[acked.length - 1];
  const lastIncluded = lastAcked ? { batch: Math.max(...lastAcked.batches), height: lastAcked.height, hash: lastAcked.hash } : core.lastIncluded;
  const unusable = acked.flatMap((entry) => entry.unusable);
  const plans: SessionPlan[] = [];
  // Each acknowledged block moves the schedulers to its rotation stage before its outputs are released.
  let next: ScannerCore = { ...core, lastIncluded };
  for (const entry of acked) {
    const advanced = advanceSchedulers(next, entry.height, feeRate);
    plans.push(...advanced.plans);
    next = releaseOutputs(advanced.core, entry, feeRate, plans, unusable);
  }
  if (lastIncluded) {
    const advanced = advanceSchedulers(next, lastIncluded.height, feeRate);
    plans.push(...advanced.plans);
    next = advanced.core;
  }

  const { payments, unpayable } = burnsToPayments(core, message);
  const refunds = acked.flatMap((entry) => entry.refunds);
  const paying = payer(next);
  // Each refund and burn is checked on its own: one the scheduler refuses is reported, the rest go on.
  const admitted = scheduling.admit(paying === 'successor' ? next.successor!.scheduler! : next.scheduler!, [...refunds, ...payments]);
  next = withScheduler(next, paying, admitted.state);
  const unpaidRefunds: UnpaidRefund[] = [];
  const burnIds = new Set(payments.map((p) => p.id));
  for (const { payment, reason } of admitted.refused) {
    const index = message.burns.findIndex((_, i) => paymentId(message.block, i) === payment.id);
    if (burnIds.has(payment.id)) unpayable.push({ index, address: message.burns[index]!.instruction.address, amount: payment.amount, reason });
    else unpaidRefunds.push({ payment: payment.id, address: payment.address, amount: payment.amount, reason });
  }
  unpayable.sort((a, b) => a.index - b.index);
  let books = core.books;
  if (books) {
    for (const entry of acked) for (const [coin, amount] of Object.entries(entry.minted ?? {})) books = { ...books, minted: addTo(books.minted, coin, amount) };
    for (const burn of message.burns) if (COIN_NETWORK[burn.balance.coin] === core.network) books = { ...books, burned: addTo(books.burned, burn.balance.coin, burn.balance.amount) };
  }
  // Scheduling never depends on the solvency watch: every validator makes the same plans from the
  // same Serai blocks, whenever it applies them. The watch only holds back signing them (`holdSeraiBlock`).
  const dropped: Dropped[] = [];
  for (const side of ['existing', 'successor'] as const) {
    const state = side === 'existing' ? next.scheduler : (next.successor?.scheduler ?? null);
    if (state === null) continue;
    const scheduled = scheduling.schedule(state, feeRate);
    next = withScheduler(next, side, scheduled.state);
    dropped.push(...scheduled.dropped);
    const session = side === 'existing' ? next.key!.session : next.successor!.key.session;
    plans.push(...scheduled.plans.map((plan) => ({ plan, session })));
  }
  const rotating = next.successor !== undefined && next.successor !== null;
  if (lastIncluded && rotating) next = checkRetirement(next, lastIncluded.height, feeRate).core;

  const result: SeraiBlockResult = {
    block: message.block,
    session: core.key.session,
    plans: plans.map((p) => p.plan),
    dropped,
    unpayable,
    acknowledged: acked.map((entry) => entry.height),
    unusableDeposits: unusable,
    unpaidRefunds,
  };
  // Only a rotation signs plans of more than one session: their sessions are listed, in plan order.
  if (plans.some((p) => p.session !== core.key!.session) || rotating) result.planSessions = plans.map((p) => p.session);
  return {
    core: {
      ...next,
      pending,
      lastSeraiBlock: message.block,
      highestIncludedBatch: Math.max(highest, highestIncludedBatch(core) ?? -1),
      books,
      recentSeraiBlocks: [...(core.recentSeraiBlocks ?? []), { block: message.block, digest: seraiBlockDigest(message) }].slice(-RECENT_SERAI_BLOCKS),
    },
    result,
  };
}

function withScheduler(core: ScannerCore, side: 'existing' | 'successor', state: SchedulerSlot): ScannerCore {
  if (side === 'existing') return { ...core, scheduler: state };
  return { ...core, successor: { ...core.successor!, scheduler: state } };
}

/** An acknowledged block's outputs to the schedulers that hold them, and its deposits to forward as forward plans of the existing key. */
function releaseOutputs(core: ScannerCore, entry: PendingBlock, feeRate: number, plans: SessionPlan[], unusable: PendingBlock['unusable']): ScannerCore {
  const scheduling = schedulingFor(core.network);
  let next = core;
  if (entry.outputs.length > 0) {
    const side = holder(next);
    next = withScheduler(next, side, scheduling.receive(side === 'successor' ? next.successor!.scheduler! : next.scheduler!, entry.outputs));
  }
  const successor = next.successor;
  if ((entry.successorOutputs ?? []).length > 0) {
    if (!successor?.scheduler) throw new ScannerStateError(`block ${entry.height} pays a successor this scanner has no scheduler for`);
    next = withScheduler(next, 'successor', scheduling.receive(successor.scheduler, entry.successorOutputs!));
  }
  if ((entry.forwards ?? []).length > 0) {
    if (!successor) throw new ScannerStateError(`block ${entry.height} has deposits to forward, but no successor`);
    const forwarding = { ...(next.forwarding ?? {}) };
    for (const { output, deposit } of entry.forwards!) {
      const plan = scheduling.rotation.forward(next.scheduler!, output, successor.key, feeRate);
      if (plan === null) {
        unusable.push({ output: deposit?.output ?? output.id, reason: 'reached the retiring key and is worth less than the fee to forward it' });
        continue;
      }
      plans.push({ plan, session: next.key!.session });
      forwarding[plan.id] = { deposit, amount: output.amount };
    }
    next = { ...next, forwarding };
  }
  return next;
}

/** Whether any of a Serai block's plans creates branch outputs (UTXO plans only). */
export function plansWithBranches(result: SeraiBlockResult): boolean {
  return result.plans.some(hasBranches);
}

/** The core with each scheduler it holds (the key's and, during a rotation, its successor's) passed through `f`. */
export function mapSchedulers(core: ScannerCore, f: (slot: SchedulerSlot) => SchedulerSlot): ScannerCore {
  let next = core.scheduler === null ? core : { ...core, scheduler: f(core.scheduler) };
  if (next.successor?.scheduler) next = { ...next, successor: { ...next.successor, scheduler: f(next.successor.scheduler) } };
  return next;
}

/** What the scheduler holds, for the status. */
export function schedulerSummary(core: ScannerCore): { outputs: number; queuedPayments: number } | null {
  if (core.scheduler === null) return null;
  const scheduling = schedulingFor(core.network);
  return { outputs: scheduling.heldOutputs(core.scheduler).length, queuedPayments: scheduling.queuedPayments(core.scheduler) };
}

/** The ids of the outputs the scheduler holds (the solvency watch checks they are unspent). */
export function heldOutputIds(core: ScannerCore): string[] {
  return core.scheduler === null ? [] : schedulingFor(core.network).heldOutputs(core.scheduler);
}

/** Remembers which outpoints of our plans' transactions are branch outputs, to hand them to the scheduler by branch id. */
export function expectPlanOutputs(core: ScannerCore, planned: readonly { plan: AnyPlan; txid: string }[]): ScannerCore {
  const expectedBranches = { ...core.expectedBranches };
  const forwarding = { ...(core.forwarding ?? {}) };
  const forwards = { ...(core.forwards ?? {}) };
  for (const { plan, txid } of planned) {
    const forwarded = forwarding[plan.id];
    if (forwarded !== undefined && 'outputs' in plan) {
      // A forward's one output (its change, to the successor's forward address) carries the deposit.
      forwards[outpointHex(txid, plan.outputs.length)] = forwarded;
      delete forwarding[plan.id];
      continue;
    }
    if (!hasBranches(plan) || !('outputs' in plan)) continue;
    plan.outputs.forEach((output, vout) => {
      if (output.kind === 'branch') expectedBranches[outpointHex(txid, vout)] = output.branch;
    });
  }
  if (core.forwarding === undefined) return { ...core, expectedBranches };
  return { ...core, expectedBranches, forwarding, forwards };
}

/** Whether the scanner must learn the txids of a Serai block's plans: for the branch outputs and forwards they create. */
export function needsPlanTxids(core: ScannerCore, result: SeraiBlockResult): boolean {
  return plansWithBranches(result) || result.plans.some((plan) => core.forwarding?.[plan.id] !== undefined);
}
