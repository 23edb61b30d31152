/**
 * DKG rounds 2 and 3 of one participant (the last) at t-of-n (default 101-of-150): ours against noble's own
 * `DKG.round2` / `DKG.round3`, per suite. Also checks, at full size, that noble's round 3 computes
 * the same key as ours from the same polynomials.
 *
 *   npx tsx bench/crypto-dkg.ts            # 101-of-150, secp256k1 Taproot and ristretto255
 *   npx tsx bench/crypto-dkg.ts 11 16      # another t n
 */
import type { DKG_Round1, DKG_Round2, DKG_Secret, Key } from '@noble/curves/abstract/frost.js';
import { concatBytes } from '@noble/curves/utils.js';
import { isDeepStrictEqual } from 'node:util';

import { ristretto255Suite, round1, round2, round3, secp256k1TaprootSuite, type DkgContext, type DkgParams, type DkgSuite, type Round1State } from '../crypto/dkg';
import { defaultRng, evaluatePolynomial, randomScalar } from '../crypto/dkg/arithmetic';
import { sessionBinding } from '../crypto/dkg/context';
import { encryptShare } from '../crypto/dkg/encryption';
import { othersOf } from '../crypto/dkg/local-run';
import { decodeRound1 } from '../crypto/dkg/messages';

export interface DkgBenchRow {
  readonly suite: string;
  readonly round: 'round 2' | 'round 3' | 'rounds 2+3';
  readonly t: number;
  readonly n: number;
  readonly oursMs: number;
  readonly nobleMs: number;
  /** noble's time over ours: how many times faster we are. */
  readonly speedup: number;
  /** Only for round 3: whether noble's round 3 on our polynomials gave the very same key. */
  readonly identicalToNoble?: boolean;
}

const context: DkgContext = { network: 'bitcoin', session: 1, attempt: 0, key: 'network' };

function timed<T>(run: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = run();
  return { value, ms: performance.now() - start };
}

interface SuiteTimes {
  round2: { ours: number; noble: number };
  round3: { ours: number; noble: number; identical: boolean };
}

function benchSuite(suite: DkgSuite, params: DkgParams): SuiteTimes {
  const { Fn } = suite.Point;
  const { t, n } = params;
  // The last participant: the largest index makes the Feldman evaluations of its round 2 dearest.
  const measured = n;

  // Ours: everyone's round 1, then participant 1's round 2 and round 3.
  const states = new Map<number, Round1State>();
  const messages = new Map<number, Uint8Array>();
  for (let p = 1; p <= n; p++) {
    const out = round1(suite, context, params, p);
    states.set(p, out.state);
    messages.set(p, out.message);
  }
  const ours2 = timed(() => round2(suite, context, states.get(measured)!, othersOf(messages, measured)));
  if (!ours2.value.ok) throw new Error('our round 2 failed');
  const state2 = ours2.value.state;
  // What every other participant's round 2 sends participant 1 (their other shares do not matter here).
  const session = sessionBinding(suite.id, context, params);
  const recipientKey = decodeRound1(suite, params, messages.get(measured)!, measured).encryptionKeyBytes;
  const shares = new Map<number, Uint8Array>();
  for (let sender = 1; sender < n; sender++) {
    shares.set(
      sender,
      encryptShare(suite, {
        session,
        sender,
        recipient: measured,
        recipientKey,
        share: evaluatePolynomial(Fn, states.get(sender)!.coefficients, BigInt(measured)),
        ephemeralSecret: randomScalar(suite, defaultRng),
        proofNonce: randomScalar(suite, defaultRng),
      }),
    );
  }
  const ours3 = timed(() => round3(suite, context, state2, othersOf(messages, measured), shares));
  if (!ours3.value.ok) throw new Error('our round 3 failed');

  // noble's round 3 on the same polynomials: its state after round 2, built from ours.
  const nobleRound1 = (p: number): DKG_Round1 => {
    const m = decodeRound1(suite, params, messages.get(p)!, p);
    return {
      identifier: suite.frost.Identifier.fromNumber(p),
      commitment: Array.from({ length: t }, (_, k) => m.commitmentsBytes.slice(k * suite.pointBytes, (k + 1) * suite.pointBytes)),
      proofOfKnowledge: concatBytes(m.proofRBytes, Fn.toBytes(m.proofZ)),
    } as DKG_Round1;
  };
  const others = [...othersOf(messages, measured).keys()].map(nobleRound1);
  const secret = {
    identifier: BigInt(measured),
    coefficients: [...states.get(measured)!.coefficients],
    commitment: nobleRound1(measured).commitment,
    signers: { min: t, max: n },
    round1Cache: others,
    step: 2,
  } as DKG_Secret;
  const round2Packages = others.map((_, index) => {
    const sender = index + 1;
    return {
      identifier: suite.frost.Identifier.fromNumber(sender),
      signingShare: Fn.toBytes(evaluatePolynomial(Fn, states.get(sender)!.coefficients, BigInt(measured))),
    } as DKG_Round2;
  });
  const noble3 = timed(() => suite.frost.DKG.round3(secret, others, round2Packages));
  const identical = isDeepStrictEqual(structuredClone(noble3.value), structuredClone(ours3.value.key as Key));

  // noble's round 2 needs noble's own round-1 packages (its proofs of knowledge differ from ours).
  const nobleOut = Array.from({ length: n }, (_, i) => suite.frost.DKG.round1(suite.frost.Identifier.fromNumber(i + 1), { min: t, max: n }));
  const noble2 = timed(() => suite.frost.DKG.round2(nobleOut[n - 1]!.secret, nobleOut.slice(0, n - 1).map((o) => o.public)));

  return {
    round2: { ours: ours2.ms, noble: noble2.ms },
    round3: { ours: ours3.ms, noble: noble3.ms, identical },
  };
}

export function runDkgBench(params: DkgParams = { t: 101, n: 150 }, suites: readonly DkgSuite[] = [secp256k1TaprootSuite, ristretto255Suite]): DkgBenchRow[] {
  const rows: DkgBenchRow[] = [];
  for (const suite of suites) {
    const times = benchSuite(suite, params);
    const row = (round: DkgBenchRow['round'], ours: number, noble: number) => ({ suite: suite.id, round, t: params.t, n: params.n, oursMs: Math.round(ours), nobleMs: Math.round(noble), speedup: Number((noble / ours).toFixed(2)) });
    rows.push(row('round 2', times.round2.ours, times.round2.noble));
    rows.push({ ...row('round 3', times.round3.ours, times.round3.noble), identicalToNoble: times.round3.identical });
    rows.push(row('rounds 2+3', times.round2.ours + times.round3.ours, times.round2.noble + times.round3.noble));
  }
  return rows;
}

if (require.main === module) {
  const [t, n] = process.argv.slice(2).map(Number);
  const params = t !== undefined && n !== undefined ? { t, n } : undefined;
  const rows = runDkgBench(params);
  console.log(`DKG, one participant, ${rows[0]?.t}-of-${rows[0]?.n} (ms; speedup = noble / ours)`);
  console.table(rows);
  if (rows.some((r) => r.identicalToNoble === false)) {
    console.error('our round 3 differs from noble\'s round 3');
    process.exitCode = 1;
  }
}
