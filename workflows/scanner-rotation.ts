/**
 * A rotation as the scanner drives it (reference 1.8 and 1.18), pure and workflow-safe: a later
 * session's key is activated at the first block whose time reaches Serai's confirmation time plus
 * C block times, and from then on every decision is a function of a block height or of the Serai
 * blocks in their order, so every validator makes the same ones:
 *
 * - a final block's outputs are routed by the stage at its own height (a deposit to the existing
 *   key is credited until forwarding begins, then forwarded; one to the successor is credited);
 * - the schedulers move at Serai blocks, by the stage at each acknowledged block's height
 *   (new-as-change: the existing key's change goes to the successor; forward-from-existing: the
 *   existing key hands over), and burns go to the stage's payer;
 * - the existing key retires C blocks past the acknowledged block at which, in closing, it held
 *   nothing: Batches of blocks from there on are signed by the successor's session. In closing the
 *   scanner reads no further than C blocks past the last acknowledged block, and every C-th block
 *   is notable, so no validator has scanned the retirement block when it is decided.
 */
import type { InInstructionWithBalance } from '../messages/instructions';
import type { DepositOutcome } from '../networks/deposits';
import { chainRules } from '../networks/rules';
import { rotationPolicy, rotationStage, rotationTimeline, type RotationStage, type RotationTimeline } from '../scheduler/rotation';
import type { ScannerCore, ScannerKey, SeraiBlockResult } from './scanner-state';
import { schedulingFor, type AnyPlan, type HeldOutput, type SchedulerSlot } from './scheduling';

/**
 * Serai confirmed a later session's key: it is activated at the first block whose time reaches
 * Serai's time of the confirmation (`activeFrom`) plus C block times, which every validator finds
 * alike (the first key's rule, with C blocks of room for the confirmation to reach every
 * processor before its scanner gets there). `timing` shortens Serai's grace and forwarding
 * windows (a devnet).
 */
export type QueuedKey = Omit<ScannerKey, 'activationHeight'> & { timing?: RotationSettings };
/** The key taking over, from its activation until the existing key retires. */
export interface SuccessorKey {
  key: ScannerKey & { activationHeight: number };
  timeline: RotationTimeline;
  /** UTXO: its own from the activation; account: made at the handover, holding the contract's balances. */
  scheduler: SchedulerSlot | null;
  /** The stage the schedulers were moved to, by acknowledged blocks. */
  stage: RotationStage;
  /** In closing, the acknowledged height at which the existing key was first found drained; the retirement block is C past it. */
  drainedAt: number | null;
}

/** A deposit that reached the existing key while it was forwarding: credited once its forward reaches the successor. */
export interface ForwardedDeposit {
  deposit: DepositOutcome | null;
  /** What reached the existing key (the forward's fee is taken from it). */
  amount: string;
}

/** Serai's timing, shortened for a devnet. */
export interface RotationSettings {
  graceSeconds?: number;
  forwardingSeconds?: number;
  /** From Serai's confirmation to the activation time; by default C block times. */
  activationDelaySeconds?: number;
}

export class RotationError extends Error {
  override readonly name = 'RotationError';
}

/** The time (seconds) from which a block activates the queued key. */
export function activationTime(core: ScannerCore, key: Pick<QueuedKey, 'activeFrom' | 'timing'>): number {
  const confirmations = core.scan?.confirmations ?? 1;
  return key.activeFrom + (key.timing?.activationDelaySeconds ?? confirmations * chainRules(core.network).blockTimeSeconds);
}

/**
 * Why a later key cannot be queued, or null: sessions only go forward, one rotation at a time, and
 * a confirmation that reaches a scanner already past the activation time comes too late (this
 * scanner would report other Batches than every other validator's: an operator must look).
 */
export type QueueProblem = { kind: 'no-key' | 'not-later' | 'busy' | 'late'; reason: string };

export function queueProblem(core: ScannerCore, key: Pick<QueuedKey, 'session' | 'activeFrom' | 'timing'>): QueueProblem | null {
  const current = core.key;
  if (current === null) return { kind: 'no-key', reason: 'no key is active to rotate from' };
  const latest = core.successor?.key.session ?? core.queuedKey?.session ?? current.session;
  if (key.session <= latest) return { kind: 'not-later', reason: `session ${key.session} is not after session ${latest}` };
  if (core.successor || core.queuedKey) return { kind: 'busy', reason: `session ${latest} is still taking over: one rotation at a time` };
  if (core.lastBlockTime !== undefined && core.lastBlockTime >= activationTime(core, key)) {
    return { kind: 'late', reason: `the confirmation of session ${key.session} arrived after this scanner passed its activation time (${activationTime(core, key)})` };
  }
  return null;
}

export function queueKey(core: ScannerCore, key: QueuedKey): ScannerCore {
  const problem = queueProblem(core, key);
  if (problem !== null) throw new RotationError(problem.reason);
  return { ...core, queuedKey: key };
}

/** The queued key's activation at `activation`, the first block whose time reaches its activation time. */
export function activateQueued(core: ScannerCore, activation: number): ScannerCore {
  const queued = core.queuedKey;
  if (!queued || core.scan === null || core.key === null) throw new RotationError('no key is queued');
  if (!Number.isSafeInteger(activation) || activation < 0) throw new RotationError('expected a block height');
  const confirmations = core.scan.confirmations;
  const { timing, ...key } = queued;
  const timeline = rotationTimeline(activation, { confirmations, blockTimeSeconds: chainRules(core.network).blockTimeSeconds, graceSeconds: timing?.graceSeconds, forwardingSeconds: timing?.forwardingSeconds });
  const scheduling = schedulingFor(core.network);
  const successor: SuccessorKey = {
    key: { ...key, activationHeight: activation },
    timeline,
    scheduler: scheduling.rotation.successorFromActivation ? scheduling.create(key) : null,
    stage: 'use-existing',
    drainedAt: null,
  };
  return { ...core, queuedKey: null, successor };
}

/** Whether a final block activates the queued key. */
export function activatesQueued(core: ScannerCore, block: { time: number }): boolean {
  const queued = core.queuedKey;
  return queued !== undefined && queued !== null && !core.successor && block.time >= activationTime(core, queued);
}

/** The stage at a block height, or null outside a rotation (before the successor's activation, or with none). */
export function stageAt(core: ScannerCore, height: number): RotationStage | null {
  const successor = core.successor;
  return successor && height >= successor.key.activationHeight ? rotationStage(successor.timeline, height) : null;
}

/** Where an output found at `height` goes: by the session it pays (a UTXO chain) or to the key holding the contract (an account chain). */
export type OutputRoute =
  | { to: 'existing'; credit: boolean }
  | { to: 'successor'; credit: boolean }
  /** A deposit to the existing key after forwarding began: forwarded, credited at the successor. */
  | { to: 'forward' }
  /** A deposit to the existing key in a block from its retirement on: it is no longer watched, nothing is credited. */
  | { to: 'ignore'; reason: string };

export function routeOutput(core: ScannerCore, height: number, output: { kind: HeldOutput['kind']; session?: number }): OutputRoute {
  const successor = core.successor;
  const deposit = output.kind === 'external';
  if (!successor || height < successor.key.activationHeight) return { to: 'existing', credit: deposit };
  const policy = rotationPolicy(rotationStage(successor.timeline, height));
  if (output.session === undefined) {
    // One contract holds every coin: its deposits are credited, and released to whichever key holds it then.
    return { to: 'existing', credit: deposit };
  }
  if (output.session === successor.key.session) return { to: 'successor', credit: deposit };
  if (successor.drainedAt !== null && height >= retirementBlock(successor.drainedAt, successor)) {
    return { to: 'ignore', reason: `reached the key of session ${output.session} in a block from its retirement on` };
  }
  // Forwarding lasts until the key retires: nothing that reaches a key still watched is dropped.
  if (deposit && policy.existingDeposit !== 'credit') return { to: 'forward' };
  return { to: 'existing', credit: deposit };
}

/** The instruction a forwarded deposit is credited with at the successor: what arrived, less the deposit fee first charged. */
export function forwardedInstruction(forwarded: ForwardedDeposit, arrived: string): InInstructionWithBalance | null {
  const deposit = forwarded.deposit;
  if (deposit?.kind !== 'instruction') return null;
  const lost = BigInt(forwarded.amount) - BigInt(arrived);
  const credit = BigInt(deposit.instruction.balance.amount) - lost;
  if (lost < 0n || credit <= 0n) return null;
  return { ...deposit.instruction, balance: { ...deposit.instruction.balance, amount: credit.toString() } };
}

/** A plan with the session whose key signs it. */
export interface SessionPlan {
  plan: AnyPlan;
  session: number;
}

/**
 * Moves the schedulers to the stage at an acknowledged height: change to the successor from
 * new-as-change, the handover at forward-from-existing (with its plans, signed by the existing key).
 */
export function advanceSchedulers(core: ScannerCore, height: number, feeRate: number): { core: ScannerCore; plans: SessionPlan[] } {
  const successor = core.successor;
  if (!successor || core.key === null || core.scheduler === null || height < successor.key.activationHeight) return { core, plans: [] };
  const target = rotationStage(successor.timeline, height);
  const order: RotationStage[] = ['use-existing', 'new-as-change', 'forward-from-existing', 'closing-existing'];
  const rotation = schedulingFor(core.network).rotation;
  let existing = core.scheduler;
  let successorScheduler = successor.scheduler;
  const plans: SessionPlan[] = [];
  for (let stage = order.indexOf(successor.stage) + 1; stage <= order.indexOf(target); stage++) {
    if (order[stage] === 'new-as-change') existing = rotation.changeToSuccessor(existing, successor.key);
    if (order[stage] === 'forward-from-existing') {
      // A rotation that reached forwarding without passing new-as-change (a long gap between Serai blocks) still sends the change on.
      existing = rotation.changeToSuccessor(existing, successor.key);
      const handed = rotation.handOver(existing, { key: successor.key, state: successorScheduler }, feeRate);
      existing = handed.existing;
      successorScheduler = handed.successor;
      plans.push(...handed.plans.map((plan) => ({ plan, session: core.key!.session })));
    }
  }
  if (target === successor.stage) return { core, plans };
  return { core: { ...core, scheduler: existing, successor: { ...successor, scheduler: successorScheduler, stage: target } }, plans };
}

/** Whose scheduler takes burns and refunds now. */
export function payer(core: ScannerCore): 'existing' | 'successor' {
  const successor = core.successor;
  return successor && rotationPolicy(successor.stage).payer === 'new' ? 'successor' : 'existing';
}

/** Where credits of the contract go on an account chain: the key holding it (the successor from the handover). */
export function holder(core: ScannerCore): 'existing' | 'successor' {
  return core.successor && core.successor.scheduler !== null && !schedulingFor(core.network).rotation.successorFromActivation ? 'successor' : 'existing';
}

/**
 * In closing, notes the acknowledged height H at which the existing key first held nothing: the
 * Batches of blocks from R = H + C + 1 on are signed by the successor's session (no validator has
 * scanned R yet: see `scanCapDuringRotation`), and once R is acknowledged the existing key
 * retires and the successor becomes the existing key. Returns the retired session, if one retired.
 */
export function checkRetirement(core: ScannerCore, height: number, feeRate: number): { core: ScannerCore; retired: number | null } {
  const successor = core.successor;
  if (!successor || successor.stage !== 'closing-existing' || core.key === null || core.scheduler === null) return { core, retired: null };
  let next = core;
  if (successor.drainedAt === null) {
    if (!schedulingFor(core.network).rotation.drained(core.scheduler, feeRate)) return { core, retired: null };
    const fromHeight = retirementBlock(height, successor);
    next = { ...core, successor: { ...successor, drainedAt: height }, batchSessions: [...(core.batchSessions ?? []), { fromHeight, session: successor.key.session }] };
  }
  const drainedAt = next.successor!.drainedAt!;
  if (height < retirementBlock(drainedAt, successor) || successor.scheduler === null) return { core: next, retired: null };
  const retired = core.key.session;
  return {
    core: { ...next, key: successor.key, scheduler: successor.scheduler, successor: null, retiredSessions: [...(core.retiredSessions ?? []), retired] },
    retired,
  };
}

const retirementBlock = (drainedAt: number, successor: SuccessorKey) => drainedAt + successor.timeline.confirmations + 1;

/** The session whose Serai key signs the Batches of a block: the first key's, then each successor's from the block its predecessor retired at. */
export function batchSessionAt(core: ScannerCore, height: number): number {
  const changes = core.batchSessions ?? [];
  for (let i = changes.length - 1; i >= 0; i--) if (height >= changes[i]!.fromHeight) return changes[i]!.session;
  return core.retiredSessions?.[0] ?? core.key?.session ?? 0;
}

/**
 * The blocks a rotation makes notable, so that Serai's acknowledgements move the schedulers even on
 * a quiet chain: the first block of new-as-change and of forwarding, and in closing every C-th
 * block, while the existing key drains.
 */
export function isRotationMilestone(core: ScannerCore, height: number): boolean {
  const successor = core.successor;
  if (!successor) return false;
  const { newAsChange, forwardFromExisting, closingExisting, confirmations } = successor.timeline;
  if (height === newAsChange || height === forwardFromExisting) return true;
  return height >= closingExisting && (height - closingExisting) % confirmations === 0;
}

/**
 * During a rotation the scanner reads no further than C blocks past the last acknowledged block
 * (or past the start of closing, while that is ahead), so the retirement block decided at an
 * acknowledged height H (R = H + C + 1) is one no validator has scanned.
 */
export function scanCapDuringRotation(core: ScannerCore): number | undefined {
  const successor = core.successor;
  if (!successor || core.scan === null) return undefined;
  return Math.max(core.lastIncluded?.height ?? 0, successor.timeline.closingExisting) + core.scan.confirmations;
}

/** The key of `session` among the existing, the successor and the queued one. */
export function keyOfSession(core: ScannerCore, session: number): Pick<ScannerKey, 'session' | 'networkKey' | 'held'> | undefined {
  return [core.key, core.successor?.key, core.queuedKey].find((key) => key?.session === session) ?? undefined;
}

/** Whether this validator holds a share of `session`'s key (one it only follows is never signed with). */
export function holdsSession(core: ScannerCore, session: number): boolean {
  return keyOfSession(core, session)?.held !== false;
}

/** A Serai block's plans this validator signs: those of keys it holds a share of (the block's other effects are unchanged). */
export function plansToSign(core: ScannerCore, result: SeraiBlockResult): SeraiBlockResult {
  const sessionOf = (index: number) => result.planSessions?.[index] ?? result.session;
  const kept = result.plans.flatMap((_, index) => (holdsSession(core, sessionOf(index)) ? [index] : []));
  if (kept.length === result.plans.length) return result;
  return {
    ...result,
    plans: kept.map((index) => result.plans[index]!),
    ...(result.planSessions === undefined ? {} : { planSessions: kept.map((index) => result.planSessions![index]!) }),
  };
}
