import Database from 'better-sqlite3';
import { Keystore, KEPT_SCHEDULER_STATES, SchedulerStateMissingError, StoreInputError } from '../../../store';
import { schedulerStateDigest } from '../../../store/scheduler-states';
import { freshKeystore, tempDir } from './helpers';

const { dir, cleanup } = tempDir('scheduler-states');
afterAll(cleanup);

const state = (n: number) => ({ version: 1, payments: Array.from({ length: n }, (_, i) => ({ id: i.toString(16).padStart(64, '0'), amount: String(1000 + i) })) });

test('a state comes back exactly as stored, under the SHA-256 of its JSON; storing it again keeps one row', () => {
  const { keystore } = freshKeystore(dir);
  const digest = keystore.schedulerStates.put('bitcoin', state(3));
  expect(digest).toBe(schedulerStateDigest(JSON.stringify(state(3))));
  expect(keystore.schedulerStates.get(digest)).toEqual(state(3));
  expect(keystore.schedulerStates.put('bitcoin', state(3))).toBe(digest);
  expect(keystore.schedulerStates.count('bitcoin')).toBe(1);
  keystore.close();
});

test(`the newest ${KEPT_SCHEDULER_STATES} states of a network are kept, older ones deleted; another network's are not touched`, () => {
  const { keystore } = freshKeystore(dir);
  const other = keystore.schedulerStates.put('ethereum', state(0));
  const digests = Array.from({ length: KEPT_SCHEDULER_STATES + 4 }, (_, i) => keystore.schedulerStates.put('bitcoin', state(i + 1)));
  expect(keystore.schedulerStates.count('bitcoin')).toBe(KEPT_SCHEDULER_STATES);
  for (const gone of digests.slice(0, 4)) expect(() => keystore.schedulerStates.get(gone)).toThrow(SchedulerStateMissingError);
  for (const kept of digests.slice(4)) expect(keystore.schedulerStates.get(kept)).toBeDefined();
  expect(keystore.schedulerStates.get(other)).toEqual(state(0));
  // Storing a kept state again makes it the newest: it outlives the states stored after it the first time.
  keystore.schedulerStates.put('bitcoin', state(5));
  for (let i = 0; i < KEPT_SCHEDULER_STATES - 1; i++) keystore.schedulerStates.put('bitcoin', state(100 + i));
  expect(keystore.schedulerStates.get(digests[4]!)).toEqual(state(5));
  expect(() => keystore.schedulerStates.get(digests[5]!)).toThrow(SchedulerStateMissingError);
  keystore.close();
});

test('a state whose stored bytes were altered is refused, and so is a malformed digest', () => {
  const { keystore, path, key } = freshKeystore(dir);
  const digest = keystore.schedulerStates.put('bitcoin', state(2));
  keystore.close();
  const raw = new Database(path);
  raw.prepare('UPDATE scheduler_states SET state = ? WHERE digest = ?').run(JSON.stringify(state(1)), digest);
  raw.close();
  const reopened = Keystore.open({ path, key });
  expect(() => reopened.schedulerStates.get(digest)).toThrow(new SchedulerStateMissingError(digest, 'the stored bytes do not hash to it'));
  expect(() => reopened.schedulerStates.get('XYZ')).toThrow(StoreInputError);
  reopened.close();
});
