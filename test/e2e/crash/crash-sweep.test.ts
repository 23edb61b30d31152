/**
 * Crash at every step, the CI sample: the same code path as `npm run crash-sweep -- --sample 3 --seed 42
 * --calibration test/e2e/crash/calibration-bob.jsonl` (runSweep -> one devnet process per k). Bob's
 * worker is SIGKILLed right after his k-th activity, for one k in key generation, one in Batch
 * signing and one in the payout plan, and restarted 3 s later. Each run must end with every Batch
 * signed once, the burn paid exactly once and the books consistent, and each kill must have
 * happened where it says: SIGKILL, right after the server recorded activity k's completion, the
 * marker, the journal, the worker's log line and the workflow's history naming the same activity.
 *
 * The calibration (bob's activities in one crash-free scenario, N=60; the scanner's polls are not counted) is a recorded run, so CI
 * spends its time on the crashes; `npm run crash-sweep -- --calibrate-only --out <file>` records a
 * new one. Activities interleave by timing, so a run's k-th activity may differ from the
 * calibration's: the run reports the one it killed.
 * About 75 s a run on a 2-core machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { phaseOf } from '../../../devnet/crash/run';
import { loadCalibration, runSweep, stratifiedSample } from '../../../devnet/crash/sweep';
import { repoRoot } from '../../../nodes/tools';

jest.setTimeout(1_200_000);

const CALIBRATION = join(repoRoot, 'test/e2e/crash/calibration-bob.jsonl');
const SEED = 42;
const SIZE = 3;

test('the seeded sample is spread over key generation, Batch signing and the payout plan', () => {
  const calibration = loadCalibration(CALIBRATION, 'bob')!;
  expect(calibration.n).toBe(calibration.journal.length);
  const ks = stratifiedSample(calibration, Array.from({ length: calibration.n }, (_, i) => i + 1), SIZE, SEED);
  expect(ks.map((k) => phaseOf(calibration.journal[k - 1]!.workflowId))).toEqual(['keygen', 'batch', 'plan']);
  // The same seed gives the same sample.
  expect(stratifiedSample(calibration, Array.from({ length: calibration.n }, (_, i) => i + 1), SIZE, SEED)).toEqual(ks);
});

test('bob SIGKILLed right after his k-th activity, for a seeded sample of k: every run ends ok and every kill happened at its k', async () => {
  const workDir = mkdtempSync(join(tmpdir(), 'crash-sweep-'));
  const lines: string[] = [];
  try {
    const sweep = await runSweep({
      validator: 'bob',
      sample: SIZE,
      seed: SEED,
      calibrationFile: CALIBRATION,
      workDir,
      print: (line) => {
        lines.push(line);
        console.log(line);
      },
    });
    expect(sweep.records.map((r) => r.k)).toEqual(sweep.ks);
    expect(sweep.ks).toHaveLength(SIZE);
    for (const { k, result } of sweep.records) {
      // The line the command prints, and a run that ended ok.
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^k=${k} \\S+ \\S+ -> ok \\(`)));
      expect({ k, outcome: result.outcome, reasons: result.reasons }).toEqual({ k, outcome: 'ok', reasons: [] });
      // The kill happened right after activity k: SIGKILL, after the server recorded k's completion.
      const killed = result.killed!;
      expect(killed).toBeDefined();
      expect(killed.k).toBe(k);
      expect(killed.exit).toBe('signal SIGKILL');
      expect(killed.point).toBe('completion-recorded');
      expect(killed.completedEventId).toBeGreaterThan(0);
      expect(killed.logLine).toMatch(new RegExp(`^crash-hook: SIGKILL after activity k=${k} ${killed.activityType} of workflow ${killed.workflowId} `));
      // The first worker process completed exactly k activities; the restarted one carried on.
      expect(result.activities.firstProcess).toBe(k);
      expect(result.activities.afterRestart).toBeGreaterThan(0);
      // Every Batch signed once, the burn paid once (the run's judge checked btcd's whole chain).
      expect(result.batches!.map((b) => b.id)).toEqual(result.batches!.map((_, i) => i));
      expect(result.payout?.txid).toMatch(/^[0-9a-f]{64}$/);
      console.log(
        `k=${k}: killed after ${killed.activityType} of ${killed.workflowId} (activity ${killed.activityId}, event ${killed.completedEventId}); ` +
          `down ${result.timings.downMs} ms; run ${Math.round(result.timings.totalMs / 1000)} s`,
      );
    }
    expect(sweep.tally).toEqual({ ok: SIZE, fail: 0, notReached: 0 });
  } finally {
    if (process.env.KEEP_TEST_DATA) console.log(`kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
});
