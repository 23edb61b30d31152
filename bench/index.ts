/**
 * `npm run bench`: the project's benchmarks in one run, each figure beside a reference measured on
 * the same machine in the same run (a benchmark, never a test: figures vary with the machine's load).
 *
 * 1. Threshold signing, FROST-BIP340 at 67-of-100: one signer's commit and share and the
 *    aggregation by this project, by noble's own FROST functions on the same inputs (outputs checked
 *    byte-identical first), and by the Rust reference, ZcashFoundation's `frost-secp256k1-tr`
 *    (bench/frost-rs, built into the tools cache on first use), with the ratios to the reference.
 * 2. The other schemes (Ethereum's Router, sr25519, ed25519), this project beside noble.
 * 3. DKG rounds 2 and 3 of one participant at 101-of-150, beside noble's.
 * 4. On btcd regtest (unless --skip-chain): a 100-input Bitcoin transaction threshold-signed at
 *    3-of-4 and 67-of-100 (bench/bitcoin-sign.ts), and scanning throughput beside the raw block
 *    fetch of the same node (bench/bitcoin-scan.ts, --scan <blocks> <transactions per block>).
 * 5. Unless --skip-chain, the end-to-end latencies on a devnet at 3-of-4 (deposit final ->
 *    SignedBatch, Serai block -> payout in the mempool), median of --latency-runs, with the median
 *    run's workflow timeline (bench/latency.ts).
 *
 *   npm run bench                          everything (the chain part takes several minutes)
 *   npm run bench -- --skip-chain          the crypto only
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { repoRoot } from '../nodes/tools';
import { runDkgBench } from './crypto-dkg';
import { formatSigningBench, runSigningBench, type SigningBenchRow } from './crypto-signing';
import { buildFrostReference, runFrostReference, type FrostReferenceTimes } from './frost-reference';

const T = 67;
const N = 100;
/** Issue targets on 2 cores: a share and the aggregation within 2.5x of the reference, no share above 10 ms. */
const TARGETS = { ratio: 2.5, shareMs: 10 };

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got ${value}`);
  return n;
}

const say = (line: string) => console.error(`[bench] ${line}`);
const ms = (value: number) => value.toFixed(2).padStart(9);

function sideBySide(ours: readonly SigningBenchRow[], reference: FrostReferenceTimes): string {
  const referenceMs = { commit: reference.commitMs, share: reference.shareMs, aggregate: reference.aggregateMs };
  const header = `FROST-BIP340 ${T}-of-${N}  this project   noble (ms)  ${reference.implementation} (ms)  project/reference  noble/reference`;
  const lines = ours.map((row) => {
    const ref = referenceMs[row.operation];
    return `${row.operation.padEnd(22)} ${ms(row.oursMs)} ms  ${ms(row.nobleMs)}  ${ms(ref).padStart(28)}  ${`${(row.oursMs / ref).toFixed(2)}x`.padStart(17)}  ${`${(row.nobleMs / ref).toFixed(2)}x`.padStart(15)}`;
  });
  return [header, ...lines].join('\n');
}

function runScript(script: string, args: readonly string[]): void {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', script), ...args], { stdio: 'inherit', cwd: repoRoot });
  if (run.status !== 0) throw new Error(`bench/${script} failed (exit ${run.status ?? run.signal})`);
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('bench')
    .option('--skip-chain', 'skip the benchmarks that run btcd (the 100-input transaction, scanning and the devnet latencies)', false)
    .option('--runs <n>', 'timed repetitions per signing operation (the median is printed)', positive, 7)
    .option('--scan <sizes...>', 'blocks and transactions per block for the scanning benchmark', ['200', '200'])
    .option('--latency-runs <n>', 'deposits and burns timed end to end on the devnet (the median is printed)', positive, 3)
    .parse(argv);
  const opts = program.opts<{ skipChain: boolean; runs: number; scan: string[]; latencyRuns: number }>();

  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), node ${process.version}`);

  const executable = buildFrostReference(say);
  say(`signing at ${T}-of-${N}: this project and noble, then the Rust reference ...`);
  const bip340 = runSigningBench({ schemes: ['bip340'], threshold: T, participants: N, runs: opts.runs });
  const reference = runFrostReference(executable, T, N, opts.runs);
  console.log(`\n1. threshold signing beside the Rust reference (median ms; the reference's commit and share over its ${T} signers)`);
  console.log(sideBySide(bip340, reference));
  for (const row of bip340.filter((r) => r.operation !== 'commit')) {
    const ratio = row.oursMs / (row.operation === 'share' ? reference.shareMs : reference.aggregateMs);
    console.log(`   ${row.operation}: ${ratio.toFixed(2)}x the reference, ${ratio <= TARGETS.ratio ? 'within' : 'OVER'} the ${TARGETS.ratio}x target`);
  }

  say('the other schemes ...');
  const others = runSigningBench({ schemes: ['ethereum', 'sr25519', 'ed25519'], threshold: T, participants: N, runs: opts.runs });
  console.log(`\n2. the other schemes at ${T}-of-${N}, beside noble`);
  console.log(formatSigningBench(others));
  const worstShare = [...bip340, ...others].filter((r) => r.operation === 'share').reduce((worst, r) => (r.oursMs > worst.oursMs ? r : worst));
  console.log(`   slowest share: ${worstShare.scheme} ${worstShare.oursMs.toFixed(2)} ms, ${worstShare.oursMs <= TARGETS.shareMs ? 'within' : 'OVER'} the ${TARGETS.shareMs} ms target`);

  say('DKG at 101-of-150 ...');
  console.log('\n3. DKG, one participant at 101-of-150 (the last, the slowest), beside noble');
  for (const r of runDkgBench()) {
    console.log(`${r.suite.padEnd(18)} ${r.round.padEnd(8)} ours ${String(r.oursMs).padStart(6)} ms   noble ${String(r.nobleMs).padStart(6)} ms   ${r.speedup.toFixed(1)}x${r.identicalToNoble === undefined ? '' : `   identical to noble: ${r.identicalToNoble}`}`);
  }

  if (opts.skipChain) {
    console.log('\n4. chain benchmarks skipped (--skip-chain)');
    return;
  }
  console.log('\n4a. a 100-input Bitcoin transaction, threshold-signed in this process');
  runScript('bitcoin-sign.ts', []);
  console.log(`\n4b. scanning throughput on btcd regtest beside the node's raw block fetch (${opts.scan.join(' x ')})`);
  runScript('bitcoin-scan.ts', opts.scan);
  console.log(`\n5. end-to-end latency on a devnet at 3-of-4, ${opts.latencyRuns} runs, with the median run's timeline`);
  runScript('latency.ts', ['--runs', String(opts.latencyRuns)]);
}

main(process.argv).catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
