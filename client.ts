import { Command } from 'commander';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type SignalDefinition } from '@temporalio/client';
import { assertCoordinatorMessage, type CoordinatorMessage, type ExternalNetwork } from './messages';
import { keyGeneration } from './workflows/keygen';
import { keygenEndSignal, keygenMessageSignal, keygenWorkflowId, type KeygenSettings } from './workflows/keygen-defs';
import { confirmKeyPair, confirmWorkflowId } from './workflows/confirm';
import { signBatch } from './workflows/batch';
import { batchMessageSignal, batchStatusQuery, batchWorkflowId, type BatchSigningOutcome } from './workflows/batch-defs';
import type { Batch } from './messages';
import { signPlan } from './workflows/plan';
import { planMessageSignal, planStatusQuery, planWorkflowId, type PlanOutcome, type PlanSettings } from './workflows/plan-defs';
import type { Plan } from './scheduler/types';
import { NETWORKS, processorTaskQueue, type NetworkName } from './config/worker-config';
import { connectClient, type TemporalTarget } from './temporal/connection';
import { loadCodecKeyring, type Keyring } from './temporal/keyring';
import { processorHealth, type ProcessorHealth } from './workflows/health';
import { scanner } from './workflows/scanner';
import {
  scannerKeySignal,
  scannerResumePayoutsSignal,
  scannerStatusQuery,
  scannerSeraiBlockSignal,
  scannerWorkflowId,
  seraiBlockWorkflowId,
  type ScannerInput,
  type ScannerSettings,
  type ScannerStatus,
  type SeraiBlockOutcome,
} from './workflows/scanner-defs';

/** Where one validator's processor for one network listens. */
export interface ProcessorAddress {
  validator: string;
  network: ExternalNetwork;
  namespace: string;
  taskQueue?: string;
}

export interface ProcessorSettings {
  keygen: KeygenSettings;
  scanner: Pick<ScannerSettings, 'confirmations' | 'pollInterval' | 'startHeight' | 'rotation'>;
  batch: { idleTimeout: string | number };
  plan: PlanSettings;
}

export const DEFAULT_PROCESSOR_SETTINGS: ProcessorSettings = {
  keygen: { idleTimeout: '1 day' },
  scanner: { confirmations: 6, pollInterval: '5 seconds' },
  batch: { idleTimeout: '1 day' },
  plan: { idleTimeout: '1 day', confirmations: 6, pollInterval: '30 seconds' },
};

export class UnknownWorkflowError extends Error {
  override readonly name = 'UnknownWorkflowError';
  constructor(readonly workflowId: string, kind: string) {
    super(`${kind}: no workflow ${workflowId} to deliver to (was its GenerateKey delivered?)`);
  }
}

/** What `deliver` did with a message. */
/** A signing still running, as an operator sees it. */
export interface SigningView {
  workflowId: string;
  kind: 'batch' | 'plan';
  since: string;
  attempt: number | null;
  stage: string;
  stuck: boolean;
}

export interface Delivery {
  workflowId: string;
  action: 'started' | 'already-started' | 'signalled' | 'ignored';
}

/** The typed API a coordinator (and an operator) uses to drive one validator's processor. */
export class ProcessorClient {
  constructor(
    readonly client: Client,
    readonly processor: ProcessorAddress,
    readonly settings: ProcessorSettings = DEFAULT_PROCESSOR_SETTINGS,
  ) {}

  static async connect(target: TemporalTarget, processor: Omit<ProcessorAddress, 'namespace'>, keyring: Keyring): Promise<ProcessorClient> {
    return new ProcessorClient(await connectClient(target, keyring), { ...processor, namespace: target.namespace });
  }

  get taskQueue(): string {
    return this.processor.taskQueue ?? processorTaskQueue(this.processor.validator, this.processor.network);
  }

  private get network(): ExternalNetwork {
    return this.processor.network;
  }

  /**
   * Validates a coordinator message at the boundary (a `MessageValidationError` names the bad
   * field) and hands it to the workflow it concerns. Idempotent: starting uses the message's
   * workflow id with USE_EXISTING, and workflows drop a signal whose intent they have seen.
   */
  async deliver(raw: unknown): Promise<Delivery> {
    const message = assertCoordinatorMessage(raw, { network: this.network });
    switch (message.kind) {
      case 'key_gen.GenerateKey':
        return this.startKeygen(message);
      case 'key_gen.Commitments':
      case 'key_gen.Shares':
      case 'key_gen.VerifyBlame': {
        const workflowId = keygenWorkflowId(this.network, message.id.session, message.id.attempt);
        const action = await this.signalExisting(workflowId, message.kind, (h) => h.signal(keygenMessageSignal, message));
        return { workflowId, action };
      }
      case 'coordinator.SubstratePreprocesses':
      case 'coordinator.SubstrateShares':
      case 'coordinator.BatchReattempt': {
        if (message.id.id.kind !== 'Batch') return unsupported(message);
        const workflowId = batchWorkflowId(this.network, message.id.id.id);
        const action = await this.signalExisting(workflowId, message.kind, (h) => h.signal(batchMessageSignal, message));
        return { workflowId, action };
      }
      case 'sign.Preprocesses':
      case 'sign.Shares':
      case 'sign.Reattempt': {
        const workflowId = planWorkflowId(this.network, message.id.id);
        const action = await this.signalExisting(workflowId, message.kind, (h) => h.signal(planMessageSignal, message));
        return { workflowId, action };
      }
      case 'sign.Completed': {
        // Another validator's completion: news only to a plan still running here; a plan that
        // already completed here (or never started) has nothing to learn from it.
        const workflowId = planWorkflowId(this.network, message.id);
        try {
          await this.client.workflow.getHandle(workflowId).signal(planMessageSignal, message);
          return { workflowId, action: 'signalled' };
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return { workflowId, action: 'ignored' };
          throw err;
        }
      }
      case 'substrate.ConfirmKeyPair': {
        const workflowId = confirmWorkflowId(this.network, message.session);
        const delivery = await this.startOnce(workflowId, () =>
          this.client.workflow.start(confirmKeyPair, {
            taskQueue: this.taskQueue,
            workflowId,
            args: [{ network: this.network, message }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        );
        await this.signalScanner(scannerKeySignal, { session: message.session, activeFrom: Number(message.context.serai_time), networkKey: message.key_pair.network_key });
        return delivery;
      }
      case 'substrate.SubstrateBlock': {
        // The scanner applies Serai blocks in the order they are delivered and ignores re-deliveries.
        const workflowId = await this.signalScanner(scannerSeraiBlockSignal, message);
        return { workflowId, action: 'signalled' };
      }
      default:
        return unsupported(message);
    }
  }

  /**
   * Reports a Batch and signs it (the scanner's job once a notable block is final; exposed for
   * operators and tests). Idempotent per Batch id.
   */
  async startBatch(batch: Batch): Promise<Delivery> {
    const workflowId = batchWorkflowId(this.network, batch.id);
    return this.startOnce(workflowId, () =>
      this.client.workflow.start(signBatch, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [{ network: this.network, batch, settings: this.settings.batch }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    );
  }

  /** Signs, publishes and watches a plan (the Serai-block workflow's job; exposed for operators and tests). */
  async startPlan(plan: Plan): Promise<Delivery> {
    const workflowId = planWorkflowId(this.network, plan.id);
    return this.startOnce(workflowId, () =>
      this.client.workflow.start(signPlan, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [{ network: this.network, plan, settings: this.settings.plan }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    );
  }

  async scannerStatus(): Promise<ScannerStatus> {
    return this.client.workflow.getHandle(scannerWorkflowId(this.network)).query(scannerStatusQuery);
  }

  /** An operator resumes payouts the solvency watch halted; `reason` is recorded in the scanner's status. */
  async resumePayouts(reason: string): Promise<void> {
    if (reason.trim() === '') throw new Error('resumePayouts: name the reason payouts may resume');
    await this.client.workflow.getHandle(scannerWorkflowId(this.network)).signal(scannerResumePayoutsSignal, { reason });
  }

  /** The outcome of a Serai block's effects (plans started, SubstrateBlockAck), once its workflow finished. */
  async seraiBlockOutcome(block: string): Promise<SeraiBlockOutcome> {
    return this.client.workflow.getHandle(seraiBlockWorkflowId(this.network, block)).result();
  }

  /**
   * Signals the network's scanner, starting it on first use. A scanner that ended (halted on a
   * reorg of a final block) is never started afresh: a new one would reuse Batch ids.
   */
  private async signalScanner<T>(signal: SignalDefinition<[T]>, arg: T): Promise<string> {
    const workflowId = scannerWorkflowId(this.network);
    const { scanner: scan, batch, plan } = this.settings;
    const input: ScannerInput = { network: this.network, settings: { ...scan, batch, plan } };
    try {
      await this.client.workflow.signalWithStart(scanner, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [input],
        signal,
        signalArgs: [arg],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new ScannerHaltedError(workflowId);
      throw err;
    }
    return workflowId;
  }

  async planOutcome(planId: string): Promise<PlanOutcome> {
    return this.client.workflow.getHandle(planWorkflowId(this.network, planId)).result();
  }

  async batchOutcome(batchId: number): Promise<BatchSigningOutcome> {
    return this.client.workflow.getHandle(batchWorkflowId(this.network, batchId)).result();
  }

  private async startKeygen(message: Extract<CoordinatorMessage, { kind: 'key_gen.GenerateKey' }>): Promise<Delivery> {
    const { session, attempt } = message.id;
    const workflowId = keygenWorkflowId(this.network, session, attempt);
    const delivery = await this.startOnce(workflowId, () =>
      this.client.workflow.start(keyGeneration, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [{ network: this.network, generateKey: message, settings: this.settings.keygen }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    );
    // A new attempt ends the earlier ones of the session (the coordinator gave up on them).
    for (let earlier = 0; earlier < attempt; earlier++) {
      const id = keygenWorkflowId(this.network, session, earlier);
      await this.client.workflow
        .getHandle(id)
        .signal(keygenEndSignal, { end: 'superseded' })
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        });
    }
    return delivery;
  }

  private async startOnce(workflowId: string, start: () => Promise<{ firstExecutionRunId: string }>): Promise<Delivery> {
    const before = await this.client.workflow
      .getHandle(workflowId)
      .describe()
      .then(() => true)
      .catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      });
    await start();
    return { workflowId, action: before ? 'already-started' : 'started' };
  }

  private async signalExisting(
    workflowId: string,
    kind: string,
    signal: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<void>,
  ): Promise<'signalled' | 'ignored'> {
    const handle = this.client.workflow.getHandle(workflowId);
    try {
      await signal(handle);
      return 'signalled';
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    // A workflow that already ended (its Batch included, its attempt superseded) has nothing to
    // learn from a late round message; only one that never existed is an error.
    const ended = await handle.describe().then(
      () => true,
      (err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      },
    );
    if (ended) return 'ignored';
    throw new UnknownWorkflowError(workflowId, kind);
  }

  /** Runs the health workflow on the processor's own worker. */
  /**
   * Every Batch and plan this processor is still signing, with its attempt and stage; `stuck` is
   * true once a wait went a whole idle period without progress (the signing keeps trying).
   */
  async signings(): Promise<SigningView[]> {
    const views: SigningView[] = [];
    const query = `ExecutionStatus = 'Running' AND (WorkflowType = 'signBatch' OR WorkflowType = 'signPlan')`;
    for await (const execution of this.client.workflow.list({ query })) {
      const handle = this.client.workflow.getHandle(execution.workflowId);
      const status = await (execution.type === 'signBatch' ? handle.query(batchStatusQuery) : handle.query(planStatusQuery)).catch(() => undefined);
      views.push({
        workflowId: execution.workflowId,
        kind: execution.type === 'signBatch' ? 'batch' : 'plan',
        since: execution.startTime.toISOString(),
        attempt: status?.attempt ?? null,
        stage: status?.stage ?? 'unknown (no worker answered)',
        stuck: (status?.idlePeriods ?? 0) > 0,
      });
    }
    return views.sort((a, b) => a.since.localeCompare(b.since));
  }

  async health(): Promise<ProcessorHealth> {
    return this.client.workflow.execute(processorHealth, {
      taskQueue: this.taskQueue,
      workflowId: `health-${this.processor.network}-${Date.now()}`,
      workflowExecutionTimeout: '1 minute',
    });
  }
}

function unsupported(message: CoordinatorMessage): never {
  throw new UnsupportedMessageError(message.kind);
}

export class ScannerHaltedError extends Error {
  override readonly name = 'ScannerHaltedError';
  constructor(readonly workflowId: string) {
    super(`${workflowId} has ended (halted?): an operator must look at it before Serai messages can be applied`);
  }
}

export class UnsupportedMessageError extends Error {
  override readonly name = 'UnsupportedMessageError';
  constructor(readonly kind: string) {
    super(`${kind}: this processor does not handle it yet`);
  }
}

async function cli(argv: string[]): Promise<void> {
  const program = new Command('client')
    .description('Drive a validator\'s processor through Temporal')
    .option('--address <host:port>', 'Temporal frontend', process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233')
    .option('--namespace <ns>', 'Temporal namespace', process.env.TEMPORAL_NAMESPACE ?? 'default')
    .requiredOption('--validator <name>', 'validator name', process.env.VALIDATOR_NAME)
    .option('--network <network>', `one of ${NETWORKS.join(', ')}`, process.env.NETWORK ?? 'bitcoin');
  const connect = async () => {
    const opts = program.opts<{ address: string; namespace: string; validator: string; network: string }>();
    if (!(NETWORKS as readonly string[]).includes(opts.network)) throw new Error(`--network must be one of ${NETWORKS.join(', ')}`);
    return ProcessorClient.connect({ address: opts.address, namespace: opts.namespace }, { validator: opts.validator, network: opts.network as NetworkName }, loadCodecKeyring());
  };
  const printing = (answer: (pc: ProcessorClient) => Promise<unknown>) => async () => {
    const pc = await connect();
    try {
      console.log(JSON.stringify(await answer(pc), null, 2));
    } finally {
      await pc.client.connection.close();
    }
  };
  program
    .command('health')
    .description('run the health workflow on the processor\'s worker and print its answer as JSON')
    .action(printing((pc) => pc.health()));
  program
    .command('scanner')
    .description('the scanner\'s status: activation block, next height, Batches awaiting Serai, the last Serai block applied')
    .action(printing((pc) => pc.scannerStatus()));
  program
    .command('serai-block <number>')
    .description('what the processor made of a Serai block: its plans, burns it cannot pay and refunds it did not pay, each with its reason (waits for the block\'s workflow to finish)')
    .action((block: string) => {
      if (!/^(0|[1-9][0-9]*)$/.test(block)) throw new Error(`serai-block: expected a block number, got ${JSON.stringify(block)}`);
      return printing((pc) => pc.seraiBlockOutcome(block))();
    });
  program
    .command('signing')
    .description('every Batch and plan still signing, with attempt and stage; stuck ones keep trying and are marked')
    .action(printing((pc) => pc.signings()));
  program
    .command('resume-payouts')
    .description('resume payouts the solvency watch halted (an operator who checked the books); the reason is recorded')
    .requiredOption('--reason <text>', 'why payouts may resume')
    .action((options: { reason: string }) => printing(async (pc) => (await pc.resumePayouts(options.reason), { resumed: true, reason: options.reason }))());
  await program.parseAsync(argv);
}

if (require.main === module) {
  cli(process.argv).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
