/**
 * What went wrong, for a caller that reacts by kind:
 * - `invalid-input`: a field is malformed or out of range;
 * - `duplicate`: an output or payment id the scheduler already holds;
 * - `unknown-branch`: a branch output names no branch the scheduler is waiting for;
 * - `branch-mismatch`: a branch output's amount differs from the amount its plan promised;
 * - `fee-model`: the supplied fee model returned something unusable or is not monotone.
 */
export type SchedulerErrorCode = 'invalid-input' | 'duplicate' | 'unknown-branch' | 'branch-mismatch' | 'fee-model';

/** A typed refusal naming the offending field (`payments.3.amount`). Reasons never echo values. */
export class SchedulerError extends Error {
  override readonly name = 'SchedulerError';

  constructor(
    readonly code: SchedulerErrorCode,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** The dotted form of a field path under `root`. */
export function fieldPath(root: string, path: readonly PropertyKey[]): string {
  return [root, ...path.map(String)].join('.');
}
