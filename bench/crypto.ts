/**
 * `npm run bench:crypto`: the DKG (one participant's rounds 2 and 3 at 101-of-150) and threshold
 * signing (one signer's commit and share, and aggregation, at 67-of-100), each beside noble's own
 * functions in the same process. A benchmark, not a test: figures vary with the machine's load.
 */
import { cpus } from 'node:os';
import { runDkgBench } from './crypto-dkg';
import { formatSigningBench, runSigningBench } from './crypto-signing';

const targets = { dkgRound3Ms: 1500, shareMs: 10, aggregateMs: 15 };

console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), node ${process.version}`);
console.log('\nthreshold signing, 67-of-100 (median of runs)');
const signing = runSigningBench();
console.log(formatSigningBench(signing));

console.log('\nDKG, one participant at 101-of-150 (the last participant, the slowest)');
const dkg = runDkgBench();
for (const r of dkg) {
  console.log(
    `${r.suite.padEnd(18)} ${r.round.padEnd(10)} ours ${r.oursMs.toFixed(0).padStart(6)} ms   noble ${r.nobleMs.toFixed(0).padStart(6)} ms   ${r.speedup.toFixed(1)}x${r.identicalToNoble === undefined ? '' : `   identical to noble: ${r.identicalToNoble}`}`,
  );
}

const worst = (rows: { oursMs: number }[]) => Math.max(...rows.map((r) => r.oursMs));
const verdict = (ms: number, target: number) => `${ms.toFixed(ms < 100 ? 2 : 0)} ms ${ms < target ? 'meets' : 'MISSES'} < ${target} ms`;
console.log('\ntargets on 2 cores:');
console.log(`  DKG round 3 at 101-of-150: worst suite ${verdict(worst(dkg.filter((r) => r.round === 'round 3')), targets.dkgRound3Ms)}`);
for (const row of signing.filter((r) => r.operation !== 'commit')) {
  console.log(`  ${row.scheme} ${row.operation} at 67-of-100: ${verdict(row.oursMs, row.operation === 'share' ? targets.shareMs : targets.aggregateMs)}`);
}
if (dkg.some((r) => r.identicalToNoble === false)) {
  console.error('our DKG round 3 differs from noble\'s');
  process.exitCode = 1;
}
