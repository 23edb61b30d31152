import { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { NETWORKS, processorTaskQueue, type NetworkName } from './config/worker-config';
import { connectClient, type TemporalTarget } from './temporal/connection';
import { loadCodecKeyring, type Keyring } from './temporal/keyring';
import { processorHealth, type ProcessorHealth } from './workflows/health';

/** Where one validator's processor for one network listens. */
export interface ProcessorAddress {
  validator: string;
  network: NetworkName;
  namespace: string;
  taskQueue?: string;
}

/** The typed API a coordinator (and an operator) uses to drive one validator's processor. */
export class ProcessorClient {
  constructor(
    readonly client: Client,
    readonly processor: ProcessorAddress,
  ) {}

  static async connect(target: TemporalTarget, processor: Omit<ProcessorAddress, 'namespace'>, keyring: Keyring): Promise<ProcessorClient> {
    return new ProcessorClient(await connectClient(target, keyring), { ...processor, namespace: target.namespace });
  }

  get taskQueue(): string {
    return this.processor.taskQueue ?? processorTaskQueue(this.processor.validator, this.processor.network);
  }

  /** Runs the health workflow on the processor's own worker. */
  async health(): Promise<ProcessorHealth> {
    return this.client.workflow.execute(processorHealth, {
      taskQueue: this.taskQueue,
      workflowId: `health-${this.processor.network}-${Date.now()}`,
      workflowExecutionTimeout: '1 minute',
    });
  }
}

async function cli(argv: string[]): Promise<void> {
  const program = new Command('client')
    .description('Drive a validator\'s processor through Temporal')
    .option('--address <host:port>', 'Temporal frontend', process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233')
    .option('--namespace <ns>', 'Temporal namespace', process.env.TEMPORAL_NAMESPACE ?? 'default')
    .requiredOption('--validator <name>', 'validator name', process.env.VALIDATOR_NAME)
    .option('--network <network>', `one of ${NETWORKS.join(', ')}`, process.env.NETWORK ?? 'bitcoin');
  program
    .command('health')
    .description('run the health workflow on the processor\'s worker and print its answer as JSON')
    .action(async () => {
      const opts = program.opts<{ address: string; namespace: string; validator: string; network: string }>();
      if (!(NETWORKS as readonly string[]).includes(opts.network)) throw new Error(`--network must be one of ${NETWORKS.join(', ')}`);
      const pc = await ProcessorClient.connect({ address: opts.address, namespace: opts.namespace }, { validator: opts.validator, network: opts.network as NetworkName }, loadCodecKeyring());
      try {
        console.log(JSON.stringify(await pc.health(), null, 2));
      } finally {
        await pc.client.connection.close();
      }
    });
  await program.parseAsync(argv);
}

if (require.main === module) {
  cli(process.argv).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
