/** Opens the keystore's SQLite file with the settings its invariants depend on. */
import Database from 'better-sqlite3';
import { StoreInputError } from './errors';
import { assertSupportedSchema, migrate } from './schema';

export interface OpenDatabaseOptions {
  /** How long a writer waits for another process's lock before SQLITE_BUSY. */
  readonly busyTimeoutMs?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  if (typeof path !== 'string' || path.length === 0 || path === ':memory:') {
    throw new StoreInputError('path', 'expected the path of a database file');
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) throw new StoreInputError('busyTimeoutMs', 'expected a non-negative integer');

  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // Checked before anything is written, so a newer build's file is left exactly as it was.
    assertSupportedSchema(db);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, expected wal`);
    // A committed nonce binding must survive power loss: with NORMAL, WAL commits are not fsynced and
    // a lost binding would let the same nonces sign a second message after a reboot.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Erased nonces and overwritten rows are zeroed on disk rather than left in free pages.
    db.pragma('secure_delete = ON');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
