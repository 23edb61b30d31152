/**
 * Multisig rotation's timeline and what each stage means for the two keys (reference section 1
 * item 18, Serai's `RotationStep`; timing in section 5). Pure and deterministic: every validator
 * derives the same stage from the same block height, so it may run inside workflows.
 *
 * With A the new key's activation block and C the network's confirmations, the reference's stages:
 * - use-existing until A + C + ceil(grace / block time): the existing key pays and receives; deposits
 *   that reach the new key early are held back until the next stage;
 * - new-as-change for C blocks: the existing key still pays, its change goes to the new key;
 * - forward-from-existing for max(ceil(forwarding / block time), C) blocks: the new key pays (the
 *   existing key's queued payments move to it), deposits to the existing key are forwarded to the
 *   new one and credited once there, and the existing key's holdings are swept to the new key;
 * - closing-existing after that: deposits to the existing key are no longer credited, and it
 *   retires C blocks after the first block at which its scheduler is empty and no plan of it is in
 *   flight.
 * The scanner (workflows/scanner-rotation.ts) takes the timeline, the stages and `payer` from
 * here and departs from the rest, as the README's "Rotation" says: a deposit to the new key is
 * credited at once (not held), the existing key's deposits are forwarded until it retires (not
 * dropped in closing), and its retirement block is its own (C + 1 past the acknowledged block the
 * key was found drained at), not `retirementBlock` below.
 */
import { invalid } from './schema';

export type RotationStage = 'use-existing' | 'new-as-change' | 'forward-from-existing' | 'closing-existing';

/** The first block of each stage after the first. */
export interface RotationTimeline {
  readonly activation: number;
  readonly newAsChange: number;
  readonly forwardFromExisting: number;
  readonly closingExisting: number;
  readonly confirmations: number;
}

export interface RotationTiming {
  readonly confirmations: number;
  /** The network's estimated block time (Bitcoin 600 s, Ethereum 12 s). */
  readonly blockTimeSeconds: number;
  /** How long the existing key keeps everything after the new key's activation is final. Serai: 600 s. */
  readonly graceSeconds?: number;
  /** How long deposits to the existing key are forwarded. Serai: 6 h. */
  readonly forwardingSeconds?: number;
}

export const ROTATION_GRACE_SECONDS = 600;
export const ROTATION_FORWARDING_SECONDS = 6 * 60 * 60;

const positive = (field: string, value: number) => {
  if (!Number.isSafeInteger(value) || value < 1) invalid(field, 'expected a positive integer');
};

/** The rotation's block schedule, from the new key's activation block. */
export function rotationTimeline(activation: number, timing: RotationTiming): RotationTimeline {
  if (!Number.isSafeInteger(activation) || activation < 0) invalid('activation', 'expected a block height');
  positive('timing.confirmations', timing.confirmations);
  positive('timing.blockTimeSeconds', timing.blockTimeSeconds);
  const grace = timing.graceSeconds ?? ROTATION_GRACE_SECONDS;
  const forwarding = timing.forwardingSeconds ?? ROTATION_FORWARDING_SECONDS;
  if (!Number.isSafeInteger(grace) || grace < 0) invalid('timing.graceSeconds', 'expected a non-negative integer');
  if (!Number.isSafeInteger(forwarding) || forwarding < 0) invalid('timing.forwardingSeconds', 'expected a non-negative integer');
  const c = timing.confirmations;
  const newAsChange = activation + c + Math.ceil(grace / timing.blockTimeSeconds);
  const forwardFromExisting = newAsChange + c;
  const closingExisting = forwardFromExisting + Math.max(Math.ceil(forwarding / timing.blockTimeSeconds), c);
  return { activation, newAsChange, forwardFromExisting, closingExisting, confirmations: c };
}

/** The stage a final block at `height` is in. */
export function rotationStage(timeline: RotationTimeline, height: number): RotationStage {
  if (height >= timeline.closingExisting) return 'closing-existing';
  if (height >= timeline.forwardFromExisting) return 'forward-from-existing';
  if (height >= timeline.newAsChange) return 'new-as-change';
  return 'use-existing';
}

/** What a stage means for the two keys. */
export interface RotationPolicy {
  /** Whose scheduler takes Serai's burns (and, from forwarding on, the existing key's queue). */
  readonly payer: 'existing' | 'new';
  /** Where the existing key's plans send their change. */
  readonly existingChange: 'existing' | 'new';
  /** A deposit (external output) reaching the existing key: credited, forwarded to the new key and credited there, or not credited. */
  readonly existingDeposit: 'credit' | 'forward' | 'ignore';
  /** A deposit reaching the new key: held back until the existing key's grace ends, or credited. */
  readonly newDeposit: 'hold' | 'credit';
  /** Whether the existing key's holdings are swept to the new key (UTXO), or it names its successor on the contract (account). */
  readonly handOver: boolean;
}

export function rotationPolicy(stage: RotationStage): RotationPolicy {
  switch (stage) {
    case 'use-existing':
      return { payer: 'existing', existingChange: 'existing', existingDeposit: 'credit', newDeposit: 'hold', handOver: false };
    case 'new-as-change':
      return { payer: 'existing', existingChange: 'new', existingDeposit: 'credit', newDeposit: 'credit', handOver: false };
    case 'forward-from-existing':
      return { payer: 'new', existingChange: 'new', existingDeposit: 'forward', newDeposit: 'credit', handOver: true };
    case 'closing-existing':
      return { payer: 'new', existingChange: 'new', existingDeposit: 'ignore', newDeposit: 'credit', handOver: true };
  }
}

/**
 * The block at which the existing key retires: C blocks after the first block of closing at which
 * its scheduler holds nothing and none of its plans is in flight (`emptySince`, the first final
 * block from which that held; null while it does not). Emptied earlier, it retires C blocks into closing.
 */
export function retirementBlock(timeline: RotationTimeline, emptySince: number | null): number | null {
  if (emptySince === null) return null;
  return Math.max(emptySince, timeline.closingExisting) + timeline.confirmations;
}
