/**
 * A validator set in this process, for tests that hand every processor a chain adapter of their
 * own making: a Temporal dev server, the devnet coordinator (its worker and the Serai chain workflow,
 * which only takes SignedBatches: the test plays Serai), and one processor worker per validator in
 * its own namespace with its own keystore, running the processor's activities over `chainFor`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from '@noble/hashes/utils.js';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { ProcessorClient } from '../../client';
import { processorTaskQueue } from '../../config/worker-config';
import { COORDINATOR_NAMESPACE, COORDINATOR_TASK_QUEUE } from '../../devnet/coordinator/defs';
import { seraiChain } from '../../devnet/coordinator/serai-chain';
import { SERAI_CHAIN_WORKFLOW_ID } from '../../devnet/coordinator/serai-defs';
import { coordinatorWorkflowsPath, createCoordinatorWorker } from '../../devnet/coordinator/worker';
import { ensureNamespace, validatorNamespace } from '../../devnet/namespaces';
import { startTemporalServer } from '../../devnet/temporal-server';
import type { ExternalNetwork } from '../../messages/networks';
import type { ChainAdapter } from '../../networks/chain';
import { Keystore } from '../../store';
import { writeWorkflowBundle } from '../../temporal/bundle';
import { TemporalCoordinatorLink } from '../../temporal/coordinator-link';
import { createDataConverter } from '../../temporal/data-converter';
import type { Keyring } from '../../temporal/keyring';
import type { BatchSigningOutcome } from '../../workflows/batch-defs';
import { TEST_PROCESSOR_SETTINGS } from './keygen-net';
import { installRuntimeOnce, testKeyring } from './temporal';

export interface InProcessSet {
  temporalAddress: string;
  coordinatorClient: Client;
  processors: Map<string, ProcessorClient>;
  /** Polls `check` every 300 ms until it gives a value; on a timeout the error shows every scanner's status. */
  until<T>(what: string, check: () => Promise<T | undefined>, limitMs?: number): Promise<T>;
  /** A processor's workflow result once it completed, else undefined (never waits). */
  completed<T>(name: string, workflowId: string): Promise<T | undefined>;
  /** Waits until at least `needed` processors' Batch workflow `workflowId` ended signed; their outcomes. */
  signedBy(workflowId: string, needed: number): Promise<(BatchSigningOutcome | undefined)[]>;
  stop(): Promise<void>;
}

export async function startInProcessSet(options: {
  network: ExternalNetwork;
  names: readonly string[];
  /** The processor's workflow bundle entry (the processor's own, or one that registers a test chain's rules first). */
  workflowsPath: string;
  chainFor(name: string, index: number): ChainAdapter;
  /** Default: a fresh random test keyring. */
  keyring?: Keyring;
  dataDirPrefix: string;
  /** Default: TEST_PROCESSOR_SETTINGS. */
  settings?: typeof TEST_PROCESSOR_SETTINGS;
}): Promise<InProcessSet> {
  const settings = options.settings ?? TEST_PROCESSOR_SETTINGS;
  installRuntimeOnce();
  const { network } = options;
  const dataDir = mkdtempSync(join(tmpdir(), options.dataDirPrefix));
  const closers: Array<() => Promise<void>> = [async () => (process.env.KEEP_TEST_DATA ? console.log(`kept ${dataDir}`) : rmSync(dataDir, { recursive: true, force: true }))];
  const stop = async () => {
    for (const close of closers.reverse()) await close().catch((err: unknown) => console.error('cleanup failed:', err));
  };
  try {
    const temporal = await startTemporalServer({ dataDir: join(dataDir, 'temporal') });
    closers.push(() => temporal.stop());
    const connection = await Connection.connect({ address: temporal.address });
    closers.push(() => connection.close());
    const keyring = options.keyring ?? testKeyring();
    const dataConverter = createDataConverter(keyring);
    await ensureNamespace(connection, COORDINATOR_NAMESPACE);
    for (const name of options.names) await ensureNamespace(connection, validatorNamespace(name));
    const [processorBundle, coordinatorBundle] = await Promise.all([
      writeWorkflowBundle(options.workflowsPath, join(dataDir, 'processor.js')),
      writeWorkflowBundle(coordinatorWorkflowsPath, join(dataDir, 'coordinator.js')),
    ]);
    const coordinator = await createCoordinatorWorker({
      temporalAddress: temporal.address,
      namespace: COORDINATOR_NAMESPACE,
      keyring,
      connection,
      workflowBundlePath: coordinatorBundle,
      processorSettings: settings,
    });
    const coordinatorRun = coordinator.worker.run();
    closers.push(async () => {
      coordinator.worker.shutdown();
      await coordinatorRun;
      await coordinator.close();
    });
    const coordinatorClient = new Client({ connection, namespace: COORDINATOR_NAMESPACE, dataConverter });
    // The coordinator publishes every SignedBatch to a Serai chain until one takes it; the test plays
    // Serai itself, so the chain only takes them (no keys are set on it: it includes nothing).
    await coordinatorClient.workflow.start(seraiChain, { taskQueue: COORDINATOR_TASK_QUEUE, workflowId: SERAI_CHAIN_WORKFLOW_ID, args: [{ settings: { blockTime: '1 hour' } }] });

    const processors = new Map<string, ProcessorClient>();
    for (const [index, name] of options.names.entries()) {
      const namespace = validatorNamespace(name);
      const keystore = Keystore.open({ path: join(dataDir, `${name}.sqlite`), key: randomBytes(32) });
      const native = await NativeConnection.connect({ address: temporal.address });
      const link = await TemporalCoordinatorLink.connect({ address: temporal.address, namespace: COORDINATOR_NAMESPACE, dataConverter });
      const worker = await Worker.create({
        connection: native,
        namespace,
        taskQueue: processorTaskQueue(name, network),
        workflowBundle: { codePath: processorBundle },
        activities: createActivities({ validator: name, network, keystore, chain: options.chainFor(name, index), link: link.link }),
        dataConverter,
      });
      const run = worker.run();
      closers.push(async () => {
        worker.shutdown();
        await run;
        await link.close();
        await native.close();
        keystore.close();
      });
      processors.set(name, new ProcessorClient(new Client({ connection, namespace, dataConverter }), { validator: name, network, namespace }, settings));
    }
    const until = async <T>(what: string, check: () => Promise<T | undefined>, limitMs = 240_000): Promise<T> => {
      const deadline = Date.now() + limitMs;
      for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        if (Date.now() > deadline) {
          const statuses = await Promise.all([...processors.values()].map((p) => p.scannerStatus().catch((err: unknown) => String(err))));
          throw new Error(`timed out waiting for ${what}; scanners: ${JSON.stringify(statuses)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    };
    const completed = async <T>(name: string, workflowId: string): Promise<T | undefined> => {
      const handle = processors.get(name)!.client.workflow.getHandle(workflowId);
      const status = await handle.describe().then((d) => d.status.name, () => undefined);
      return status === 'COMPLETED' ? ((await handle.result()) as T) : undefined;
    };
    const signedBy = (workflowId: string, needed: number) =>
      until(`${workflowId} signed by ${needed}`, async () => {
        const outcomes = await Promise.all(options.names.map((name) => completed<BatchSigningOutcome>(name, workflowId)));
        return outcomes.filter((o) => o?.end === 'signed').length >= needed ? outcomes : undefined;
      });
    return { temporalAddress: temporal.address, coordinatorClient, processors, until, completed, signedBy, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
