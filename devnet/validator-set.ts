import { Client, type Connection } from '@temporalio/client';
import { ProcessorClient, DEFAULT_PROCESSOR_SETTINGS, type ProcessorSettings } from '../client';
import type { NetworkName } from '../config/worker-config';
import { createDataConverter } from '../temporal/data-converter';
import type { Keyring } from '../temporal/keyring';
import { ensureNamespace, validatorNamespace } from './namespaces';
import type { ManagedProcess } from '../nodes/process';
import { spawnValidatorWorker, type ChainEndpoints } from './validators';
import { crashHookEnv, type CrashHookSettings } from './crash/settings';

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
  codecKeysFile: string;
  dataDir: string;
  chains: ChainEndpoints;
  coordinatorNamespace: string;
  workflowBundlePath?: string;
  settings?: ProcessorSettings;
  log?: (line: string) => void;
}

export interface RunningValidator {
  spec: ValidatorSpec;
  namespace: string;
  client: ProcessorClient;
  process?: ManagedProcess;
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
    const dataConverter = createDataConverter(options.keyring);
    await ensureNamespace(options.connection, options.coordinatorNamespace);
    for (const spec of options.validators) {
      const namespace = validatorNamespace(spec.name);
      await ensureNamespace(options.connection, namespace);
      const client = new ProcessorClient(
        new Client({ connection: options.connection, namespace, dataConverter }),
        { validator: spec.name, network: options.network, namespace },
        options.settings ?? DEFAULT_PROCESSOR_SETTINGS,
      );
      members.set(spec.name, { spec, namespace, client });
    }
    try {
      for (const member of members.values()) if (!member.spec.offline) set.spawn(member);
      await Promise.all([...members.values()].filter((m) => !m.spec.offline).map((m) => set.waitReady(m)));
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

  /** SIGKILL, as a crash would. */
  kill(name: string): void {
    this.get(name).process?.killNow();
  }

  /** Starts a validator's worker again after a kill (or for the first time, if it began offline). */
  async restart(name: string): Promise<void> {
    const member = this.get(name);
    await member.process?.stop();
    this.spawn(member);
    await this.waitReady(member);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.members.values()].map((m) => m.process?.stop()));
  }

  private spawn(member: RunningValidator): void {
    member.process = spawnValidatorWorker({
      spec: { name: member.spec.name, network: this.options.network, namespace: member.namespace },
      temporalAddress: this.options.temporalAddress,
      codecKeysFile: this.options.codecKeysFile,
      dataDir: this.options.dataDir,
      chains: this.options.chains,
      extraEnv: {
        COORDINATOR_NAMESPACE: this.options.coordinatorNamespace,
        ...(this.options.workflowBundlePath ? { WORKFLOW_BUNDLE_PATH: this.options.workflowBundlePath } : {}),
        ...(member.spec.byzantine ? { DEVNET_BYZANTINE: member.spec.byzantine } : {}),
        ...(member.spec.crash ? crashHookEnv(member.spec.crash) : {}),
        ...(member.spec.relayerKey ? { ETHEREUM_RELAYER_KEY: member.spec.relayerKey } : {}),
      },
    });
    this.options.log?.(`worker ${member.spec.name} started (pid ${member.process.pid}), log ${member.process.logPath}`);
  }

  private async waitReady(member: RunningValidator): Promise<void> {
    const proc = member.process!;
    const exited = proc.exited.then((status) => {
      throw new Error(`worker ${member.spec.name} exited during start (${JSON.stringify(status)}):\n${proc.logTail()}`);
    });
    await Promise.race([member.client.health(), exited]);
    exited.catch(() => undefined);
  }
}
