/** The operator's status table (ops/status.ts): one aligned line per validator and network, the unreachable ones saying why, stuck signings named. */
import { formatStatus, statusRow, type StatusRow } from '../../../ops/status';
import type { ScannerStatus } from '../../../workflows/scanner-defs';

const row = (over: Partial<StatusRow>): StatusRow => ({
  validator: 'alice', network: 'bitcoin', unreachable: null, session: 0, key: `5120${'ab'.repeat(32)}`, rotation: null, retiredSessions: [], scanned: 120, tip: 122, lag: 2,
  batchesAwaitingAck: 1, signing: { batches: 1, plans: 0, stuck: [] }, solvency: 'solvent', outputs: 3, queuedPayments: 0, balance: null, chainError: null, ...over,
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

test('a chain node that does not answer leaves the tip and lag empty and says why, in the row and under the table', async () => {
  const scanner: ScannerStatus = {
    stage: 'scanning', session: 0, activationHeight: 100, externalScript: `5120${'ab'.repeat(32)}`, nextHeight: 121, nextBatchId: 3, awaitingAck: [], lastSeraiBlock: null,
    queuedSeraiBlocks: [], heldSeraiBlocks: [], scheduler: { outputs: 2, queuedPayments: 0 }, rejected: [], solvency: { state: 'solvent', reason: null, override: null },
  };
  const processor = { scannerStatus: async () => scanner, signings: async () => [] };
  const down = { tip: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:18334')), balance: async () => null };
  const result = await statusRow('alice', 'bitcoin', processor, down);
  expect(result).toMatchObject({ unreachable: null, scanned: 120, tip: null, lag: null, chainError: 'tip: connect ECONNREFUSED 127.0.0.1:18334' });
  expect(formatStatus([result]).split('\n').at(-1)).toBe('chain: alice bitcoin: tip: connect ECONNREFUSED 127.0.0.1:18334');
  const up = { tip: async () => 125, balance: async () => null };
  expect(await statusRow('alice', 'bitcoin', processor, up)).toMatchObject({ tip: 125, lag: 5, chainError: null });
});
