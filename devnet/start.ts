import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { ProcessorClient } from '../client';
import { AesGcmPayloadCodec } from '../temporal/codec';
import { startCodecServer } from '../temporal/codec-server';
import { startTemporalServer } from './temporal-server';
import { startBtcd } from './nodes/btcd';
import { startAnvil } from './nodes/anvil';
import { repoRoot } from './nodes/tools';
import { preferredOrFreePort } from './preferred-port';
import { ensureCodecKeysFile } from './secrets';
import { spawnValidatorWorker } from './validators';

const step = (msg: string) => console.log(`[devnet] ${msg}`);

interface StartOptions {
  dataDir: string;
  temporalPort: number;
  uiPort: number;
  codecPort: number;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('devnet')
    .description('Run the local devnet: Temporal dev server + UI, codec server, btcd regtest, anvil and a processor worker')
    .option('--data-dir <dir>', 'where state persists between runs', join(repoRoot, '.data', 'devnet'))
    .option('--temporal-port <port>', 'Temporal gRPC port (a free one if taken)', parsePort, 7233)
    .option('--ui-port <port>', 'Temporal UI port (a free one if taken)', parsePort, 8233)
    .option('--codec-port <port>', 'codec server port (a free one if taken)', parsePort, 8888);
  program.parse(argv);
  const opts = program.opts<StartOptions>();
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });

  const stops: Array<[string, () => Promise<unknown>]> = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    step('stopping ...');
    for (const [name, stop] of stops.reverse()) {
      try {
        await stop();
        step(`stopped ${name}`);
      } catch (err) {
        console.error(`[devnet] stopping ${name} failed: ${(err as Error).message}`);
      }
    }
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  try {
    const { path: codecKeysFile, keyring } = ensureCodecKeysFile(dataDir);
    const uiOrigins = (port: number) => [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
    // The UI port is only known once the server is up; allow the requested one and patch after.
    const allowedOrigins = uiOrigins(opts.uiPort);
    const codecServer = await startCodecServer({ codec: new AesGcmPayloadCodec(keyring), port: await preferredOrFreePort(opts.codecPort), allowedOrigins });
    stops.push(['codec server', () => codecServer.close()]);
    step(`codec server on ${codecServer.url}`);

    step('starting Temporal dev server (SQLite under the data dir) ...');
    const temporal = await startTemporalServer({
      dataDir,
      port: opts.temporalPort,
      uiPort: opts.uiPort,
      codecEndpoint: codecServer.url,
      namespaces: ['validator-alice'],
    });
    stops.push(['Temporal dev server', () => temporal.stop()]);
    allowedOrigins.push(...uiOrigins(Number(new URL(temporal.uiUrl).port)));
    step(`Temporal at ${temporal.address}; UI: ${temporal.uiUrl}`);

    step('starting btcd (regtest) ...');
    const btcd = await startBtcd({ dataDir: join(dataDir, 'btcd') });
    stops.push(['btcd', () => btcd.stop()]);
    step(`btcd RPC ${btcd.rpc.url}, height ${await btcd.rpc.getBlockCount()}`);

    step('starting anvil ...');
    const anvil = await startAnvil({});
    stops.push(['anvil', () => anvil.stop()]);
    step(`anvil RPC ${anvil.rpcUrl}`);

    const worker = spawnValidatorWorker({
      spec: { name: 'alice', network: 'bitcoin', namespace: 'validator-alice' },
      temporalAddress: temporal.address,
      codecKeysFile,
      dataDir,
      chains: { bitcoinRpc: btcd.rpcCredentials },
    });
    stops.push(['processor worker alice', () => worker.stop()]);
    step(`processor worker alice (bitcoin) starting, log ${worker.logPath}`);
    const client = await ProcessorClient.connect({ address: temporal.address, namespace: 'validator-alice' }, { validator: 'alice', network: 'bitcoin' }, keyring);
    stops.push(['client', () => client.client.connection.close()]);
    const health = await client.health();
    step(`processor worker alice answered: keystore schema v${health.keystore.schemaVersion}, btcd height ${health.chain.height}`);

    step(`ready. Temporal UI: ${temporal.uiUrl}/namespaces/validator-alice/workflows  (Ctrl-C to stop)`);
    void worker.exited.then((status) => {
      if (!stopping) {
        console.error(`[devnet] processor worker exited (${JSON.stringify(status)}); see ${worker.logPath}`);
        void stopAll(1);
      }
    });
  } catch (err) {
    console.error(`[devnet] failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll(1);
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`not a TCP port (0 = any free port): ${value}`);
  return port;
}

void main(process.argv);
