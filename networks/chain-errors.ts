/**
 * The failures every chain adapter raises for the same events, so workflows can tell them apart
 * without knowing the chain. Temporal reports a thrown error's class `name` as its failure type:
 * each class's `type` is what workflows list as non-retryable. Workflow-safe.
 */

/** A plan cannot be made into a transaction (a field the chain cannot express); never retryable. */
export class TransactionBuildError extends Error {
  static readonly type = 'TransactionBuildError';
  override readonly name = TransactionBuildError.type;
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** The node refused the transaction itself (invalid, non-standard, too low a fee). */
export class TransactionRejectedError extends Error {
  static readonly type = 'TransactionRejectedError';
  override readonly name = TransactionRejectedError.type;
  readonly retryable = false;
  constructor(
    readonly txid: string,
    readonly code: number,
    readonly nodeMessage: string,
  ) {
    super(`transaction ${txid} rejected by the node (${code}): ${nodeMessage}`);
  }
}

/** A signed transaction that does not even parse: the caller's bug, never the node's. */
export class PublishInputError extends Error {
  static readonly type = 'PublishInputError';
  override readonly name = PublishInputError.type;
  constructor(readonly reason: string) {
    super(`rawTransaction: ${reason}`);
  }
}
