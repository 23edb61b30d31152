import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { coordinatorWorkflowsPath } from '../../../devnet/coordinator/worker';
import { createDataConverter, failureConverterPath } from '../../../temporal/data-converter';
import { parseKeyring } from '../../../temporal/keyring';
import { workflowsPath } from '../../../temporal/processor-worker';

/** The toy ledger's histories (a rotation) replay against the processor's workflows with the ledger's rules registered. */
const ledgerWorkflowsPath = require.resolve('../seam/ledger/workflows');

jest.setTimeout(180_000);

// Histories recorded from real runs (test/integration/replay/record-keygen-histories.ts) with a test-only codec key.
// Every workflow change must replay all of them: a change of command order needs `patched()`.
const dir = __dirname;
const dataConverter = createDataConverter(parseKeyring(readFileSync(join(dir, 'codec-keys'), 'utf8'), 'replay codec keys'));
const fixtures = readdirSync(join(dir, 'histories')).filter((f) => f.endsWith('.json'));
const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
const bundleFor = (path: string) => {
  if (!bundles.has(path)) bundles.set(path, bundleWorkflowCode({ workflowsPath: path, failureConverterPath, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } }));
  return bundles.get(path)!;
};

test('there are fixtures for every workflow', () => {
  const types = fixtures.map((f) => f.replace(/^[^-]+-/, '').replace(/\.json$/, ''));
  expect(new Set(types)).toEqual(new Set(['keyGeneration', 'confirmKeyPair', 'coordinateKeygen', 'signBatch', 'coordinateBatch', 'scanner', 'substrateBlock', 'signPlan', 'coordinatePlan', 'seraiChain']));
});

/** Which workflow code a fixture replays against: the coordinator's, the toy ledger's (processor workflows with its rules) or the processor's. */
const bundlePathOf = (file: string) => (/coordinate(Keygen|Batch|Plan)|seraiChain/.test(file) ? coordinatorWorkflowsPath : /ledger-/.test(file) ? ledgerWorkflowsPath : workflowsPath);

/** One replay worker per bundle replays all of its fixtures in turn (a worker per history cost most of the test's time). */
const replayed = new Map<string, Error | undefined>();
beforeAll(async () => {
  for (const path of new Set(fixtures.map(bundlePathOf))) {
    const files = fixtures.filter((f) => bundlePathOf(f) === path);
    const histories = files.map((file) => {
      const { workflowId, history } = JSON.parse(readFileSync(join(dir, 'histories', file), 'utf8')) as { workflowId: string; history: unknown };
      return { workflowId, history };
    });
    // Results come one per history, in order.
    let i = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: await bundleFor(path), dataConverter }, histories)) {
      replayed.set(files[i++]!, result.error);
    }
  }
});

test.each(fixtures)('%s replays against the current workflow code', (file) => {
  expect(replayed.has(file)).toBe(true);
  const error = replayed.get(file);
  if (error) throw error;
});
