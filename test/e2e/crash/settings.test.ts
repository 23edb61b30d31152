/**
 * The crash hook's settings (pure; no devnet): the environment the validator set hands the worker
 * round-trips, and a bad setting is a one-line config error, as DEVNET_BYZANTINE's is.
 */
import { crashHookEnv, crashHookFromEnv, CrashConfigError, isCountedActivity, isCountedWorkflow } from '../../../devnet/crash/settings';
import { phaseOf } from '../../../devnet/crash/run';
import { seededRandom } from '../../../devnet/crash/sweep';

test('the crash setting round-trips through the environment, and is off without a journal', () => {
  const crash = { journalPath: '/j.jsonl', afterActivity: 7, markerPath: '/m.json' };
  expect(crashHookFromEnv(crashHookEnv(crash))).toEqual(crash);
  expect(crashHookFromEnv(crashHookEnv({ journalPath: '/j.jsonl' }))).toEqual({ journalPath: '/j.jsonl' });
  expect(crashHookFromEnv({})).toBeUndefined();
});

test('a bad crash setting is a config error', () => {
  expect(() => crashHookFromEnv({ DEVNET_CRASH_AFTER_ACTIVITY: '3' })).toThrow(CrashConfigError);
  expect(() => crashHookFromEnv({ DEVNET_ACTIVITY_JOURNAL: '/j', DEVNET_CRASH_AFTER_ACTIVITY: '0', DEVNET_CRASH_MARKER: '/m' })).toThrow(/positive integer/);
  expect(() => crashHookFromEnv({ DEVNET_ACTIVITY_JOURNAL: '/j', DEVNET_CRASH_AFTER_ACTIVITY: '3' })).toThrow(/DEVNET_CRASH_MARKER/);
  expect(() => crashHookEnv({ journalPath: '/j', afterActivity: 3 })).toThrow(CrashConfigError);
});

test('the readiness probe and the scanner\'s polls are not counted; workflow ids name their phase; the sample PRNG is seeded', () => {
  expect(isCountedWorkflow('health-bitcoin-1733400000000')).toBe(false);
  expect(isCountedWorkflow('keygen-bitcoin-0-0')).toBe(true);
  expect(isCountedActivity('health-bitcoin-1733400000000', 'healthCheck')).toBe(false);
  expect(isCountedActivity('scanner-bitcoin', 'scanPoll')).toBe(false);
  expect(isCountedActivity('scanner-bitcoin', 'awaitNewBlock')).toBe(false);
  expect(isCountedActivity('scanner-bitcoin', 'applySeraiBlock')).toBe(true);
  expect(isCountedActivity('batch-bitcoin-1', 'thresholdShare')).toBe(true);
  expect(['keygen-bitcoin-0-0', 'batch-bitcoin-1', 'plan-bitcoin-ab', 'substrate-bitcoin-4', 'scanner-bitcoin', 'confirm-keypair-bitcoin-0', 'x'].map(phaseOf)).toEqual([
    'keygen',
    'batch',
    'plan',
    'substrate',
    'scanner',
    'confirm',
    'other',
  ]);
  const a = seededRandom(42);
  const b = seededRandom(42);
  expect([a(), a(), a()]).toEqual([b(), b(), b()]);
});
