/** The attempt state of the one signing driver, as its workflows' signal handlers feed it. */
import type { CoordinatorMessage } from '../../../messages';
import { SigningAttempts, batchSubject } from '../../../workflows/signing-attempts';

const id = (attempt: number) => ({ session: 0, id: { kind: 'Batch' as const, id: 4 }, attempt });
const preprocesses = (attempt: number, data: Record<number, string>): CoordinatorMessage => ({ kind: 'coordinator.SubstratePreprocesses', id: id(attempt), preprocesses: data });
const shares = (attempt: number, data: Record<number, string>): CoordinatorMessage => ({ kind: 'coordinator.SubstrateShares', id: id(attempt), shares: data });

test('shares from other signers than the attempt preprocessed are refused, so they never reach aggregation', () => {
  const state = new SigningAttempts();
  expect(state.accept(preprocesses(0, { 2: 'aa', 3: 'bb' }), batchSubject(4), 0)).toBeUndefined();
  expect(state.accept(shares(0, { 2: 'cc', 4: 'dd' }), batchSubject(4), 0)).toMatch(/shares of attempt 0 come from participants 2,4, its preprocesses from 2,3/);
  expect(state.sharesOf(0)).toBeUndefined();
  expect(state.accept(shares(0, { 2: 'cc', 3: 'dd' }), batchSubject(4), 0)).toBeUndefined();
  expect(state.sharesOf(0)).toEqual({ 2: 'cc', 3: 'dd' });
});

test("another signing's round is refused and changes nothing", () => {
  const state = new SigningAttempts();
  expect(state.accept(preprocesses(0, { 2: 'aa' }), batchSubject(5), 0)).toMatch(/not for batch-5 of session 0/);
  expect(state.accept(preprocesses(0, { 2: 'aa' }), batchSubject(4), 1)).toMatch(/not for batch-4 of session 1/);
  expect(state.preprocessesOf(0)).toBeUndefined();
});

test('a re-attempt only moves forward, to the highest announced', () => {
  const state = new SigningAttempts();
  state.accept({ kind: 'coordinator.BatchReattempt', id: id(3) }, batchSubject(4), 0);
  state.accept({ kind: 'coordinator.BatchReattempt', id: id(2) }, batchSubject(4), 0);
  expect(state.advance()).toBe(3);
  state.accept({ kind: 'coordinator.BatchReattempt', id: id(1) }, batchSubject(4), 0);
  expect(state.reattemptAnnounced).toBe(false);
  expect(state.advance()).toBe(3);
});
