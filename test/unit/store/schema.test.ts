import { join } from 'node:path';
import Database from 'better-sqlite3';
import { randomBytes } from '@noble/ciphers/utils.js';
import { Keystore } from '../../../store/keystore';
import { SchemaVersionError } from '../../../store/errors';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../store/schema';
import { openDatabase } from '../../../store/database';
import { tempDir } from './helpers';

const { dir, cleanup } = tempDir('keystore-schema');
afterAll(cleanup);

test('a new database is migrated to the current schema version with WAL, FULL sync, foreign keys and a busy timeout', () => {
  const db = openDatabase(join(dir, 'fresh.sqlite'), { busyTimeoutMs: 1234 });
  try {
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('secure_delete', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).pluck().all();
    expect(tables).toEqual(['active_keys', 'confirmed_keys', 'group_keys', 'keystore_meta', 'nonce_ledger', 'scheduler_states', 'sealed_secrets']);
  } finally {
    db.close();
  }
});

test('reopening a current database keeps its data and version', () => {
  const path = join(dir, 'reopen.sqlite');
  const key = randomBytes(32);
  const share = randomBytes(32);
  const ref = { network: 'bitcoin', session: 0, attempt: 0, curve: 'secp256k1', participant: 1 } as const;
  const first = Keystore.open({ path, key });
  first.putKeyShare(ref, share);
  first.close();
  const second = Keystore.open({ path, key });
  expect(second.getKeyShare(ref)).toEqual(share);
  second.close();
});

test('a database with a newer user_version is refused with SchemaVersionError and left untouched', () => {
  const path = join(dir, 'newer.sqlite');
  const raw = new Database(path);
  raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  raw.close();

  let caught: unknown;
  try {
    Keystore.open({ path, key: randomBytes(32) });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SchemaVersionError);
  expect(caught).toMatchObject({ name: 'SchemaVersionError', found: SCHEMA_VERSION + 1, supported: SCHEMA_VERSION });
  expect((caught as Error).message).toMatch(/newer than this build supports/);

  const after = new Database(path, { readonly: true });
  expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
  expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
  expect(after.prepare(`SELECT count(*) FROM sqlite_schema`).pluck().get()).toBe(0);
  after.close();
});

test('the nonce ledger schema itself forbids a row that is both unconsumed and bound', () => {
  const db = openDatabase(join(dir, 'checks.sqlite'));
  try {
    const insert = db.prepare(
      `INSERT INTO nonce_ledger (sign_id, attempt, participant, commitments, sealed_nonces, message_hash, share, created_at, consumed_at)
       VALUES ('s', 0, 1, x'01', ?, ?, ?, 0, ?)`,
    );
    expect(() => insert.run(Buffer.from([1]), Buffer.from([2]), Buffer.from([3]), 0)).toThrow(/CHECK constraint failed/);
    expect(() => insert.run(null, null, null, null)).toThrow(/CHECK constraint failed/);
    expect(() => insert.run(null, Buffer.from([2]), null, 0)).toThrow(/CHECK constraint failed/);
  } finally {
    db.close();
  }
});

test('a version-1 keystore migrates to per-session confirmed keys, its active key the confirmed key of its session', () => {
  const path = join(dir, 'version-1.sqlite');
  const key = randomBytes(32);
  // Written as the first build wrote it: migration 1 only, an active key, no confirmed_keys table.
  const created = Keystore.open({ path, key });
  const ref = { network: 'bitcoin', session: 3, attempt: 1, curve: 'secp256k1' } as const;
  const groupKey = randomBytes(33);
  created.putGroupKey(ref, groupKey);
  created.setActiveKey(ref);
  created.close();
  const raw = new Database(path);
  raw.exec('DROP TABLE confirmed_keys; DROP TABLE scheduler_states');
  raw.pragma('user_version = 1');
  raw.close();

  const migrated = Keystore.open({ path, key });
  try {
    expect(MIGRATIONS).toHaveLength(SCHEMA_VERSION);
    expect(migrated.getConfirmedKey('bitcoin', 3)).toEqual({ ...ref, groupKey });
    expect(migrated.getActiveKey('bitcoin')).toEqual({ ...ref, groupKey });
    // Migration 3 on the way: the scheduler states' table.
    expect(migrated.schedulerStates.count('bitcoin')).toBe(0);
  } finally {
    migrated.close();
  }
});
