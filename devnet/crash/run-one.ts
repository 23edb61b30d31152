/**
 * One crash run in its own process (the sweep starts one per k, so runs share nothing):
 *   tsx devnet/crash/run-one.ts --validator bob --data-dir <dir> [--k 7] [--restart-delay 3000] [--timeout 420000] [--keep]
 * Progress goes to stderr; the CrashRunResult is the last line of stdout (JSON). Exit 0 whatever the outcome
 * (the result says it), 2 on a usage error. SIGTERM/SIGINT stop the devnet before exiting.
 */
import { Command } from 'commander';
import { runCrashRun } from './run';

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${value}`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('crash-run')
    .requiredOption('--validator <name>', 'the validator whose worker is killed')
    .requiredOption('--data-dir <dir>', 'a fresh data dir (wiped first)')
    .option('--k <k>', 'kill after its k-th activity (none: the calibration run)', positive)
    .option('--restart-delay <ms>', 'how long the worker stays down', positive, 3000)
    .option('--timeout <ms>', 'the scenario must end within this', positive, 420_000)
    .option('--keep', 'keep the data dir even when the run is ok', false);
  program.parse(argv);
  const opts = program.opts<{ validator: string; dataDir: string; k?: number; restartDelay: number; timeout: number; keep: boolean }>();
  const started = Date.now();
  const log = (line: string) => console.error(`[crash ${opts.validator}${opts.k !== undefined ? ` k=${opts.k}` : ' calibration'} +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
  const result = await runCrashRun({
    dataDir: opts.dataDir,
    validator: opts.validator,
    ...(opts.k !== undefined ? { k: opts.k } : {}),
    restartDelayMs: opts.restartDelay,
    timeoutMs: opts.timeout,
    keepData: opts.keep,
    log,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

// A signal ends the process through 'exit', whose hook (nodes/process.ts) kills every child it started.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(143));

main(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
});
