export { Keystore } from './keystore';
export { DKG_ROUNDS } from './keystore';
export type { DkgRound, KeystoreOptions, DkgStateRef, KeyShareRef, GroupKeyRef, ActiveKey, KeyCurve } from './keystore';
export { NonceLedger } from './nonce-ledger';
export type { GeneratedNonces } from './nonce-ledger';
export { SchedulerStates, KEPT_SCHEDULER_STATES } from './scheduler-states';
export { loadKeystoreKey, createKeystoreKeyFile, KEYSTORE_KEY_ENV, KEYSTORE_KEY_FILE_ENV } from './keystore-key';
export { KEY_CURVES } from './fields';
export { SCHEMA_VERSION } from './schema';
export {
  StoreError,
  StoreInputError,
  KeystoreKeyError,
  KeystoreDecryptError,
  SchemaVersionError,
  StoredValueConflictError,
  NonceReuseError,
  NoncesNotFoundError,
  SchedulerStateMissingError,
} from './errors';
