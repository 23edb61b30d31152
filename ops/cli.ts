/**
 * `npm run ops -- status`: every validator's processors at a glance (ops/status.ts), as a table or
 * `--json`. The payload keys come from CODEC_KEYS or CODEC_KEYS_FILE, as for the worker.
 */
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { Command } from 'commander';
import { DEFAULT_PROCESSOR_SETTINGS, ProcessorClient } from '../client';
import { NETWORKS, VALIDATOR_NAME, type NetworkName } from '../config/worker-config';
import { createDataConverter } from '../temporal/data-converter';
import { loadCodecKeyring } from '../temporal/keyring';
import { chainView, type ChainViewEndpoints } from './chain-view';
import { formatStatus, statusRow } from './status';

interface StatusOptions {
  address: string;
  validators: string;
  networks: string;
  namespace: string;
  json: boolean;
  bitcoinRpcUrl?: string;
  bitcoinRpcUser?: string;
  bitcoinRpcPasswordFile?: string;
  ethereumRpcUrl?: string;
}

function chainEndpoints(opts: StatusOptions): ChainViewEndpoints {
  const endpoints: ChainViewEndpoints = {};
  if (opts.bitcoinRpcUrl) {
    if (!opts.bitcoinRpcUser || !opts.bitcoinRpcPasswordFile) throw new Error('--bitcoin-rpc-url needs --bitcoin-rpc-user and --bitcoin-rpc-password-file');
    endpoints.bitcoinRpc = { url: opts.bitcoinRpcUrl, username: opts.bitcoinRpcUser, password: readFileSync(opts.bitcoinRpcPasswordFile, 'utf8').replace(/\r?\n$/, '') };
  }
  if (opts.ethereumRpcUrl) endpoints.ethereumRpcUrl = opts.ethereumRpcUrl;
  return endpoints;
}

async function status(opts: StatusOptions): Promise<void> {
  const validators = opts.validators.split(',').map((v) => v.trim());
  for (const name of validators) if (!VALIDATOR_NAME.test(name)) throw new Error(`--validators: ${JSON.stringify(name)} is not a validator name`);
  const networks = opts.networks.split(',').map((n) => n.trim());
  for (const network of networks) if (!(NETWORKS as readonly string[]).includes(network)) throw new Error(`--networks: ${network} is not one of ${NETWORKS.join(', ')}`);
  if (!opts.namespace.includes('{validator}')) throw new Error('--namespace must contain {validator}');
  const chains = chainEndpoints(opts);
  const dataConverter = createDataConverter(loadCodecKeyring());
  const connection = await Connection.connect({ address: opts.address });
  try {
    const rows = await Promise.all(
      validators.flatMap((validator) =>
        (networks as NetworkName[]).map((network) => {
          const namespace = opts.namespace.replace('{validator}', validator);
          const processor = new ProcessorClient(new Client({ connection, namespace, dataConverter }), { validator, network, namespace }, DEFAULT_PROCESSOR_SETTINGS);
          return statusRow(validator, network, processor, chainView(network, chains));
        }),
      ),
    );
    console.log(opts.json ? JSON.stringify(rows, null, 2) : formatStatus(rows));
  } finally {
    await connection.close();
  }
}

const program = new Command('ops').description("An operator's view of the validators' processors through Temporal");
program
  .command('status')
  .description('per validator and network: key and rotation, scanner height and lag, Batches pending, signings in flight and stuck, outputs and queued payments, balance, solvency')
  .requiredOption('--validators <names>', 'comma-separated validator names', process.env.VALIDATORS)
  .option('--networks <names>', `comma-separated, of ${NETWORKS.join(', ')}`, NETWORKS.join(','))
  .option('--address <host:port>', 'Temporal frontend', process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233')
  .option('--namespace <template>', "each validator's namespace", 'validator-{validator}')
  .option('--bitcoin-rpc-url <url>', 'a Bitcoin node, for the tip (lag)')
  .option('--bitcoin-rpc-user <user>', "the node's RPC user")
  .option('--bitcoin-rpc-password-file <file>', "a file holding the node's RPC password")
  .option('--ethereum-rpc-url <url>', "an Ethereum node, for the tip (lag) and the Routers' balances")
  .option('--json', 'the rows as JSON', false)
  .action((opts: StatusOptions) => status(opts));

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`ops: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
