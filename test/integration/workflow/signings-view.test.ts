/**
 * An operator sees every signing still running, and which are stuck: a Batch whose coordinator
 * never answers keeps trying (its last message sent again every idle period) and is listed as stuck.
 * Real processor workflows and activities on a real dev server; the coordinator link only records.
 */
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../../activities';
import { DEFAULT_PROCESSOR_SETTINGS, ProcessorClient } from '../../../client';
import { encodeFrostPublic, encodeFrostSecret } from '../../../crypto/key-package';
import { dealKeys } from '../../../crypto/sign/simulate';
import { schemes } from '../../../crypto/suites';
import type { Keystore } from '../../../store';
import type { CoordinatorLink, OutboundMessage } from '../../../temporal/coordinator-contract';
import { workflowsPath } from '../../../temporal/processor-worker';
import { startTemporalTestEnv, type TemporalTestEnv } from '../../support/temporal';
import { freshKeystore, tempDir } from '../../unit/store/helpers';

jest.setTimeout(120_000);

const dir = tempDir('signings-view');
let t: TemporalTestEnv;
let keystore: Keystore;
let worker: Worker;
let running: Promise<void>;
const sent: OutboundMessage[] = [];

beforeAll(async () => {
  keystore = freshKeystore(dir.dir).keystore;
  const keys = dealKeys(schemes.sr25519, 2, 3);
  const ref = { network: 'bitcoin' as const, session: 0, attempt: 0, curve: 'ristretto255' as const };
  keystore.putGroupKey(ref, encodeFrostPublic(keys.get(1)!.public));
  keystore.putKeyShare({ ...ref, participant: 1 }, encodeFrostSecret(keys.get(1)!.secret));
  keystore.putGroupKey({ ...ref, curve: 'secp256k1' }, encodeFrostPublic(dealKeys(schemes.bip340, 2, 3).get(1)!.public));
  keystore.setActiveKey({ ...ref, curve: 'secp256k1' });
  const link: CoordinatorLink = {
    async send(outbound) {
      sent.push(outbound);
    },
    seraiSupply: async () => null,
  };
  t = await startTemporalTestEnv();
  worker = await Worker.create({
    connection: t.env.nativeConnection,
    taskQueue: 'processor-alice-bitcoin',
    workflowsPath,
    activities: createActivities({ validator: 'alice', network: 'bitcoin', keystore, link }),
    dataConverter: t.dataConverter,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await t?.teardown();
  keystore?.close();
  dir.cleanup();
});

test('a Batch nobody answers is listed as stuck, still trying, at its attempt and stage', async () => {
  const client = new ProcessorClient(t.env.client, { validator: 'alice', network: 'bitcoin', namespace: 'default' }, { ...DEFAULT_PROCESSOR_SETTINGS, batch: { idleTimeout: '1 second' } });
  await client.startBatch({ network: 'bitcoin', id: 0, block: 'ab'.repeat(32), instructions: [] });
  let view = await client.signings();
  for (let waited = 0; !view.some((v) => v.stuck); waited += 200) {
    if (waited > 60_000) throw new Error(`never stuck: ${JSON.stringify(view)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    view = await client.signings();
  }
  expect(view).toEqual([expect.objectContaining({ workflowId: 'batch-bitcoin-0', kind: 'batch', attempt: 0, stuck: true, stage: expect.stringMatching(/awaiting preprocesses \(stuck/) })]);
  // Still running, and its preprocess went out again after the idle period.
  expect((await t.env.client.workflow.getHandle('batch-bitcoin-0').describe()).status.name).toBe('RUNNING');
  expect(sent.filter((s) => s.message.kind === 'coordinator.BatchPreprocess').length).toBeGreaterThanOrEqual(2);
  await t.env.client.workflow.getHandle('batch-bitcoin-0').terminate('test over');
});
