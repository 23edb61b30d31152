/**
 * Ordered schema migrations. Migration N brings `PRAGMA user_version` from N-1 to N; never edit a
 * released migration, append a new one.
 */
import type Database from 'better-sqlite3';
import { SchemaVersionError } from './errors';

export const MIGRATIONS: readonly string[] = [
  // 1: sealed secrets, public key metadata, the nonce ledger.
  `
  CREATE TABLE keystore_meta (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
  ) STRICT;

  -- Write-once secrets (DKG state, key shares), AES-256-GCM sealed to (table, kind, id).
  CREATE TABLE sealed_secrets (
    kind       TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    sealed     BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE group_keys (
    network    TEXT    NOT NULL,
    session    INTEGER NOT NULL CHECK (session >= 0),
    attempt    INTEGER NOT NULL CHECK (attempt >= 0),
    curve      TEXT    NOT NULL,
    group_key  BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (network, session, attempt, curve)
  ) STRICT;

  CREATE TABLE active_keys (
    network TEXT    PRIMARY KEY,
    session INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    curve   TEXT    NOT NULL,
    FOREIGN KEY (network, session, attempt, curve) REFERENCES group_keys (network, session, attempt, curve)
  ) STRICT;

  -- One row per (sign, attempt, participant). Unconsumed rows hold sealed nonces and no binding;
  -- consumed rows hold the bound message and share, and no nonces.
  CREATE TABLE nonce_ledger (
    sign_id       TEXT    NOT NULL,
    attempt       INTEGER NOT NULL CHECK (attempt >= 0),
    participant   INTEGER NOT NULL CHECK (participant >= 1),
    commitments   BLOB    NOT NULL,
    sealed_nonces BLOB,
    message_hash  BLOB,
    share         BLOB,
    created_at    INTEGER NOT NULL,
    consumed_at   INTEGER,
    PRIMARY KEY (sign_id, attempt, participant),
    CHECK ((message_hash IS NULL) = (share IS NULL)),
    CHECK ((message_hash IS NULL) = (consumed_at IS NULL)),
    CHECK ((sealed_nonces IS NULL) <> (message_hash IS NULL))
  ) STRICT;
  `,
  // 2: the confirmed key of every session, not only the network's latest (a rotation signs with both).
  `
  CREATE TABLE confirmed_keys (
    network TEXT    NOT NULL,
    session INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    curve   TEXT    NOT NULL,
    PRIMARY KEY (network, session),
    FOREIGN KEY (network, session, attempt, curve) REFERENCES group_keys (network, session, attempt, curve)
  ) STRICT;
  INSERT INTO confirmed_keys (network, session, attempt, curve) SELECT network, session, attempt, curve FROM active_keys;
  `,
  // 3: scheduler states, by the SHA-256 of their JSON: a scanner's workflow state holds the digest, not the state.
  `
  CREATE TABLE scheduler_states (
    digest     TEXT    PRIMARY KEY,
    network    TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    stored_seq INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX scheduler_states_by_age ON scheduler_states (network, stored_seq);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Throws `SchemaVersionError` for a database written by a newer build; returns the version otherwise. */
export function assertSupportedSchema(db: Database.Database): number {
  const found = schemaVersion(db);
  if (found > SCHEMA_VERSION) throw new SchemaVersionError(found, SCHEMA_VERSION);
  return found;
}

/** Applies pending migrations under one write lock, so concurrent openers migrate exactly once. */
export function migrate(db: Database.Database): void {
  db.transaction(() => {
    const current = assertSupportedSchema(db);
    MIGRATIONS.slice(current).forEach((sql, offset) => {
      db.exec(sql);
      db.pragma(`user_version = ${current + offset + 1}`);
    });
  }).immediate();
}
