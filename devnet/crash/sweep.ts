/**
 * Crash at every step: a calibration run of the scenario counts the activities one validator
 * completes (N), then each selected k in 1..N gets a fresh devnet in its own process
 * (devnet/crash/run-one.ts) whose validator is SIGKILLed right after its k-th activity and
 * restarted, and the run is judged (devnet/crash/run.ts). One line per k as it finishes, a tally at
 * the end; every result is appended to a JSON-lines file, so a sweep can be resumed.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../nodes/tools';
import { phaseOf, type ActivityRef, type CrashRunResult, type Phase } from './run';

export interface SweepOptions {
  validator: string;
  /** First and last k (default 1..N). */
  from?: number;
  to?: number;
  /** Exactly these k (instead of a range or sample). */
  ks?: number[];
  /** Run a seeded sample of this many k, spread over the scenario's phases. */
  sample?: number;
  seed?: number;
  /** A calibration to reuse (a results file or a calibration file) instead of a calibration run. */
  calibrationFile?: string;
  /** Results, one JSON line each (the calibration first); with `resume`, k already there are skipped. */
  outFile?: string;
  resume?: boolean;
  /** Data dirs and per-run logs go under it. */
  workDir: string;
  restartDelayMs?: number;
  runTimeoutMs?: number;
  /** Stop after the calibration. */
  calibrateOnly?: boolean;
  print?: (line: string) => void;
}

export interface Calibration {
  type: 'calibration';
  validator: string;
  /** Counted activities of the validator in one scenario. */
  n: number;
  journal: ActivityRef[];
  at: string;
  totalMs?: number;
}

export interface SweepRecord {
  type: 'run';
  k: number;
  result: CrashRunResult;
  /** What the calibration had at k (the run may differ: activities interleave by timing). */
  calibrated?: ActivityRef;
}

export interface SweepResult {
  calibration: Calibration;
  ks: number[];
  records: SweepRecord[];
  tally: { ok: number; fail: number; notReached: number };
}

/** mulberry32: a small seeded PRNG, so `--seed` picks the same sample everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PHASE_ORDER: Phase[] = ['keygen', 'batch', 'plan', 'substrate', 'confirm', 'scanner', 'other'];

/**
 * `size` k from `candidates`, spread over the phases: one from key generation, one from Batch
 * signing, one from the payout plan, then the Serai-block, key-confirmation and scanner activities,
 * round and round; uniformly within a phase. Sorted.
 */
export function stratifiedSample(calibration: Calibration, candidates: number[], size: number, seed: number): number[] {
  const random = seededRandom(seed);
  const byPhase = new Map<Phase, number[]>();
  for (const k of candidates) {
    const entry = calibration.journal[k - 1];
    const phase = entry ? phaseOf(entry.workflowId) : 'other';
    byPhase.set(phase, [...(byPhase.get(phase) ?? []), k]);
  }
  const chosen: number[] = [];
  while (chosen.length < Math.min(size, candidates.length)) {
    for (const phase of PHASE_ORDER) {
      const pool = byPhase.get(phase);
      if (!pool || pool.length === 0 || chosen.length >= size) continue;
      chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
    }
  }
  return chosen.sort((a, b) => a - b);
}

function readRecords(path: string): Array<Calibration | SweepRecord> {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Calibration | SweepRecord);
}

/** The calibration in a results or calibration file (the last one for this validator). */
export function loadCalibration(path: string, validator: string): Calibration | undefined {
  return readRecords(path)
    .filter((r): r is Calibration => r.type === 'calibration' && r.validator === validator)
    .pop();
}

/** Runs devnet/crash/run-one.ts in its own process group; a run that overstays `hardLimitMs` is killed with its devnet. */
export async function spawnCrashRun(args: { validator: string; k?: number; dataDir: string; logPath: string; restartDelayMs: number; runTimeoutMs: number }): Promise<CrashRunResult> {
  const argv = ['--import', 'tsx', join(repoRoot, 'devnet/crash/run-one.ts'), '--validator', args.validator, '--data-dir', args.dataDir];
  if (args.k !== undefined) argv.push('--k', String(args.k));
  argv.push('--restart-delay', String(args.restartDelayMs), '--timeout', String(args.runTimeoutMs));
  const logFd = openSync(args.logPath, 'a');
  const child = spawn(process.execPath, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', logFd], detached: true });
  closeSync(logFd);
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  const hardLimitMs = args.runTimeoutMs + 180_000;
  let killedForTime = false;
  const timer = setTimeout(() => {
    killedForTime = true;
    // The whole group: the run and the devnet it started (Temporal, btcd, anvil, workers).
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, hardLimitMs);
  const status = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  clearTimeout(timer);
  const last = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as CrashRunResult;
  } catch {
    const why = killedForTime ? `killed after ${hardLimitMs / 1000} s` : `exited with ${status.signal ?? `code ${String(status.code)}`} and no result`;
    return {
      validator: args.validator,
      k: args.k ?? null,
      outcome: 'fail',
      reasons: [`the run ${why} (log ${args.logPath})`],
      activities: { inScenario: 0, firstProcess: 0, afterRestart: 0 },
      failedAttempts: 0,
      timings: { startMs: 0, scenarioMs: 0, totalMs: 0 },
      dataDir: args.dataDir,
    };
  }
}

/** `k=12 thresholdPreprocess batch-bitcoin-0 -> ok (71 s)`. */
export function formatRecord(record: SweepRecord): string {
  const { result } = record;
  const activity = result.killed ?? record.calibrated;
  const name = activity ? `${activity.activityType} ${activity.workflowId}` : '? ?';
  const verdict =
    result.outcome === 'ok' ? 'ok' : result.outcome === 'not-reached' ? `not reached (${result.reasons.join('; ')})` : `FAIL ${result.reasons.join('; ')}`;
  return `k=${record.k} ${name} -> ${verdict} (${Math.round(result.timings.totalMs / 1000)} s)`;
}

export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const restartDelayMs = options.restartDelayMs ?? 3000;
  const runTimeoutMs = options.runTimeoutMs ?? 420_000;
  mkdirSync(options.workDir, { recursive: true });
  const previous = options.outFile && options.resume ? readRecords(options.outFile) : [];
  const record = (line: Calibration | SweepRecord) => {
    if (options.outFile) appendFileSync(options.outFile, `${JSON.stringify(line)}\n`);
  };

  let calibration = options.calibrationFile ? loadCalibration(options.calibrationFile, options.validator) : undefined;
  if (options.calibrationFile && !calibration) throw new Error(`no calibration for ${options.validator} in ${options.calibrationFile}`);
  calibration ??= previous.filter((r): r is Calibration => r.type === 'calibration' && r.validator === options.validator).pop();
  if (calibration) {
    print(`calibration (reused): ${options.validator} completes N=${calibration.n} activities in the scenario`);
  } else {
    print(`calibration: the scenario without a crash, counting ${options.validator}'s activities ...`);
    const dataDir = join(options.workDir, 'calibration');
    const result = await spawnCrashRun({ validator: options.validator, dataDir, logPath: join(options.workDir, 'calibration.log'), restartDelayMs, runTimeoutMs });
    if (result.outcome !== 'ok' || !result.journal) throw new Error(`the calibration run failed: ${result.reasons.join('; ')} (log ${join(options.workDir, 'calibration.log')})`);
    const n = result.activities.inScenario;
    calibration = { type: 'calibration', validator: options.validator, n, journal: result.journal.slice(0, n), at: new Date().toISOString(), totalMs: result.timings.totalMs };
    record(calibration);
    print(`calibration: ${options.validator} completes N=${n} activities in the scenario (${Math.round(result.timings.totalMs / 1000)} s)`);
  }
  const phases = new Map<Phase, number>();
  for (const entry of calibration.journal) phases.set(phaseOf(entry.workflowId), (phases.get(phaseOf(entry.workflowId)) ?? 0) + 1);
  print(`  by phase: ${[...phases].map(([phase, count]) => `${phase} ${count}`).join(', ')}`);

  const from = options.from ?? 1;
  const to = options.to ?? calibration.n;
  const range = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
  let ks: number[];
  if (options.ks) ks = [...options.ks].sort((a, b) => a - b);
  else if (options.sample !== undefined) {
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    ks = stratifiedSample(calibration, range, options.sample, seed);
    print(`sample of ${ks.length} (seed ${seed}) from k=${from}..${to}: ${ks.join(', ')}`);
  } else ks = range;
  const records: SweepRecord[] = [];
  if (options.calibrateOnly) return { calibration, ks, records, tally: { ok: 0, fail: 0, notReached: 0 } };

  for (const k of ks) {
    const old = previous.find((r): r is SweepRecord => r.type === 'run' && r.k === k && r.result.validator === options.validator);
    if (old) {
      records.push(old);
      print(`${formatRecord(old)} [from ${options.outFile}]`);
      continue;
    }
    const dataDir = join(options.workDir, `k-${k}`);
    const result = await spawnCrashRun({ validator: options.validator, k, dataDir, logPath: join(options.workDir, `k-${k}.log`), restartDelayMs, runTimeoutMs });
    if (result.outcome === 'ok') rmSync(join(options.workDir, `k-${k}.log`), { force: true });
    const calibrated = calibration.journal[k - 1];
    const line: SweepRecord = { type: 'run', k, result, ...(calibrated ? { calibrated } : {}) };
    records.push(line);
    record(line);
    print(formatRecord(line));
  }
  const tally = {
    ok: records.filter((r) => r.result.outcome === 'ok').length,
    fail: records.filter((r) => r.result.outcome === 'fail').length,
    notReached: records.filter((r) => r.result.outcome === 'not-reached').length,
  };
  const failed = records.filter((r) => r.result.outcome === 'fail').map((r) => r.k);
  print(`tally: ${tally.ok} ok, ${tally.fail} FAIL, ${tally.notReached} not reached, of ${records.length} runs (validator ${options.validator}, N=${calibration.n})${failed.length ? `; FAIL at k=${failed.join(', ')}` : ''}`);
  return { calibration, ks, records, tally };
}
