/**
 * Typed errors of the keystore and the nonce ledger.
 *
 * Temporal turns a thrown error into an ApplicationFailure whose `type` is the class name, so
 * every class name here is part of the API: activities list `NonceReuseError` and friends in
 * `nonRetryableErrorTypes`. Messages name rows and fields, never secret bytes.
 */

/** Base class of every error thrown by `store/`. */
export abstract class StoreError extends Error {}

/** A caller passed a malformed value; `field` names the offending argument. */
export class StoreInputError extends StoreError {
  static readonly type = 'StoreInputError';
  override readonly name = StoreInputError.type;
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`invalid ${field}: ${reason}`);
  }
}

/** The keystore key is missing, malformed or stored insecurely. */
export class KeystoreKeyError extends StoreError {
  override readonly name = 'KeystoreKeyError';
}

/** A sealed value failed to authenticate: wrong keystore key, altered bytes, or moved to another row. */
export class KeystoreDecryptError extends StoreError {
  static readonly type = 'KeystoreDecryptError';
  override readonly name = KeystoreDecryptError.type;
  constructor(readonly row: string) {
    super(`cannot decrypt ${row}: wrong keystore key, or the ciphertext was altered or moved from another row`);
  }
}

/** The database was written by a newer build (higher `user_version`) than this one understands. */
export class SchemaVersionError extends StoreError {
  override readonly name = 'SchemaVersionError';
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(`keystore schema version ${found} is newer than this build supports (${supported}); run a newer processor`);
  }
}

/** A write-once value already exists with different contents. */
export class StoredValueConflictError extends StoreError {
  static readonly type = 'StoredValueConflictError';
  override readonly name = StoredValueConflictError.type;
  constructor(readonly row: string) {
    super(`${row} is already stored with a different value; refusing to overwrite`);
  }
}

/** Nonces were asked to sign a second, different message. Never retry this. */
export class NonceReuseError extends StoreError {
  static readonly type = 'NonceReuseError';
  override readonly name = NonceReuseError.type;
  constructor(
    readonly signId: string,
    readonly attempt: number,
    readonly participant: number,
  ) {
    super(
      `nonces of sign ${JSON.stringify(signId)} attempt ${attempt} participant ${participant} ` +
        'are already bound to a different message; refusing to sign again',
    );
  }
}

/** No nonces were preprocessed for this (signId, attempt, participant). */
export class NoncesNotFoundError extends StoreError {
  static readonly type = 'NoncesNotFoundError';
  override readonly name = NoncesNotFoundError.type;
  constructor(
    readonly signId: string,
    readonly attempt: number,
    readonly participant: number,
  ) {
    super(`no nonces preprocessed for sign ${JSON.stringify(signId)} attempt ${attempt} participant ${participant}`);
  }
}

/** A scheduler state a workflow names by digest is not in the store, or its bytes no longer hash to it. */
export class SchedulerStateMissingError extends StoreError {
  static readonly type = 'SchedulerStateMissingError';
  override readonly name = SchedulerStateMissingError.type;
  constructor(
    readonly digest: string,
    reason: string,
  ) {
    super(`scheduler state ${digest}: ${reason}`);
  }
}
