/**
 * The Rust reference the signing benchmark runs beside this project's FROST: ZcashFoundation's
 * `frost-secp256k1-tr` (bench/frost-rs, pinned by its Cargo.lock), built once in release into the
 * tools cache (a directory named by the hash of its manifest, lockfile and source), then run at one
 * t-of-n. It prints one signer's commit and share and the aggregation, medians in milliseconds.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { repoRoot } from '../nodes/tools';

const CRATE = join(repoRoot, 'bench', 'frost-rs');

const referenceTimes = z.strictObject({
  implementation: z.string(),
  threshold: z.number().int(),
  participants: z.number().int(),
  commitMs: z.number().nonnegative(),
  shareMs: z.number().nonnegative(),
  aggregateMs: z.number().nonnegative(),
});
export type FrostReferenceTimes = z.infer<typeof referenceTimes>;

function targetDir(): string {
  const cache = process.env.CUSTODY_TOOLS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'custody-tools');
  const hash = createHash('sha256');
  for (const file of ['Cargo.toml', 'Cargo.lock', join('src', 'main.rs')]) hash.update(`${file}\0`).update(readFileSync(join(CRATE, file)));
  return join(cache, `frost-reference-${hash.digest('hex').slice(0, 16)}`);
}

/** The reference's executable, built first if this version of it is not in the cache (cargo's progress on stderr). */
export function buildFrostReference(log: (line: string) => void): string {
  const target = targetDir();
  const executable = join(target, 'release', 'frost-reference-bench');
  if (existsSync(executable)) return executable;
  log(`building the Rust reference (bench/frost-rs: frost-secp256k1-tr, release) into ${target}; once, a few minutes on 2 cores ...`);
  const built = spawnSync('cargo', ['build', '--release', '--locked', '--quiet', '--manifest-path', join(CRATE, 'Cargo.toml')], {
    env: { ...process.env, CARGO_TARGET_DIR: target },
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (built.error) throw new Error(`cannot run cargo (the Rust toolchain must be on PATH): ${built.error.message}`);
  if (built.status !== 0) throw new Error(`cargo build of bench/frost-rs failed with exit code ${built.status} (crates.io unreachable?)`);
  if (!existsSync(executable)) throw new Error(`cargo built bench/frost-rs but ${executable} is missing`);
  return executable;
}

/** The reference's medians at t-of-n (`runs` aggregations; the commit and share medians are over the t signers). */
export function runFrostReference(executable: string, t: number, n: number, runs: number): FrostReferenceTimes {
  const printed = execFileSync(executable, [String(t), String(n), String(runs)], { encoding: 'utf8' });
  return referenceTimes.parse(JSON.parse(printed.trim()));
}
