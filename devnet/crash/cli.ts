/**
 * npm run crash-sweep -- [--validator bob] [--from 1] [--to N] [--k 3,17] [--sample 5 --seed 42]
 *                        [--out results.jsonl [--resume]] [--calibration file] [--calibrate-only] [--work-dir dir]
 * Kills the validator's worker right after its k-th activity, for each selected k, in a fresh devnet
 * scenario each, and prints `k=<k> <activity type> <workflow id> -> ok | FAIL <reason>` per k and a tally.
 * Exit 0 when no run failed, 1 otherwise.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { VALIDATOR_NAMES } from './run';
import { runSweep } from './sweep';

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${value}`);
  return n;
}

function list(value: string): number[] {
  return value.split(',').map((v) => positive(v.trim()));
}

interface CliOptions {
  validator: string;
  from?: number;
  to?: number;
  k?: number[];
  sample?: number;
  seed?: number;
  out?: string;
  resume: boolean;
  calibration?: string;
  calibrateOnly: boolean;
  workDir?: string;
  restartDelay: number;
  timeout: number;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('crash-sweep')
    .description("Crash at every step: SIGKILL a validator's worker right after its k-th activity, for every k of the scenario, and check that every run still ends with every Batch signed once and the burn paid exactly once")
    .option('--validator <name>', `the validator to kill (${VALIDATOR_NAMES.join(', ')})`, 'bob')
    .option('--from <k>', 'first k', positive)
    .option('--to <k>', 'last k (default N, from the calibration)', positive)
    .option('--k <list>', 'exactly these k, comma-separated', list)
    .option('--sample <n>', 'a seeded sample of n k, spread over key generation, Batch signing, payout, ...', positive)
    .option('--seed <seed>', 'the sample seed (default: random, printed)', (v) => Number.parseInt(v, 10))
    .option('--out <file>', 'append every result as a JSON line (the calibration first)')
    .option('--resume', 'with --out: reuse its calibration and skip every k it already has', false)
    .option('--calibration <file>', 'reuse the calibration in this file (a previous --out, or test/e2e/crash/calibration-bob.jsonl)')
    .option('--calibrate-only', 'stop after the calibration run', false)
    .option('--work-dir <dir>', 'data dirs and logs of the runs (kept for failed runs)')
    .option('--restart-delay <ms>', 'how long the killed worker stays down', positive, 3000)
    .option('--timeout <ms>', "each run's scenario must end within this", positive, 420_000);
  program.parse(argv);
  const opts = program.opts<CliOptions>();
  if (!VALIDATOR_NAMES.includes(opts.validator)) throw new Error(`--validator: one of ${VALIDATOR_NAMES.join(', ')}`);
  if (opts.resume && !opts.out) throw new Error('--resume needs --out');
  const workDir = resolve(opts.workDir ?? join(tmpdir(), `crash-sweep-${process.pid}`));
  console.log(`crash sweep: validator ${opts.validator}; runs under ${workDir}${opts.out ? `; results in ${resolve(opts.out)}` : ''}`);
  const result = await runSweep({
    validator: opts.validator,
    ...(opts.from !== undefined ? { from: opts.from } : {}),
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    ...(opts.k ? { ks: opts.k } : {}),
    ...(opts.sample !== undefined ? { sample: opts.sample } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.out ? { outFile: resolve(opts.out) } : {}),
    resume: opts.resume,
    ...(opts.calibration ? { calibrationFile: resolve(opts.calibration) } : {}),
    calibrateOnly: opts.calibrateOnly,
    workDir,
    restartDelayMs: opts.restartDelay,
    runTimeoutMs: opts.timeout,
  });
  process.exit(result.tally.fail > 0 ? 1 : 0);
}

main(process.argv).catch((err: unknown) => {
  console.error(`crash sweep failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
