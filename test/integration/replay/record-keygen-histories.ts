/**
 * Records workflow histories for the replay tests (test/integration/replay): a small real key generation on a
 * dev server with the committed test-only codec key. Run after a workflow change that is meant to
 * be a new version, and keep the old fixtures: `npx tsx test/integration/replay/record-keygen-histories.ts <label>`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { toolPath } from '../../../nodes/tools';
import { COORDINATOR_NAMESPACE, coordinatorKeygenWorkflowId } from '../../../devnet/coordinator/defs';
import { validatorNamespace } from '../../../devnet/namespaces';
import { createDataConverter } from '../../../temporal/data-converter';
import { parseKeyring } from '../../../temporal/keyring';
import { confirmWorkflowId } from '../../../workflows/confirm';
import { keygenWorkflowId } from '../../../workflows/keygen-defs';
import { batchWorkflowId } from '../../../workflows/batch-defs';
import { coordinatorBatchWorkflowId } from '../../../devnet/coordinator/defs';
import type { Batch } from '../../../messages';
import { startKeygenHarness } from '../../support/keygen-net';

async function main(label: string): Promise<void> {
  const dir = __dirname;
  const codecKeys = readFileSync(join(dir, 'codec-keys'), 'utf8');
  const h = await startKeygenHarness(
    [
      { name: 'alice', weight: 2 },
      { name: 'bob', weight: 1 },
      { name: 'carol', weight: 1 },
    ],
    { codecKeys },
  );
  try {
    await h.net.generateKey({ network: 'bitcoin', session: 0, t: 3, settings: { roundTimeout: '60 seconds', blameTimeout: '30 seconds', maxAttempts: 2 } });
    const batch: Batch = {
      network: 'bitcoin',
      id: 0,
      block: '11'.repeat(32),
      instructions: [{ instruction: { kind: 'Transfer', address: '22'.repeat(32) }, balance: { coin: 'bitcoin', amount: '100000' } }],
    };
    await Promise.all(['alice', 'bob', 'carol'].map((name) => h.net.set.processor(name).startBatch(batch)));
    const dataConverter = createDataConverter(parseKeyring(codecKeys, 'replay codec keys'));
    const record = async (namespace: string, workflowId: string, name: string) => {
      const client = new Client({ connection: h.net.connection, namespace, dataConverter });
      const handle = client.workflow.getHandle(workflowId);
      await handle.result();
      const file = join(dir, 'histories', `${label}-${name}.json`);
      // The CLI's JSON export is the format the replayer documents (historyToJSON trips on nested protobufjs copies).
      const json = execFileSync(toolPath('temporal'), ['workflow', 'show', '--address', h.temporal.address, '--namespace', namespace, '--workflow-id', workflowId, '--output', 'json'], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      writeFileSync(file, JSON.stringify({ workflowId, history: JSON.parse(json) }, null, 1));
      console.log(`wrote ${file}`);
    };
    await record(validatorNamespace('alice'), keygenWorkflowId('bitcoin', 0, 0), 'keyGeneration');
    await record(validatorNamespace('alice'), confirmWorkflowId('bitcoin', 0), 'confirmKeyPair');
    await record(COORDINATOR_NAMESPACE, coordinatorKeygenWorkflowId('bitcoin', 0), 'coordinateKeygen');
    await record(COORDINATOR_NAMESPACE, coordinatorBatchWorkflowId('bitcoin', 0), 'coordinateBatch');
    await record(validatorNamespace('alice'), batchWorkflowId('bitcoin', 0), 'signBatch');
  } finally {
    await h.stop();
  }
}

main(process.argv[2] ?? 'v1').catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
