/**
 * The nonce ledger: FROST nonces stored under (signId, attempt, participant), each set bound to at most
 * one message. This is what keeps a retried or raced signing activity from leaking the key share:
 * two shares from the same nonces over different challenges reveal the share.
 */
import type Database from 'better-sqlite3';
import { equalBytes } from '@noble/ciphers/utils.js';
import type { RowIdentity, Sealer } from './sealing';
import { NonceReuseError, NoncesNotFoundError, StoreInputError } from './errors';
import { blobToBytes } from './blob';
import * as field from './fields';

const TABLE = 'nonce_ledger';

export interface GeneratedNonces {
  /** Secret nonce material; the ledger seals it and then zeroes this buffer. */
  readonly secret: Uint8Array;
  /** The public commitments sent to the other signers. */
  readonly commitments: Uint8Array;
}

interface LedgerRow {
  commitments: Uint8Array;
  sealed_nonces: Uint8Array | null;
  message_hash: Uint8Array | null;
  share: Uint8Array | null;
}

type Key = [signId: string, attempt: number, participant: number];

export function nonceRow(signId: string, attempt: number, participant: number): RowIdentity {
  return { table: TABLE, key: [signId, String(attempt), String(participant)] };
}

export class NonceLedger {
  readonly #select: Database.Statement<Key, LedgerRow>;
  readonly #insert: Database.Statement<[...Key, Uint8Array, Uint8Array, number]>;
  readonly #bind: Database.Statement<[Uint8Array, Uint8Array, number, ...Key]>;
  readonly #preprocess: Database.Transaction<(key: Key, generate: () => GeneratedNonces) => Uint8Array>;
  readonly #consume: Database.Transaction<(key: Key, messageHash: Uint8Array, sign: (nonces: Uint8Array) => Uint8Array) => Uint8Array>;

  constructor(
    db: Database.Database,
    private readonly sealer: Sealer,
  ) {
    this.#select = db.prepare(
      `SELECT commitments, sealed_nonces, message_hash, share FROM ${TABLE} WHERE sign_id = ? AND attempt = ? AND participant = ?`,
    );
    this.#insert = db.prepare(
      `INSERT INTO ${TABLE} (sign_id, attempt, participant, commitments, sealed_nonces, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#bind = db.prepare(
      `UPDATE ${TABLE} SET sealed_nonces = NULL, message_hash = ?, share = ?, consumed_at = ?
       WHERE sign_id = ? AND attempt = ? AND participant = ? AND message_hash IS NULL`,
    );
    this.#preprocess = db.transaction((key, generate) => this.#preprocessLocked(key, generate));
    this.#consume = db.transaction((key, messageHash, sign) => this.#consumeLocked(key, messageHash, sign));
  }

  /**
   * Returns the commitments of this key's nonces, generating and storing them on first use. A retry
   * gets the same commitments back and `generate` is not called again.
   */
  preprocess(signId: string, attempt: number, participant: number, generate: () => GeneratedNonces): Uint8Array {
    if (typeof generate !== 'function') throw new StoreInputError('generate', 'expected a function');
    return this.#preprocess.immediate(validKey(signId, attempt, participant), generate);
  }

  /**
   * Signs with this key's nonces, atomically binding them to `messageHash` and erasing them.
   *
   * `messageHash` must commit to everything the share depends on (message, signer set and every
   * signer's commitments): the same nonces must never answer two different challenges.
   *
   * Same hash again: the stored share (identical bytes), `sign` not called. Different hash:
   * `NonceReuseError`. No nonces: `NoncesNotFoundError`. If `sign` throws, nothing is bound.
   * `sign` runs inside the write lock and must be synchronous; its argument is zeroed after it returns.
   */
  consumeForMessage(
    signId: string,
    attempt: number,
    participant: number,
    messageHash: Uint8Array,
    sign: (nonceSecret: Uint8Array) => Uint8Array,
  ): Uint8Array {
    const key = validKey(signId, attempt, participant);
    field.messageHash(messageHash);
    if (typeof sign !== 'function') throw new StoreInputError('sign', 'expected a function');
    return this.#consume.immediate(key, Uint8Array.from(messageHash), sign);
  }

  #preprocessLocked(key: Key, generate: () => GeneratedNonces): Uint8Array {
    const existing = this.#select.get(...key);
    if (existing !== undefined) return blobToBytes(existing.commitments, 'commitments');

    const { secret, commitments } = (generate() ?? {}) as Partial<GeneratedNonces>;
    try {
      const publicPart = Uint8Array.from(field.bytes(commitments, 'generate().commitments'));
      const sealed = this.sealer.seal(nonceRow(...key), field.bytes(secret, 'generate().secret'));
      this.#insert.run(...key, publicPart, sealed, Date.now());
      return publicPart;
    } finally {
      if (secret instanceof Uint8Array) secret.fill(0);
    }
  }

  #consumeLocked(key: Key, messageHash: Uint8Array, sign: (nonceSecret: Uint8Array) => Uint8Array): Uint8Array {
    const row = this.#select.get(...key);
    if (row === undefined) throw new NoncesNotFoundError(...key);
    if (row.message_hash !== null) {
      if (!equalBytes(blobToBytes(row.message_hash, 'message_hash'), messageHash)) throw new NonceReuseError(...key);
      return blobToBytes(row.share, 'share');
    }

    const nonceSecret = this.sealer.open(nonceRow(...key), blobToBytes(row.sealed_nonces, 'sealed_nonces'));
    let share: Uint8Array;
    try {
      share = Uint8Array.from(field.bytes(sign(nonceSecret), 'sign() result'));
    } finally {
      nonceSecret.fill(0);
    }
    const bound = this.#bind.run(messageHash, share, Date.now(), ...key);
    // Unreachable while the write lock is held; if it ever happens, no share may leave.
    if (bound.changes !== 1) throw new Error(`nonce binding for ${JSON.stringify(key)} changed under the write lock`);
    return share;
  }
}

function validKey(signId: string, attempt: number, participant: number): Key {
  return [field.signId(signId), field.attempt(attempt), field.participant(participant)];
}
