/**
 * Threshold signing at 67-of-100: one signer's commit, one signer's share, the aggregation, for
 * our signing API and for noble's own FROST functions on the same inputs in the same process.
 * Outputs are checked to be byte-identical before anything is timed.
 *
 *   npx tsx bench/crypto-signing.ts            (all four schemes)
 *   npx tsx bench/crypto-signing.ts bip340     (one scheme)
 */
import type { Key } from '@noble/curves/abstract/frost.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { referenceAggregate, referenceSignShare } from '../crypto/sign/reference';
import { dealKeys } from '../crypto/sign/simulate';
import { aggregate, commit, signShare } from '../crypto/signing';
import { schemes, type Scheme, type SchemeId } from '../crypto/suites';

export interface SigningBenchRow {
  readonly scheme: SchemeId;
  readonly operation: 'commit' | 'share' | 'aggregate';
  readonly threshold: number;
  readonly participants: number;
  /** Median wall-clock milliseconds of our implementation. */
  readonly oursMs: number;
  /** Median wall-clock milliseconds of noble's function on the same inputs. */
  readonly nobleMs: number;
  /** nobleMs / oursMs: how many times faster ours is. */
  readonly speedup: number;
}

export interface SigningBenchOptions {
  readonly schemes?: readonly SchemeId[];
  readonly threshold?: number;
  readonly participants?: number;
  /** Timed repetitions per operation (after one warm-up); the median is reported. */
  readonly runs?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Alternates ours and noble's `runs` times (after a warm-up of each) and returns both medians. */
function timePair(runs: number, ours: (i: number) => void, noble: (i: number) => void): [number, number] {
  ours(runs);
  noble(runs);
  const oursTimes: number[] = [];
  const nobleTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    let start = performance.now();
    ours(i);
    oursTimes.push(performance.now() - start);
    start = performance.now();
    noble(i);
    nobleTimes.push(performance.now() - start);
  }
  return [median(oursTimes), median(nobleTimes)];
}

function benchScheme(scheme: Scheme, t: number, n: number, runs: number): SigningBenchRow[] {
  const raw = dealKeys(scheme, t, n);
  const rawPublic = raw.get(1)!.public;
  // Prepared once per key, as the processor does (the public package is shared by every signer).
  const pub = scheme.preparePublic(rawPublic);
  const keys = new Map<number, Key>([...raw].map(([p, key]) => [p, { public: pub, secret: scheme.prepareSecret(key.secret, rawPublic) }]));
  const signers = Array.from({ length: t }, (_, i) => i + 1);
  const msg = randomBytes(32);
  const nonces = new Map<number, Uint8Array>();
  const commitments = new Map<number, Uint8Array>();
  for (const p of signers) {
    const preprocess = commit(scheme, keys.get(p)!.secret);
    nonces.set(p, preprocess.nonces);
    commitments.set(p, preprocess.commitments);
  }
  const shares = new Map(signers.map((p) => [p, signShare(scheme, keys.get(p)!, nonces.get(p)!, commitments, msg)]));
  const signature = aggregate(scheme, pub, commitments, msg, shares);
  const sampleSigner = signers[0]!;
  const reference = referenceSignShare(scheme, keys.get(sampleSigner)!, nonces.get(sampleSigner)!, commitments, msg);
  if (bytesToHex(reference) !== bytesToHex(shares.get(sampleSigner)!)) throw new Error(`${scheme.id}: share differs from noble's`);
  if (bytesToHex(referenceAggregate(scheme, pub, commitments, msg, shares)) !== bytesToHex(signature)) {
    throw new Error(`${scheme.id}: signature differs from noble's`);
  }
  if (!scheme.verify(signature, msg, scheme.groupKeyEncoding(pub))) throw new Error(`${scheme.id}: signature does not verify`);

  const signer = (i: number) => signers[i % signers.length]!;
  const row = (operation: SigningBenchRow['operation'], [oursMs, nobleMs]: [number, number]): SigningBenchRow => ({
    scheme: scheme.id as SchemeId,
    operation,
    threshold: t,
    participants: n,
    oursMs,
    nobleMs,
    speedup: nobleMs / oursMs,
  });
  return [
    row(
      'commit',
      timePair(
        runs,
        (i) => commit(scheme, keys.get(signer(i))!.secret),
        (i) => scheme.frost.commit(keys.get(signer(i))!.secret),
      ),
    ),
    row(
      'share',
      timePair(
        runs,
        (i) => signShare(scheme, keys.get(signer(i))!, nonces.get(signer(i))!, commitments, msg),
        (i) => referenceSignShare(scheme, keys.get(signer(i))!, nonces.get(signer(i))!, commitments, msg),
      ),
    ),
    row(
      'aggregate',
      timePair(
        runs,
        () => aggregate(scheme, pub, commitments, msg, shares),
        () => referenceAggregate(scheme, pub, commitments, msg, shares),
      ),
    ),
  ];
}

export function runSigningBench(options: SigningBenchOptions = {}): SigningBenchRow[] {
  const ids = options.schemes ?? (Object.keys(schemes) as SchemeId[]);
  const t = options.threshold ?? 67;
  const n = options.participants ?? 100;
  const runs = options.runs ?? 7;
  return ids.flatMap((id) => benchScheme(schemes[id], t, n, runs));
}

export function formatSigningBench(rows: readonly SigningBenchRow[]): string {
  const header = 'scheme    operation   t-of-n    ours (ms)  noble (ms)  speedup';
  const lines = rows.map(
    (r) =>
      `${r.scheme.padEnd(9)} ${r.operation.padEnd(11)} ${`${r.threshold}-of-${r.participants}`.padEnd(9)} ` +
      `${r.oursMs.toFixed(2).padStart(9)}  ${r.nobleMs.toFixed(2).padStart(10)}  ${r.speedup.toFixed(1).padStart(6)}x`,
  );
  return [header, ...lines].join('\n');
}

if (require.main === module) {
  const requested = process.argv.slice(2) as SchemeId[];
  for (const id of requested) if (!(id in schemes)) throw new Error(`unknown scheme ${id}; one of ${Object.keys(schemes).join(', ')}`);
  const rows = runSigningBench(requested.length > 0 ? { schemes: requested } : {});
  console.log(formatSigningBench(rows));
}
