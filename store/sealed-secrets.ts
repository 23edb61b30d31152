/** The generic write-once secret table: opaque bytes under (kind, id), sealed to that identity. */
import type Database from 'better-sqlite3';
import type { RowIdentity, Sealer } from './sealing';
import { blobToBytes } from './blob';

const TABLE = 'sealed_secrets';

export function secretRow(kind: string, id: string): RowIdentity {
  return { table: TABLE, key: [kind, id] };
}

export class SealedSecrets {
  readonly #select: Database.Statement<[string, string], { sealed: Uint8Array }>;
  readonly #insert: Database.Statement<[string, string, Uint8Array, number]>;
  readonly #insertOnce: Database.Transaction<(kind: string, id: string, plaintext: Uint8Array) => Uint8Array>;

  constructor(
    db: Database.Database,
    private readonly sealer: Sealer,
  ) {
    this.#select = db.prepare(`SELECT sealed FROM ${TABLE} WHERE kind = ? AND id = ?`);
    this.#insert = db.prepare(`INSERT INTO ${TABLE} (kind, id, sealed, created_at) VALUES (?, ?, ?, ?)`);
    this.#insertOnce = db.transaction((kind, id, plaintext) => {
      const existing = this.get(kind, id);
      if (existing !== undefined) return existing;
      this.#insert.run(kind, id, this.sealer.seal(secretRow(kind, id), plaintext), Date.now());
      return Uint8Array.from(plaintext);
    });
  }

  /** Stores `plaintext` unless the row exists; returns what the row holds afterwards. */
  insertOnce(kind: string, id: string, plaintext: Uint8Array): Uint8Array {
    return this.#insertOnce.immediate(kind, id, plaintext);
  }

  get(kind: string, id: string): Uint8Array | undefined {
    const row = this.#select.get(kind, id);
    if (row === undefined) return undefined;
    return this.sealer.open(secretRow(kind, id), blobToBytes(row.sealed, 'sealed'));
  }
}
