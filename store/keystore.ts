/**
 * The validator's keystore: one SQLite file (WAL) holding DKG state and key shares sealed with the
 * keystore key, public key metadata in plaintext, and the nonce ledger.
 */
import type Database from 'better-sqlite3';
import { equalBytes, utf8ToBytes } from '@noble/ciphers/utils.js';
import { openDatabase, type OpenDatabaseOptions } from './database';
import { Sealer, type RowIdentity } from './sealing';
import { SealedSecrets } from './sealed-secrets';
import { NonceLedger } from './nonce-ledger';
import { SchedulerStates } from './scheduler-states';
import { StoreInputError, StoredValueConflictError } from './errors';
import { blobToBytes } from './blob';
import * as field from './fields';
import type { KeyCurve } from './fields';

export type { KeyCurve } from './fields';

export const DKG_ROUNDS = ['round1', 'round2'] as const;
export type DkgRound = (typeof DKG_ROUNDS)[number];

/**
 * The state of one DKG attempt after a round, for one local participant on one curve. Each round's
 * output is written once, so a retried or restarted round resends exactly what it sent before.
 */
export interface DkgStateRef {
  readonly network: string;
  readonly session: number;
  readonly attempt: number;
  readonly curve: KeyCurve;
  readonly participant: number;
  readonly round: DkgRound;
}

/**
 * A threshold key share of one local participant. Keyed by attempt too: an attempt may complete
 * here and still fail elsewhere, and the next attempt of the session makes a different key.
 */
export interface KeyShareRef {
  readonly network: string;
  readonly session: number;
  readonly attempt: number;
  readonly curve: KeyCurve;
  readonly participant: number;
}

/** A group (threshold) public key, from one attempt of one session. */
export interface GroupKeyRef {
  readonly network: string;
  readonly session: number;
  readonly attempt: number;
  readonly curve: KeyCurve;
}

export interface ActiveKey extends GroupKeyRef {
  readonly groupKey: Uint8Array;
}

export interface KeystoreOptions extends OpenDatabaseOptions {
  readonly path: string;
  /** 32 bytes, from `loadKeystoreKey()`. Copied; wipe your own copy. */
  readonly key: Uint8Array;
}

const KIND_DKG_STATE = 'dkg-state';
const KIND_KEY_SHARE = 'key-share';
// Sealed under the keystore key at creation, so a wrong key fails at open rather than mid-signing.
const KEY_CHECK_NAME = 'key-check';
const KEY_CHECK_ROW: RowIdentity = { table: 'keystore_meta', key: [KEY_CHECK_NAME] };
const KEY_CHECK_PLAINTEXT = utf8ToBytes('custody-processor keystore key check v1');

export class Keystore {
  readonly nonces: NonceLedger;
  readonly schedulerStates: SchedulerStates;
  readonly #secrets: SealedSecrets;

  private constructor(
    private readonly db: Database.Database,
    private readonly sealer: Sealer,
  ) {
    this.#secrets = new SealedSecrets(db, sealer);
    this.nonces = new NonceLedger(db, sealer);
    this.schedulerStates = new SchedulerStates(db);
  }

  /** Opens (creating and migrating if needed) the keystore; throws `KeystoreDecryptError` for a wrong key. */
  static open(options: KeystoreOptions): Keystore {
    const sealer = new Sealer(options.key);
    let db: Database.Database | undefined;
    try {
      db = openDatabase(options.path, { busyTimeoutMs: options.busyTimeoutMs });
      verifyKey(db, sealer);
      return new Keystore(db, sealer);
    } catch (error) {
      db?.close();
      sealer.wipe();
      throw error;
    }
  }

  /** "The randomness of an attempt is persisted before its first message leaves": never overwrites. */
  putDkgStateOnce(ref: DkgStateRef, state: Uint8Array): Uint8Array {
    return this.#secrets.insertOnce(KIND_DKG_STATE, dkgStateId(ref), field.bytes(state, 'state'));
  }

  getDkgState(ref: DkgStateRef): Uint8Array | undefined {
    return this.#secrets.get(KIND_DKG_STATE, dkgStateId(ref));
  }

  /** Idempotent for the same bytes; a different share for the same ref is a `StoredValueConflictError`. */
  putKeyShare(ref: KeyShareRef, share: Uint8Array): void {
    const id = keyShareId(ref);
    const stored = this.#secrets.insertOnce(KIND_KEY_SHARE, id, field.bytes(share, 'share'));
    const same = equalBytes(stored, share);
    stored.fill(0);
    if (!same) throw new StoredValueConflictError(`key share ${id}`);
  }

  getKeyShare(ref: KeyShareRef): Uint8Array | undefined {
    return this.#secrets.get(KIND_KEY_SHARE, keyShareId(ref));
  }

  /** Idempotent for the same bytes; a different key for the same ref is a `StoredValueConflictError`. */
  putGroupKey(ref: GroupKeyRef, groupKey: Uint8Array): void {
    const { network, session, attempt, curve } = validGroupKeyRef(ref);
    field.bytes(groupKey, 'groupKey');
    this.db
      .prepare('INSERT INTO group_keys (network, session, attempt, curve, group_key, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(network, session, attempt, curve, groupKey, Date.now());
    const stored = this.getGroupKey(ref);
    if (stored === undefined || !equalBytes(stored, groupKey)) throw new StoredValueConflictError(`group key ${network}/${session}/${attempt}/${curve}`);
  }

  getGroupKey(ref: GroupKeyRef): Uint8Array | undefined {
    const { network, session, attempt, curve } = validGroupKeyRef(ref);
    const row = this.db
      .prepare<[string, number, number, string], { group_key: Uint8Array }>(
        'SELECT group_key FROM group_keys WHERE network = ? AND session = ? AND attempt = ? AND curve = ?',
      )
      .get(network, session, attempt, curve);
    return row === undefined ? undefined : blobToBytes(row.group_key, 'group_key');
  }

  /** Every group key stored for a session, across attempts and curves. */
  groupKeysOfSession(network: string, session: number): (GroupKeyRef & { groupKey: Uint8Array })[] {
    const rows = this.db
      .prepare<[string, number], { attempt: number; curve: string; group_key: Uint8Array }>(
        'SELECT attempt, curve, group_key FROM group_keys WHERE network = ? AND session = ? ORDER BY attempt, curve',
      )
      .all(field.network(network), field.session(session));
    return rows.map((row) => ({
      network,
      session,
      attempt: row.attempt,
      curve: field.curve(row.curve),
      groupKey: blobToBytes(row.group_key, 'group_key'),
    }));
  }

  /** Makes a stored group key its session's confirmed key and the network's active key. */
  setActiveKey(ref: GroupKeyRef): void {
    const { network, session, attempt, curve } = validGroupKeyRef(ref);
    if (this.getGroupKey(ref) === undefined) {
      throw new StoreInputError('session', `no group key stored for ${network} session ${session} attempt ${attempt} on ${curve}`);
    }
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO active_keys (network, session, attempt, curve) VALUES (?, ?, ?, ?)
           ON CONFLICT (network) DO UPDATE SET session = excluded.session, attempt = excluded.attempt, curve = excluded.curve`,
        )
        .run(network, session, attempt, curve);
      this.db
        .prepare(
          `INSERT INTO confirmed_keys (network, session, attempt, curve) VALUES (?, ?, ?, ?)
           ON CONFLICT (network, session) DO UPDATE SET attempt = excluded.attempt, curve = excluded.curve`,
        )
        .run(network, session, attempt, curve);
    })();
  }

  /** The key confirmed for one session of a network (a rotation signs with the retiring session's and the new one's). */
  getConfirmedKey(network: string, session: number): ActiveKey | undefined {
    const row = this.db
      .prepare<[string, number], { attempt: number; curve: string; group_key: Uint8Array }>(
        `SELECT c.attempt, c.curve, g.group_key FROM confirmed_keys c
         JOIN group_keys g USING (network, session, attempt, curve) WHERE c.network = ? AND c.session = ?`,
      )
      .get(field.network(network), field.session(session));
    if (row === undefined) return undefined;
    return { network, session, attempt: row.attempt, curve: field.curve(row.curve), groupKey: blobToBytes(row.group_key, 'group_key') };
  }

  getActiveKey(network: string): ActiveKey | undefined {
    const row = this.db
      .prepare<[string], { session: number; attempt: number; curve: string; group_key: Uint8Array }>(
        `SELECT a.session, a.attempt, a.curve, g.group_key FROM active_keys a
         JOIN group_keys g USING (network, session, attempt, curve) WHERE a.network = ?`,
      )
      .get(field.network(network));
    if (row === undefined) return undefined;
    return {
      network,
      session: row.session,
      attempt: row.attempt,
      curve: field.curve(row.curve),
      groupKey: blobToBytes(row.group_key, 'group_key'),
    };
  }

  /** Closes the database and wipes the key from memory. */
  close(): void {
    this.db.close();
    this.sealer.wipe();
  }
}

function verifyKey(db: Database.Database, sealer: Sealer): void {
  const select = db.prepare<[string], { value: Uint8Array }>('SELECT value FROM keystore_meta WHERE name = ?');
  const stored = db
    .transaction(() => {
      const existing = select.get(KEY_CHECK_NAME);
      if (existing !== undefined) return existing.value;
      const sealed = sealer.seal(KEY_CHECK_ROW, KEY_CHECK_PLAINTEXT);
      db.prepare('INSERT INTO keystore_meta (name, value) VALUES (?, ?)').run(KEY_CHECK_NAME, sealed);
      return sealed;
    })
    .immediate();
  sealer.open(KEY_CHECK_ROW, blobToBytes(stored, 'value'));
}

function validGroupKeyRef(ref: GroupKeyRef): GroupKeyRef {
  if (typeof ref !== 'object' || ref === null) throw new StoreInputError('ref', 'expected an object naming network, session, attempt and curve');
  return {
    network: field.network(ref.network),
    session: field.session(ref.session),
    attempt: field.attempt(ref.attempt),
    curve: field.curve(ref.curve),
  };
}

function keyShareId(ref: KeyShareRef): string {
  const { network, session, attempt, curve } = validGroupKeyRef(ref);
  return `${network}/${session}/${attempt}/${curve}/${field.participant(ref.participant)}`;
}

function dkgStateId(ref: DkgStateRef): string {
  const { network, session, attempt, curve } = validGroupKeyRef(ref);
  if (!(DKG_ROUNDS as readonly unknown[]).includes(ref.round)) throw new StoreInputError('round', `expected one of ${DKG_ROUNDS.join(', ')}`);
  return `${network}/${session}/${attempt}/${curve}/${field.participant(ref.participant)}/${ref.round}`;
}
