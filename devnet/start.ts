import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startControlServer } from './control';
import { Devnet } from './devnet';
import { repoRoot } from '../nodes/tools';
import { killDuringPayout } from './payout-chaos';
import { runEthereumRotationScenario } from './ethereum-rotation-scenario';
import { runRotationScenario } from './rotation-scenario';
import { runScenario, SCENARIO_AMOUNTS } from './scenario';
import type { ValidatorSpec } from './validator-set';

const step = (msg: string) => console.error(`[devnet] ${msg}`);

interface StartOptions {
  dataDir: string;
  temporalPort: number;
  uiPort: number;
  codecPort: number;
  validators: number;
  threshold: number;
  offline: string[];
  scenario: boolean;
  rotate: boolean;
  killAtStageChanges: boolean;
  blockInterval: number;
  ethereumBlockTime: number;
  networks: string[];
  fresh: boolean;
  metrics: boolean;
  workersPerValidator: number;
  temporal: string;
  killDuringPayout: boolean;
}

const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];

async function main(argv: string[]): Promise<void> {
  // stdout carries the scenario's JSON summary only: the SDK's logs, its native ones included, go to stderr.
  Runtime.install({ logger: new DefaultLogger('INFO'), telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } } });
  const program = new Command('devnet')
    .description('Run the local devnet: Temporal dev server + UI, codec server, btcd regtest with a miner, anvil with the Deployer and a DAI, the coordinator with the Serai chain simulator, and N validators with a processor per network; then key generation')
    .option('--data-dir <dir>', 'where state persists between runs', join(repoRoot, '.data', 'devnet'))
    .option('--temporal-port <port>', 'Temporal gRPC port (a free one if taken)', parsePort, 7233)
    .option('--ui-port <port>', 'Temporal UI port (a free one if taken)', parsePort, 8233)
    .option('--codec-port <port>', 'codec server port (a free one if taken)', parsePort, 8888)
    .option('--validators <n>', 'validators, one key share each', parseCount, 4)
    .option('--threshold <t>', 'key shares needed to sign', parseCount, 3)
    .option('--offline <names...>', 'validators whose worker never starts', [])
    .option('--block-interval <ms>', 'btcd mines a block this often', parseCount, 1000)
    .option('--ethereum-block-time <s>', 'anvil mines a block this often (seconds)', parseCount, 1)
    .option('--networks <names...>', 'the networks the validators serve: bitcoin, and ethereum', ['bitcoin', 'ethereum'])
    .option('--scenario', 'run deposit -> Batch -> mint -> burn -> payout, print a JSON summary on stdout and exit', false)
    .option('--rotate', "with --scenario: instead, each network's rotation to the same validators' next key, side by side (deposits in every stage, burns before and after the handover, the old key's retirement; Ethereum's Router handed over by updateSeraiKey)", false)
    .option('--kill-at-stage-changes', 'with --scenario --rotate: SIGKILL a validator\'s worker as the rotation enters each stage, and start it again', false)
    .option('--kill-during-payout', 'with --scenario --temporal cluster --workers-per-validator 2: SIGKILL the first validator\'s worker holding its payout plan and the Temporal history service while the plan signs, then start the history service again', false)
    .option('--fresh', 'start from an empty data dir (btcd restarts from genesis anyway)', false)
    .option('--temporal <kind>', 'the Temporal server: dev (the CLI\'s dev server on SQLite, with the UI) or cluster (the server built from go.temporal.io/server on PostgreSQL, its four services as processes of their own)', 'dev')
    .option('--workers-per-validator <n>', 'worker processes per validator and network, on the same task queues and keystore (a validator that scales out)', parseCount, 1)
    .option('--no-metrics', "don't serve Prometheus metrics from each worker (by default each serves them on a free loopback port, printed at start)");
  program.parse(argv);
  const opts = program.opts<StartOptions>();
  if (opts.threshold > opts.validators) throw new Error(`--threshold ${opts.threshold} is more than --validators ${opts.validators}`);
  if (opts.validators > NAMES.length) throw new Error(`--validators: at most ${NAMES.length}`);
  const networks = opts.networks.flatMap((n) => n.split(','));
  for (const network of networks) if (network !== 'bitcoin' && network !== 'ethereum') throw new Error(`--networks: ${network} is not bitcoin or ethereum`);
  if (!networks.includes('bitcoin')) throw new Error('--networks: the devnet always runs bitcoin');
  if (opts.killAtStageChanges && !opts.rotate) throw new Error('--kill-at-stage-changes is for the rotation scenario: give --scenario --rotate too');
  if (opts.temporal !== 'dev' && opts.temporal !== 'cluster') throw new Error(`--temporal: ${opts.temporal} is not dev or cluster`);
  if (opts.killDuringPayout && (!opts.scenario || opts.rotate || opts.temporal !== 'cluster' || opts.workersPerValidator < 2)) {
    throw new Error('--kill-during-payout is for the payout scenario on the cluster: give --scenario --temporal cluster --workers-per-validator 2 (and not --rotate)');
  }
  if (opts.rotate && !opts.scenario) throw new Error('--rotate runs a scenario: give --scenario too (or rotate a running devnet with npm run devnet -- rotate)');
  const validators: ValidatorSpec[] = NAMES.slice(0, opts.validators).map((name) => ({ name, weight: 1, offline: opts.offline.includes(name) }));
  for (const name of opts.offline) if (!validators.some((v) => v.name === name)) throw new Error(`--offline ${name}: no such validator (${validators.map((v) => v.name).join(', ')})`);

  const dataDir = resolve(opts.dataDir);
  // Temporal's history would outlive btcd's chain (btcd wipes regtest at start), so each run starts clean.
  if (opts.fresh || opts.scenario) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });

  let devnet: Devnet | undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    step('stopping ...');
    await devnet?.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  try {
    devnet = await Devnet.start({
      dataDir,
      validators,
      t: opts.threshold,
      ports: { temporal: opts.temporalPort, ui: opts.uiPort, codec: opts.codecPort },
      blockIntervalMs: opts.blockInterval,
      ethereumBlockTimeSeconds: opts.ethereumBlockTime,
      networks: networks as ('bitcoin' | 'ethereum')[],
      metrics: opts.metrics,
      workersPerValidator: opts.workersPerValidator,
      temporal: opts.temporal as 'dev' | 'cluster',
      log: step,
    });
    if (devnet.temporal.uiUrl) step(`Temporal UI: ${devnet.temporal.uiUrl}/namespaces/coordinator/workflows (each validator: /namespaces/validator-<name>/workflows)`);
    await devnet.generateKeys();
    if (opts.scenario) {
      const chaos = opts.killDuringPayout ? killDuringPayout(devnet, step) : undefined;
      const scenario = opts.rotate
        ? await runRotations(devnet, step, opts.killAtStageChanges)
        : await runScenario(devnet, { ...SCENARIO_AMOUNTS, ...(chaos ? { payoutFaults: chaos } : {}) }, step);
      const finishedBy = await chaos?.planFinishedBy();
      const summary = chaos
        ? { ...scenario, payoutKills: chaos.kills, payoutPlanFinishedBy: finishedBy, ok: scenario.ok && chaos.kills.length === 2 && finishedBy?.worker !== chaos.kills[0]?.what }
        : scenario;
      console.log(JSON.stringify(summary, null, 2));
      step(summary.ok ? 'scenario passed' : 'scenario FAILED its checks');
      await stopAll(summary.ok ? 0 : 1);
      return;
    }
    const control = await startControlServer(devnet, dataDir);
    step(`ready. Deposit address ${devnet.depositAddress()}${devnet.ethereum ? `; Router ${devnet.routerAddress()}` : ''}`);
    step(`try: npm run devnet -- deposit 0.5 --to <64-hex Serai account>, then: npm run devnet -- burn 0.2 --from <account> --to <bcrt1 address>; npm run devnet -- status`);
    if (devnet.ethereum) step(`and: npm run devnet -- deposit 1.5 --coin eth --to <account>, then: npm run devnet -- burn 0.5 --coin eth --from <account> --to <0x address> (--coin dai likewise)`);
    for (const { validator, network, worker, url } of devnet.metricsEndpoints()) step(`metrics ${validator} ${network}${worker > 0 ? ` worker ${worker + 1}` : ''} ${url}`);
    step(`control endpoint ${control.url} (details in ${control.file}); Ctrl-C to stop`);
  } catch (err) {
    console.error(`[devnet] failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll(1);
  }
}

/** Every network's rotation at once (each SIGKILLs only its own network's workers); ok when each is. */
async function runRotations(devnet: Devnet, step: (line: string) => void, killAtStageChanges: boolean) {
  const [bitcoin, ethereum] = await Promise.all([
    runRotationScenario(devnet, (line) => step(`bitcoin: ${line}`), { killAtStageChanges }),
    devnet.ethereum ? runEthereumRotationScenario(devnet, step, { killAtStageChanges }) : undefined,
  ]);
  return { ok: bitcoin.ok && (ethereum?.ok ?? true), bitcoin, ...(ethereum ? { ethereum } : {}) };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`not a TCP port (0 = any free port): ${value}`);
  return port;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${value}`);
  return n;
}

void main(process.argv);
