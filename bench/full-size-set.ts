/**
 * A full-size validator set on this machine: key generation at 150 key shares (50 validators of
 * weight 3 by default, each in its own worker process) and a Batch signed by the validators the
 * coordinator picks to cover the threshold (101), on a Temporal dev server with btcd regtest and
 * the devnet coordinator. It prints the wall time of each phase, the peak memory of every process
 * it started (summed over the process tree, sampled every 2 s), the largest payload recorded in
 * the histories of both ceremonies (coordinator and every processor) and how many went to the
 * payload store by claim check. A documented run, never a CI test: about half an hour on 2 cores.
 *
 *   npx tsx bench/full-size-set.ts                         50 x 3 shares, t = 101
 *   npx tsx bench/full-size-set.ts --validators 10 --weight 3 --threshold 21
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import { Command, InvalidArgumentError } from 'commander';
import { coordinatorBatchWorkflowId, coordinatorKeygenWorkflowId, type CoordinateBatchResult } from '../devnet/coordinator/defs';
import { batchMessage, type Batch } from '../messages';
import { batchWorkflowId } from '../workflows/batch-defs';
import { keygenWorkflowId } from '../workflows/keygen-defs';
import { payloadSizes } from '../test/support/history';
import { startKeygenHarness, TEST_PROCESSOR_SETTINGS } from '../test/support/keygen-net';

const say = (line: string) => console.error(`[full-size] ${new Date().toISOString().slice(11, 19)} ${line}`);

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got ${value}`);
  return n;
}

/**
 * Proportional memory (PSS: each shared page divided among the processes that map it, so fifty
 * Node processes do not count the same pages fifty times) of this process and all its
 * descendants, in bytes (Linux /proc).
 */
function treePss(root: number): number {
  const parent = new Map<number, number>();
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      parent.set(Number(entry), Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0));
      pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  let total = 0;
  for (const pid of pids) {
    if (!inTree(pid)) continue;
    try {
      total += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

/** Memory the machine has in use (MemTotal - MemAvailable), in bytes. */
function machineInUse(): number {
  const info = readFileSync('/proc/meminfo', 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(info)?.[1] ?? 0);
  return (kb('MemTotal') - kb('MemAvailable')) * 1024;
}

function dirBytes(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(dir)) {
    files++;
    bytes += statSync(join(dir, name)).size;
  }
  return { files, bytes };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const opts = new Command()
    .option('--validators <n>', 'validators in the set', positive, 50)
    .option('--weight <n>', 'key shares of each validator', positive, 3)
    .option('--threshold <t>', 'signing threshold (default: floor(2n/3) + 1 of the n key shares)', positive)
    .parse()
    .opts<{ validators: number; weight: number; threshold?: number }>();
  const n = opts.validators * opts.weight;
  const t = opts.threshold ?? Math.floor((2 * n) / 3) + 1;
  if (t > n) throw new InvalidArgumentError(`threshold ${t} is over the ${n} key shares`);
  const names = Array.from({ length: opts.validators }, (_, i) => `v${String(i + 1).padStart(3, '0')}`);
  let peakPss = 0;
  const inUseBefore = machineInUse();
  let peakInUse = inUseBefore;
  const sample = () => {
    peakPss = Math.max(peakPss, treePss(process.pid));
    peakInUse = Math.max(peakInUse, machineInUse());
  };
  const sampler = setInterval(sample, 2000);
  const started = Date.now();
  say(`starting ${opts.validators} validators of weight ${opts.weight} (${n} key shares, t = ${t}), one worker process each`);
  const h = await startKeygenHarness(
    names.map((name) => ({ name, weight: opts.weight })),
    // A round waits for every validator's previous one: on 2 cores that is minutes at n = 150.
    { processorSettings: { ...TEST_PROCESSOR_SETTINGS, keygen: { idleTimeout: '2 hours' }, batch: { idleTimeout: '2 hours' } }, log: say },
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping every process of the run`);
      void h.stop().finally(() => process.exit(130));
    });
  }
  try {
    const ready = Date.now();
    say(`workers ready in ${seconds(ready - started)}; key generation ...`);
    const keygen = await h.net.generateKey({
      network: 'bitcoin',
      session: 0,
      t,
      settings: { roundTimeout: '2 hours', blameTimeout: '10 minutes', maxAttempts: 1 },
    });
    const generated = Date.now();
    if (keygen.attempt !== 0 || keygen.members.length !== opts.validators) throw new Error(`key generation took attempt ${keygen.attempt} with ${keygen.members.length} members`);
    say(`key generation done in ${seconds(generated - ready)}: Serai key ${keygen.keyPair.substrateKey}`);

    const batch: Batch = {
      network: 'bitcoin',
      id: 0,
      block: bytesToHex(randomBytes(32)),
      instructions: [{ instruction: { kind: 'Transfer', address: bytesToHex(randomBytes(32)) }, balance: { coin: 'bitcoin', amount: '50000000' } }],
    };
    await Promise.all(names.map((name) => h.net.set.processor(name).startBatch(batch)));
    const handle = h.net.coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId('bitcoin', 0));
    for (let i = 0; ; i++) {
      try {
        await handle.describe();
        break;
      } catch (err) {
        if (i > 600) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const signed = (await handle.result()) as CoordinateBatchResult;
    const batchDone = Date.now();
    const verifies = sr25519.verify(batchMessage(batch), hexToBytes(signed.signedBatch.signature), hexToBytes(keygen.keyPair.substrateKey));
    if (!verifies) throw new Error('the SignedBatch does not verify under the Serai key');
    say(`Batch 0 signed in ${seconds(batchDone - generated)} by ${signed.signers.length} validators (${signed.signers.length * opts.weight} key shares); the signature verifies`);

    say('reading every history of both ceremonies ...');
    const histories: { who: string; sizes: ReturnType<typeof payloadSizes> }[] = [];
    histories.push({ who: 'coordinator keygen', sizes: payloadSizes(await h.net.coordinatorClient.workflow.getHandle(coordinatorKeygenWorkflowId('bitcoin', 0)).fetchHistory()) });
    histories.push({ who: 'coordinator batch', sizes: payloadSizes(await handle.fetchHistory()) });
    for (const name of names) {
      const client = h.net.set.processor(name).client;
      histories.push({ who: `${name} keygen`, sizes: payloadSizes(await client.workflow.getHandle(keygenWorkflowId('bitcoin', 0, 0)).fetchHistory()) });
      if (signed.signers.includes(name)) histories.push({ who: `${name} batch`, sizes: payloadSizes(await client.workflow.getHandle(batchWorkflowId('bitcoin', 0)).fetchHistory()) });
    }
    const largest = histories.reduce((a, b) => (b.sizes.largest > a.sizes.largest ? b : a));
    const claimed = histories.reduce((sum, x) => sum + x.sizes.claimChecks, 0);
    const payloads = histories.reduce((sum, x) => sum + x.sizes.count, 0);
    const store = dirBytes(join(h.dataDir, 'payload-store'));
    clearInterval(sampler);
    sample();
    console.log(`\nFull-size set: ${opts.validators} validators x ${opts.weight} key shares = ${n}, t = ${t}, one worker process each, 2-core machine`);
    console.table([
      { phase: 'workers ready', wall: seconds(ready - started) },
      { phase: `key generation (2 DKGs, ${n} shares)`, wall: seconds(generated - ready) },
      { phase: `Batch signed (${signed.signers.length * opts.weight} shares)`, wall: seconds(batchDone - generated) },
    ]);
    console.log(`peak memory of the process tree (Temporal, btcd, coordinator, ${opts.validators} workers; PSS): ${mb(peakPss)}`);
    console.log(`peak memory in use on the machine: ${mb(peakInUse)} (${mb(inUseBefore)} before the run)`);
    console.log(`histories read: ${histories.length}; payloads ${payloads}, of which ${claimed} claim checks; largest payload ${largest.sizes.largest} B (${largest.who})`);
    console.log(`payload store: ${store.files} blobs, ${mb(store.bytes)}`);
    if (largest.sizes.largest > 256 * 1024) throw new Error(`a payload of ${largest.sizes.largest} B is over 256 KB`);
  } finally {
    clearInterval(sampler);
    await h.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`full-size run failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
