/**
 * Scheduler states addressed by the SHA-256 of their JSON. A scanner's workflow state names its
 * scheduler by digest, so a queue of any length never passes through a workflow payload; the one
 * writer is the scanner's Serai-block activity, which reads the state its workflow names and
 * stores the next one. Equal states are stored once. The newest `keep` states of a network stay
 * (a retried activity reads the one before its own write), older ones are deleted.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { SchedulerStateMissingError, StoreInputError } from './errors';

export const KEPT_SCHEDULER_STATES = 16;

const DIGEST = /^[0-9a-f]{64}$/;

export function schedulerStateDigest(json: string): string {
  return createHash('sha256').update(json, 'utf8').digest('hex');
}

export class SchedulerStates {
  constructor(
    private readonly db: Database.Database,
    private readonly keep: number = KEPT_SCHEDULER_STATES,
  ) {}

  /** Stores `state` (or marks it newest, if stored already) and returns its digest. */
  put(network: string, state: unknown): string {
    if (typeof network !== 'string' || network.length === 0) throw new StoreInputError('network', 'expected a network name');
    const json = JSON.stringify(state);
    if (json === undefined) throw new StoreInputError('state', 'expected a JSON value');
    const digest = schedulerStateDigest(json);
    this.db.transaction(() => {
      const { seq } = this.db.prepare<[], { seq: number }>('SELECT COALESCE(MAX(stored_seq), 0) + 1 AS seq FROM scheduler_states').get()!;
      this.db
        .prepare('INSERT INTO scheduler_states (digest, network, state, stored_seq) VALUES (?, ?, ?, ?) ON CONFLICT (digest) DO UPDATE SET stored_seq = excluded.stored_seq')
        .run(digest, network, json, seq);
      this.db
        .prepare('DELETE FROM scheduler_states WHERE network = ? AND stored_seq <= (SELECT stored_seq FROM scheduler_states WHERE network = ? ORDER BY stored_seq DESC LIMIT 1 OFFSET ?)')
        .run(network, network, this.keep);
    }).immediate();
    return digest;
  }

  /** The state stored under `digest`, checked against it; a missing or altered one is a `SchedulerStateMissingError`. */
  get(digest: string): unknown {
    if (typeof digest !== 'string' || !DIGEST.test(digest)) throw new StoreInputError('digest', 'expected 32 bytes as lowercase hex');
    const row = this.db.prepare<[string], { state: string }>('SELECT state FROM scheduler_states WHERE digest = ?').get(digest);
    if (row === undefined) throw new SchedulerStateMissingError(digest, 'not in the store (deleted as older than the newest kept, or the database was replaced)');
    if (schedulerStateDigest(row.state) !== digest) throw new SchedulerStateMissingError(digest, 'the stored bytes do not hash to it');
    return JSON.parse(row.state) as unknown;
  }

  /** How many states of `network` are stored. */
  count(network: string): number {
    return this.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM scheduler_states WHERE network = ?').get(network)!.n;
  }
}
