/**
 * Typed refusals of the Bitcoin transaction builder. Temporal reports the class name as the
 * failure type, so names are API. Reasons name the field, never amounts or keys.
 */
export class TransactionBuildError extends Error {
  override readonly name = 'TransactionBuildError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}
