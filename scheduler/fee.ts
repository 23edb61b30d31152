import { SchedulerError } from './errors';
import type { Hex, OutputKind } from './types';

/** An output of a transaction as the fee model sees it, in transaction order. */
export type ShapeOutput = { readonly kind: 'payment'; readonly address: Hex } | { readonly kind: 'branch' };

/** What a fee depends on: the inputs, the outputs (change, if any, comes last). */
export interface TransactionShape {
  readonly inputs: readonly { readonly kind: OutputKind }[];
  readonly outputs: readonly ShapeOutput[];
  readonly change: boolean;
}

/**
 * The network adapter's fee for a transaction of this shape, in base units. It must be pure
 * (it runs inside workflows), and monotone: adding an input or output never lowers the fee.
 * Bitcoin: ceil(vsize) * sat/vB, with exact P2TR input and output weights.
 */
export type FeeModel = (shape: TransactionShape) => bigint;

/** Asks the model, refusing an answer that is not a non-negative bigint no larger than `maxFee`. */
export function feeOf(model: FeeModel, shape: TransactionShape, maxFee: bigint): bigint {
  const fee: unknown = model(shape);
  if (typeof fee !== 'bigint' || fee < 0n) {
    throw new SchedulerError('fee-model', 'feeModel', 'expected a non-negative bigint fee');
  }
  if (fee > maxFee) throw new SchedulerError('fee-model', 'feeModel', 'expected a fee of at most maxAmount');
  return fee;
}
