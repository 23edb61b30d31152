import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { ProcessorSettings } from '../client';
import type { NetworkName } from '../config/worker-config';
import { createDataConverter, type PayloadStoreSettings } from '../temporal/data-converter';
import { startPayloadStoreServer } from '../temporal/payload-store-server';
import { writeWorkflowBundle } from '../temporal/bundle';
import type { Keyring } from '../temporal/keyring';
import { workflowsPath } from '../temporal/processor-worker';
import { COORDINATOR_NAMESPACE, COORDINATOR_TASK_QUEUE, coordinatorKeygenWorkflowId, type CoordinateKeygenInput, type CoordinateKeygenResult, type KeygenRoundSettings } from './coordinator/defs';
import { coordinateKeygen } from './coordinator/keygen';
import { seraiChain } from './coordinator/serai-chain';
import {
  SERAI_CHAIN_WORKFLOW_ID,
  seraiBurnUpdate,
  seraiFaultMintUpdate,
  seraiSetKeysUpdate,
  seraiStatusQuery,
  type BurnRequest,
  type FaultMintRequest,
  type SeraiBurnResult,
  type SeraiChainStatus,
  type SeraiSetKeysResult,
  type SetKeysRequest,
} from './coordinator/serai-defs';
import { createCoordinatorWorker, coordinatorWorkflowsPath } from './coordinator/worker';
import { ensureNamespace } from './namespaces';
import { ValidatorSet, type ValidatorSpec } from './validator-set';
import type { ChainEndpoints } from './validators';

export interface KeygenRequest {
  network: NetworkName;
  session: number;
  t: number;
  settings: KeygenRoundSettings;
  /** The validators of the set (by name); by default every validator of the network. */
  members?: readonly string[];
}

export interface KeygenNetworkOptions {
  temporalAddress: string;
  dataDir: string;
  keyring: Keyring;
  codecKeysFile: string;
  /** The networks every validator runs a processor for, one worker process each; `set` is the first's. */
  networks: readonly NetworkName[];
  validators: ValidatorSpec[];
  chains: ChainEndpoints;
  processorSettings: ProcessorSettings;
  /** A network's processors' own settings where they differ from `processorSettings` (a rotation's windows, in its block times). */
  networkSettings?: Partial<Record<NetworkName, ProcessorSettings>>;
  /** Every worker serves Prometheus metrics (ValidatorSetOptions.metrics). */
  metrics?: boolean;
  /** Worker processes per validator and network (default 1). */
  workersPerValidator?: number;
  /** Payloads from this many bytes go to the devnet's payload store by claim check (default DEFAULT_CLAIM_CHECK_BYTES). */
  claimCheckBytes?: number;
  log?: (line: string) => void;
}

/**
 * A validator set and its devnet coordinator on one Temporal server: every validator's worker for
 * each network in its own OS process (one namespace per validator), the coordinator's worker in
 * this process.
 */
export class KeygenNetwork {
  private constructor(
    readonly connection: Connection,
    readonly coordinatorClient: Client,
    /** Each network's processors, in the order of `networks`. */
    readonly sets: ReadonlyMap<NetworkName, ValidatorSet>,
    private readonly coordinatorWorker: Worker,
    private readonly coordinatorRun: Promise<void>,
    private readonly closeCoordinator: () => Promise<void>,
    /** Where every process of this devnet puts and fetches large payloads. */
    readonly payloadStore: PayloadStoreSettings,
  ) {}

  static async start(options: KeygenNetworkOptions): Promise<KeygenNetwork> {
    const log = options.log ?? (() => undefined);
    if (options.networks.length === 0 || new Set(options.networks).size !== options.networks.length) throw new Error(`KeygenNetwork: networks must be distinct and at least one, got ${JSON.stringify(options.networks)}`);
    mkdirSync(options.dataDir, { recursive: true });
    const payloadStoreServer = await startPayloadStoreServer({ dir: join(options.dataDir, 'payload-store') });
    const payloadStore: PayloadStoreSettings = { url: payloadStoreServer.url, ...(options.claimCheckBytes ? { claimCheckBytes: options.claimCheckBytes } : {}) };
    log(`payload store at ${payloadStore.url} (payloads from ${options.claimCheckBytes ?? 'the default'} bytes)`);
    const connection = await Connection.connect({ address: options.temporalAddress });
    await ensureNamespace(connection, COORDINATOR_NAMESPACE);
    log('bundling workflow code once for every worker ...');
    const [processorBundle, coordinatorBundle] = await Promise.all([
      writeWorkflowBundle(workflowsPath, join(options.dataDir, 'bundles', 'processor.js')),
      writeWorkflowBundle(coordinatorWorkflowsPath, join(options.dataDir, 'bundles', 'coordinator.js')),
    ]);
    const coordinator = await createCoordinatorWorker({
      temporalAddress: options.temporalAddress,
      namespace: COORDINATOR_NAMESPACE,
      keyring: options.keyring,
      payloadStore,
      connection,
      workflowBundlePath: coordinatorBundle,
      processorSettings: options.processorSettings,
      networkSettings: options.networkSettings,
    });
    const coordinatorRun = coordinator.worker.run();
    const sets = new Map<NetworkName, ValidatorSet>();
    try {
      for (const network of options.networks) {
        sets.set(network, await ValidatorSet.start({
        network,
        validators: options.validators,
        connection,
        temporalAddress: options.temporalAddress,
        keyring: options.keyring,
        payloadStore,
        codecKeysFile: options.codecKeysFile,
        dataDir: options.dataDir,
        chains: options.chains,
        coordinatorNamespace: COORDINATOR_NAMESPACE,
        workflowBundlePath: processorBundle,
        settings: options.networkSettings?.[network] ?? options.processorSettings,
        metrics: options.metrics,
        workersPerValidator: options.workersPerValidator,
        log,
        }));
      }
    } catch (err) {
      for (const set of sets.values()) await set.stop();
      coordinator.worker.shutdown();
      await coordinatorRun.catch(() => undefined);
      await coordinator.close();
      await connection.close();
      await payloadStoreServer.close();
      throw err;
    }
    const coordinatorClient = new Client({ connection, namespace: COORDINATOR_NAMESPACE, dataConverter: createDataConverter(options.keyring, payloadStore) });
    const close = async () => {
      await coordinator.close();
      await payloadStoreServer.close();
    };
    return new KeygenNetwork(connection, coordinatorClient, sets, coordinator.worker, coordinatorRun, close, payloadStore);
  }

  /** The first network's processors. */
  get set(): ValidatorSet {
    return this.sets.values().next().value!;
  }

  setOf(network: NetworkName): ValidatorSet {
    const set = this.sets.get(network);
    if (!set) throw new Error(`no processors for ${network} in this devnet (networks: ${[...this.sets.keys()].join(', ')})`);
    return set;
  }

  /** Runs key generation for a session to its confirmed key pair (or its failure). */
  async generateKey(input: KeygenRequest): Promise<CoordinateKeygenResult> {
    return (await this.startKeygen(input)).result();
  }

  async startKeygen(input: KeygenRequest) {
    const { members, ...request } = input;
    const validators = [...this.setOf(input.network).members.values()].filter((m) => members === undefined || members.includes(m.spec.name));
    const args: CoordinateKeygenInput = { ...request, validators: validators.map((m) => ({ name: m.spec.name, weight: m.spec.weight })) };
    return this.coordinatorClient.workflow.start(coordinateKeygen, {
      taskQueue: COORDINATOR_TASK_QUEUE,
      workflowId: coordinatorKeygenWorkflowId(input.network, input.session),
      args: [args],
      // Relaying a round schedules one delivery per validator, each carrying nearly every other
      // participant's data: at n = 150 about 100 MB to encrypt and store in one workflow task.
      workflowTaskTimeout: '1 minute',
    });
  }

  /** Starts the devnet's Serai chain (or finds it running) in the coordinator's namespace. */
  async startSeraiChain(blockTime: string | number): Promise<void> {
    await this.coordinatorClient.workflow.start(seraiChain, {
      taskQueue: COORDINATOR_TASK_QUEUE,
      workflowId: SERAI_CHAIN_WORKFLOW_ID,
      args: [{ settings: { blockTime } }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  private get serai() {
    return this.coordinatorClient.workflow.getHandle(SERAI_CHAIN_WORKFLOW_ID);
  }

  seraiSetKeys(request: SetKeysRequest): Promise<SeraiSetKeysResult> {
    return this.serai.executeUpdate(seraiSetKeysUpdate, { args: [request] });
  }

  seraiBurn(request: BurnRequest): Promise<SeraiBurnResult> {
    return this.serai.executeUpdate(seraiBurnUpdate, { args: [request] });
  }

  /** A devnet fault: Serai mints coins with no deposit behind them. */
  seraiFaultMint(request: FaultMintRequest): Promise<{ minted: string }> {
    return this.serai.executeUpdate(seraiFaultMintUpdate, { args: [request] });
  }

  seraiStatus(): Promise<SeraiChainStatus> {
    return this.serai.query(seraiStatusQuery);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sets.values()].map((set) => set.stop()));
    // On SIGINT the SDK's runtime may have begun shutting the worker down already.
    if (this.coordinatorWorker.getState() === 'RUNNING') this.coordinatorWorker.shutdown();
    await this.coordinatorRun.catch(() => undefined);
    await this.closeCoordinator();
    await this.connection.close();
  }
}
