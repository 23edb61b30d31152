/** The operator's status table (ops/status.ts): one aligned line per validator and network, the unreachable ones saying why, stuck signings named. */
import { formatStatus, type StatusRow } from '../../../ops/status';

const row = (over: Partial<StatusRow>): StatusRow => ({
  validator: 'alice', network: 'bitcoin', unreachable: null, session: 0, key: `5120${'ab'.repeat(32)}`, rotation: null, retiredSessions: [], scanned: 120, tip: 122, lag: 2,
  batchesAwaitingAck: 1, signing: { batches: 1, plans: 0, stuck: [] }, solvency: 'solvent', outputs: 3, queuedPayments: 0, balance: null, ...over,
});

test('one aligned line per validator and network, a rotation and retired sessions shown, stuck signings named, an unreachable processor with its reason', () => {
  const table = formatStatus([
    row({}),
    row({ validator: 'bob', rotation: { session: 1, stage: 'forward-from-existing' }, signing: { batches: 0, plans: 2, stuck: ['plan-bitcoin-ab12'] } }),
    row({ validator: 'carol', network: 'ethereum', retiredSessions: [0], session: 1, key: 'cd'.repeat(20), balance: '250000000000000000', tip: 900, scanned: 868, lag: 32 }),
    row({ validator: 'dave', unreachable: 'no answer within 5 s (is its worker running?)' }),
  ]);
  const lines = table.split('\n');
  expect(lines).toEqual([
    'validator  network   session  key               rotation                    scanned  tip  lag  batches pending  signing b/p  stuck  outputs  queued  balance             solvency',
    'alice      bitcoin   0        5120abab..ababab  -                           120      122  2    1                1/0          0      3        0       -                   solvent',
    'bob        bitcoin   0        5120abab..ababab  -> 1 forward-from-existing  120      122  2    1                0/2          1      3        0       -                   solvent',
    'carol      ethereum  1        cdcdcdcd..cdcdcd  retired 0                   868      900  32   1                1/0          0      3        0       250000000000000000  solvent',
    'dave       bitcoin   UNREACHABLE: no answer within 5 s (is its worker running?)',
    'stuck: bob plan-bitcoin-ab12',
  ]);
});
