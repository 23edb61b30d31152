/**
 * A message (or one of its fields) that does not satisfy the protocol.
 *
 * `field` is the dotted path inside the message (`commitments.7`, `burns.0.balance.amount`);
 * `message` itself is the root. Reasons describe what was expected and never echo the value:
 * key-generation messages carry encrypted shares and those stay out of logs.
 */
export class MessageValidationError extends Error {
  static readonly type = 'MessageValidationError';
  override readonly name = MessageValidationError.type;

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** The outcome of validating untrusted input: never an exception. */
export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: MessageValidationError };

/** The dotted form of a field path; the empty path is the message itself. */
export function fieldName(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'message' : path.map(String).join('.');
}
