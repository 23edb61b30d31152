import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { bytesToHex, randomBytes } from '@noble/ciphers/utils.js';
import { Keystore } from '../../../store/keystore';
import type { RoundCommand, RoundReport } from './nonce-race-child';
import { tempDir } from './helpers';

const ROUNDS = 50;
const RACERS = ['A', 'B'];

const { dir, cleanup } = tempDir('nonce-race');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill();
  cleanup();
});

/** Delivers a child's messages in order, one `next()` at a time. */
function inbox(child: ChildProcess): () => Promise<unknown> {
  const queued: unknown[] = [];
  const waiting: ((message: unknown) => void)[] = [];
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure = error;
    waiting.splice(0).forEach((resolve) => resolve(Promise.reject(error)));
  };
  child.on('message', (message) => {
    const resolve = waiting.shift();
    if (resolve) resolve(message);
    else queued.push(message);
  });
  child.on('exit', (code) => fail(new Error(`racer exited with code ${code}`)));
  child.on('error', fail);
  return () => {
    if (queued.length > 0) return Promise.resolve(queued.shift());
    if (failure) return Promise.reject(failure);
    return new Promise((resolve) => waiting.push(resolve));
  };
}

test(`two OS processes racing for the same nonces with different messages: exactly one wins each of ${ROUNDS} rounds`, async () => {
  const path = join(dir, 'race.sqlite');
  const key = randomBytes(32);
  Keystore.open({ path, key }).close(); // migrate once up front so the racers only race on the ledger

  const racers = RACERS.map((racer) => {
    const child = fork(join(__dirname, 'nonce-race-child.ts'), {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, RACER: racer, RACE_DB: path, KEYSTORE_KEY: bytesToHex(key), KEYSTORE_KEY_FILE: '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    return { child, next: inbox(child) };
  });
  for (const { next } of racers) expect(await next()).toMatchObject({ type: 'ready' });

  const wins = new Map<string, number>(RACERS.map((racer) => [racer, 0]));
  const winners: RoundReport[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const command: RoundCommand = { type: 'round', round, startAt: Date.now() + 25 };
    for (const { child } of racers) child.send(command);
    const reports = (await Promise.all(racers.map(({ next }) => next()))) as RoundReport[];

    expect(reports.map((report) => report.round)).toEqual([round, round]);
    expect(reports.map((report) => report.outcome).sort()).toEqual(['NonceReuseError', 'won']);
    expect(reports[0]?.commitments).toBe(reports[1]?.commitments);
    expect(reports.reduce((sum, report) => sum + report.generateCalls, 0)).toBe(1);
    expect(reports.reduce((sum, report) => sum + report.signCalls, 0)).toBe(1);
    const winner = reports.find((report) => report.outcome === 'won');
    if (!winner) throw new Error(`round ${round} has no winner`);
    expect(winner.signCalls).toBe(1);
    wins.set(winner.racer, (wins.get(winner.racer) ?? 0) + 1);
    winners.push(winner);
  }
  for (const { child } of racers) child.send({ type: 'exit' });

  // The ledger agrees with the reports: each round bound to its winner's message and share.
  const raw = new Database(path, { readonly: true });
  const rows = raw
    .prepare(`SELECT sign_id, message_hash, share, sealed_nonces FROM nonce_ledger ORDER BY CAST(substr(sign_id, 6) AS INTEGER)`)
    .all() as { sign_id: string; message_hash: Buffer; share: Buffer; sealed_nonces: Buffer | null }[];
  raw.close();
  expect(rows).toHaveLength(ROUNDS);
  rows.forEach((row, round) => {
    const winner = winners[round];
    expect(row.sign_id).toBe(`race-${round}`);
    expect(row.sealed_nonces).toBeNull();
    expect(bytesToHex(row.message_hash)).toBe(winner?.messageHash);
    expect(bytesToHex(row.share)).toBe(winner?.share);
  });
  console.log(`nonce race: ${ROUNDS} rounds, wins per process ${JSON.stringify(Object.fromEntries(wins))}`);
});
