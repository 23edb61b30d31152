import { Client, type Connection } from '@temporalio/client';
import { ProcessorClient, DEFAULT_PROCESSOR_SETTINGS, type ProcessorSettings } from '../client';
import type { NetworkName } from '../config/worker-config';
import { createDataConverter, type PayloadStoreSettings } from '../temporal/data-converter';
import type { Keyring } from '../temporal/keyring';
import { ensureNamespace, validatorNamespace } from './namespaces';
import type { ManagedProcess } from '../nodes/process';
import { spawnValidatorWorker, type ChainEndpoints } from './validators';
import { crashHookEnv, type CrashHookSettings } from './crash/settings';
import { freePort } from '../nodes/ports';

/** Workers started before waiting for them to be ready, then the next group. */
const WORKERS_STARTED_TOGETHER = 8;

/** How often a devnet worker samples its status gauges. */
const DEVNET_METRICS_SAMPLE_SECONDS = 5;

export interface ValidatorSpec {
  name: string;
  weight: number;
  /** Devnet fault injection, e.g. `bad-share:3` or `false-accuse:2`. */
  byzantine?: string;
  /** Never started: its namespace exists but no worker serves it. */
  offline?: boolean;
  /** Devnet fault injection: journal activities, SIGKILL after the k-th (devnet/crash/hook.ts). Read at each (re)start. */
  crash?: CrashHookSettings;
  /** This validator's own Ethereum relayer account (its private key), so no two workers share an account nonce. */
  relayerKey?: string;
}

export interface ValidatorSetOptions {
  network: NetworkName;
  validators: ValidatorSpec[];
  connection: Connection;
  temporalAddress: string;
  keyring: Keyring;
  /** The devnet's payload store, for the workers (PAYLOAD_STORE_URL) and the clients. */
  payloadStore?: PayloadStoreSettings;
  codecKeysFile: string;
  dataDir: string;
  chains: ChainEndpoints;
  coordinatorNamespace: string;
  workflowBundlePath?: string;
  settings?: ProcessorSettings;
  /** Each worker serves Prometheus metrics on a loopback port of its own, kept across restarts. */
  metrics?: boolean;
  /** Worker processes per validator, all polling its task queues with its one keystore (default 1). */
  workersPerValidator?: number;
  log?: (line: string) => void;
}

export interface RunningValidator {
  spec: ValidatorSpec;
  namespace: string;
  client: ProcessorClient;
  /** Its worker processes by index, all on its task queues; none while it is offline. */
  workers: ManagedProcess[];
  /** Where each worker's metrics are scraped, by worker index, with `metrics`. */
  metricsUrls: string[];
}

/** N validators' processor workers on one Temporal server: one namespace, keystore and OS process each. */
export class ValidatorSet {
  private constructor(
    private readonly options: ValidatorSetOptions,
    readonly members: Map<string, RunningValidator>,
  ) {}

  static async start(options: ValidatorSetOptions): Promise<ValidatorSet> {
    const members = new Map<string, RunningValidator>();
    const set = new ValidatorSet(options, members);
    const dataConverter = createDataConverter(options.keyring, options.payloadStore);
    await ensureNamespace(options.connection, options.coordinatorNamespace);
    for (const spec of options.validators) {
      const namespace = validatorNamespace(spec.name);
      await ensureNamespace(options.connection, namespace);
      const client = new ProcessorClient(
        new Client({ connection: options.connection, namespace, dataConverter }),
        { validator: spec.name, network: options.network, namespace },
        options.settings ?? DEFAULT_PROCESSOR_SETTINGS,
      );
      members.set(spec.name, { spec, namespace, client, workers: [], metricsUrls: [] });
    }
    try {
      // A few at a time: fifty workers starting at once on two cores outlast a health check's minute.
      const online = [...members.values()].filter((m) => !m.spec.offline);
      for (let i = 0; i < online.length; i += WORKERS_STARTED_TOGETHER) {
        const group = online.slice(i, i + WORKERS_STARTED_TOGETHER);
        for (const member of group) await set.spawn(member);
        await Promise.all(group.map((m) => set.waitReady(m)));
      }
    } catch (err) {
      await set.stop();
      throw err;
    }
    return set;
  }

  get(name: string): RunningValidator {
    const member = this.members.get(name);
    if (!member) throw new Error(`no validator ${name} in this set`);
    return member;
  }

  processor(name: string): ProcessorClient {
    return this.get(name).client;
  }

  /** SIGKILL of all of a validator's workers, as a crash of its machine would. */
  kill(name: string): void {
    for (const worker of this.get(name).workers) worker.killNow();
  }

  /** SIGKILL of one of a validator's workers; the others go on serving its task queues. */
  killWorker(name: string, index: number): void {
    this.workerOf(name, index).killNow();
  }

  /** Starts a validator's workers again after a kill (or for the first time, if it began offline). */
  async restart(name: string): Promise<void> {
    const member = this.get(name);
    await Promise.all(member.workers.map((w) => w.stop()));
    await this.spawn(member);
    await this.waitReady(member);
  }

  /** Starts one of a validator's workers again after a kill. */
  async restartWorker(name: string, index: number): Promise<void> {
    const member = this.get(name);
    await this.workerOf(name, index).stop();
    await this.spawnWorker(member, index);
    await this.waitRunning(member, index);
  }

  private workerOf(name: string, index: number): ManagedProcess {
    const worker = this.get(name).workers[index];
    if (!worker) throw new Error(`${name} has no worker ${index} (it runs ${this.get(name).workers.length})`);
    return worker;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.members.values()].flatMap((m) => m.workers.map((w) => w.stop())));
  }

  private get workersPerValidator(): number {
    return this.options.workersPerValidator ?? 1;
  }

  private async spawn(member: RunningValidator): Promise<void> {
    for (let index = 0; index < this.workersPerValidator; index++) await this.spawnWorker(member, index);
  }

  private async spawnWorker(member: RunningValidator, index: number): Promise<void> {
    if (this.options.metrics && member.metricsUrls[index] === undefined) member.metricsUrls[index] = `http://127.0.0.1:${await freePort()}/metrics`;
    const metricsUrl = member.metricsUrls[index];
    const metricsEnv = metricsUrl ? { METRICS_ADDRESS: new URL(metricsUrl).host, METRICS_SAMPLE_SECONDS: String(DEVNET_METRICS_SAMPLE_SECONDS) } : {};
    const worker = spawnValidatorWorker({
      spec: { name: member.spec.name, network: this.options.network, namespace: member.namespace },
      index,
      temporalAddress: this.options.temporalAddress,
      codecKeysFile: this.options.codecKeysFile,
      dataDir: this.options.dataDir,
      chains: this.options.chains,
      extraEnv: {
        COORDINATOR_NAMESPACE: this.options.coordinatorNamespace,
        ...(this.options.payloadStore
          ? { PAYLOAD_STORE_URL: this.options.payloadStore.url, ...(this.options.payloadStore.claimCheckBytes ? { PAYLOAD_CLAIM_CHECK_BYTES: String(this.options.payloadStore.claimCheckBytes) } : {}) }
          : {}),
        ...(this.options.workflowBundlePath ? { WORKFLOW_BUNDLE_PATH: this.options.workflowBundlePath } : {}),
        ...(member.spec.byzantine ? { DEVNET_BYZANTINE: member.spec.byzantine } : {}),
        ...(member.spec.crash ? crashHookEnv(member.spec.crash) : {}),
        ...(member.spec.relayerKey ? { ETHEREUM_RELAYER_KEY: member.spec.relayerKey } : {}),
        ...metricsEnv,
      },
    });
    member.workers[index] = worker;
    const which = this.workersPerValidator > 1 ? ` ${index + 1}/${this.workersPerValidator}` : '';
    this.options.log?.(`worker ${member.spec.name}${which} started (pid ${worker.pid}), log ${worker.logPath}${metricsUrl ? `, metrics ${metricsUrl}` : ''}`);
  }

  /** Ready once its task queue answers a health check and every one of its workers is running. */
  private async waitReady(member: RunningValidator): Promise<void> {
    const exited = Promise.race(
      member.workers.map((worker) =>
        worker.exited.then((status) => {
          throw new Error(`worker ${worker.name} exited during start (${JSON.stringify(status)}):\n${worker.logTail()}`);
        }),
      ),
    );
    exited.catch(() => undefined);
    // Polling first, then the health check (whose workflow times out after a minute).
    await Promise.all(member.workers.map((_, index) => this.waitRunning(member, index)));
    await Promise.race([member.client.health(), exited]);
  }

  /** Waits for one worker to log that it runs (its pollers are up), or fails if it exits first. */
  private async waitRunning(member: RunningValidator, index: number, limitMs = 120_000): Promise<void> {
    const worker = member.workers[index]!;
    const deadline = Date.now() + limitMs;
    // The log file is appended across restarts: the line must be this process's.
    const running = new RegExp(`"pid":${worker.pid}\\b.*"msg":"processor worker running"|"msg":"processor worker running".*"pid":${worker.pid}\\b`);
    while (!running.test(worker.logTail(400))) {
      if (!worker.isRunning) throw new Error(`worker ${worker.name} exited during start:\n${worker.logTail()}`);
      if (Date.now() > deadline) throw new Error(`worker ${worker.name} did not start within ${limitMs / 1000} s:\n${worker.logTail()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
