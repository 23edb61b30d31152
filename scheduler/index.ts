export { SchedulerError, type SchedulerErrorCode } from './errors';
export type { FeeModel, ShapeOutput, TransactionShape } from './fee';
export { BITCOIN_LIMITS, addPayments, admitPayments, createState, receiveOutputs, schedule, type RefusedPayment, type ScheduleOptions } from './scheduler';
export { forwardPlan, handOver, isDrained, sendChangeTo, takeOver } from './handover';
export { decodePlan, decodeState, encodeState } from './serialize';
export { computeBranchId, computePlanId } from './plan-id';
export { layoutOutputs, treeDepth, type Slot } from './tree';
export { amortize } from './amortize';
export type * from './types';
