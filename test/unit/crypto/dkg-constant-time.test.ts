/**
 * DKG round 3 never hands a secret scalar to variable-time arithmetic.
 *
 * Round 3 checks the shares it received with Σ w_j·s_j·G = Σ w_j·E_j, and one by one when that
 * fails. The shares s_j, their weighted sum and the resulting key share are secret, so s·G must be
 * noble's constant-time `multiply`, never `multiplyUnsafe` or an MSM (it once was `multiplyUnsafe`
 * of the weighted sum). The variable-time entry points are wrapped here to record every scalar
 * they receive; none may be (±) one of the secrets, and the constant-time multiply must have seen
 * them, so the check still runs.
 */
import * as curve from '@noble/curves/abstract/curve.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';

import { ristretto255Suite, round3, secp256k1TaprootSuite, type DkgContext, type DkgSuite, type Round1State } from '../../../crypto/dkg';
import { defaultRng, evaluatePolynomial, isBaseMultiple, msm, randomScalar, type Rng } from '../../../crypto/dkg/arithmetic';
import { sessionBinding } from '../../../crypto/dkg/context';
import { publicScalar } from '../../../crypto/fast/public-scalar';
import { encryptShare } from '../../../crypto/dkg/encryption';
import { localRound1, localRound2, othersOf, sharesTo, type LocalRound1, type LocalRound2 } from '../../../crypto/dkg/local-run';
import { decodeRound1 } from '../../../crypto/dkg/messages';

jest.mock('@noble/curves/abstract/curve.js', () => {
  const actual = jest.requireActual<typeof import('@noble/curves/abstract/curve.js')>('@noble/curves/abstract/curve.js');
  const record = <F extends (...args: never[]) => unknown>(fn: F): F => jest.fn(fn as unknown as (...args: unknown[]) => unknown) as unknown as F;
  return { ...actual, mulAddUnsafe: record(actual.mulAddUnsafe), pippenger: record(actual.pippenger) };
});

const context: DkgContext = { network: 'bitcoin', session: 11, attempt: 0, key: 'network' };
const params = { t: 3, n: 4 };
const self = 3;
/** Every batch weight is then the same known value. */
const constantRng: Rng = (bytes) => new Uint8Array(bytes).fill(7);
const WEIGHT = bytesToNumberBE(constantRng(16));

function honestShare(suite: DkgSuite, r1: LocalRound1, sender: number, recipient: number): bigint {
  return evaluatePolynomial(suite.Point.Fn, (r1.states.get(sender) as Round1State).coefficients, BigInt(recipient));
}

function craftShare(suite: DkgSuite, r1: LocalRound1, sender: number, recipient: number, value: bigint): Uint8Array {
  return encryptShare(suite, {
    session: sessionBinding(suite.id, context, params),
    sender,
    recipient,
    recipientKey: decodeRound1(suite, params, r1.messages.get(recipient)!, recipient).encryptionKeyBytes,
    share: value,
    ephemeralSecret: randomScalar(suite, defaultRng),
    proofNonce: randomScalar(suite, defaultRng),
  });
}

interface Recorded {
  /** Scalars given to `BASE.multiplyUnsafe`, `mulAddUnsafe` and `pippenger`. */
  readonly variableTime: bigint[];
  /** Scalars given to `BASE.multiply`. */
  readonly constantTime: bigint[];
}

/**
 * The suite with its base point wrapped to record the scalars of `multiply` and `multiplyUnsafe`
 * (noble freezes its point prototypes, so they cannot be spied on), and a runner that records the
 * scalars of the MSMs too (`mulAddUnsafe` and `pippenger` are mocked above).
 */
function instrumented(suite: DkgSuite): { suite: DkgSuite; record(fn: () => void): Recorded } {
  let current: Recorded = { variableTime: [], constantTime: [] };
  type Base = typeof suite.Point.BASE;
  const base = new Proxy(suite.Point.BASE, {
    get(target, key) {
      if (key === 'multiplyUnsafe') return (k: bigint) => (current.variableTime.push(k), target.multiplyUnsafe(k));
      if (key === 'multiply') return (k: bigint) => (current.constantTime.push(k), target.multiply(k));
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as Base;
  // The class itself is frozen too (a proxy could not change what its BASE reads as): forward to it
  // from a fresh function, keeping `instanceof` (MSM input checks) on the real class.
  const real = suite.Point;
  const Point = new Proxy(function Point() {}, {
    get: (_, key) => (key === 'BASE' ? base : key === Symbol.hasInstance ? (x: unknown) => x instanceof real : Reflect.get(real, key, real)),
  }) as unknown as typeof real;
  const record = (fn: () => void): Recorded => {
    current = { variableTime: [], constantTime: [] };
    const mulAdd = jest.mocked(curve.mulAddUnsafe);
    const pippenger = jest.mocked(curve.pippenger);
    mulAdd.mockClear();
    pippenger.mockClear();
    fn();
    current.variableTime.push(...mulAdd.mock.calls.flatMap(([, , scalars]) => scalars), ...pippenger.mock.calls.flatMap(([, , scalars]) => scalars));
    return current;
  };
  return { suite: { ...suite, Point }, record };
}

describe.each([
  ['secp256k1 Taproot', secp256k1TaprootSuite],
  ['ristretto255', ristretto255Suite],
] as const)('%s round 3', (_name, plainSuite) => {
  const { suite, record } = instrumented(plainSuite);
  const { Fn } = suite.Point;
  let r1: LocalRound1;
  let r2: LocalRound2;
  beforeAll(() => {
    r1 = localRound1(suite, context, params);
    r2 = localRound2(suite, context, r1);
  });

  const senders = () => [1, 2, 4];
  const withNegations = (values: bigint[]) => values.flatMap((v) => [v, Fn.neg(v)]).filter((v) => v !== 0n);

  test('the harness sees the variable-time helpers of crypto/dkg', () => {
    const { variableTime } = record(() => {
      const P = msm(suite.Point, [suite.Point.BASE], [publicScalar(5n)]);
      expect(isBaseMultiple(suite.Point, P, publicScalar(5n))).toBe(true);
    });
    expect(variableTime).toEqual([5n, 5n]);
  });

  test('honest shares: the batch check multiplies the secret weighted sum in constant time', () => {
    const shares = senders().map((j) => honestShare(suite, r1, j, self));
    const weighted = Fn.mul(WEIGHT, shares.reduce((a, b) => Fn.add(a, b), 0n));
    const state = r2.states.get(self)!;
    let keyShare = 0n;
    const { variableTime, constantTime } = record(() => {
      const out = round3(suite, context, state, othersOf(r1.messages, self), sharesTo(r2.shares, self), constantRng);
      if (!out.ok) throw new Error('honest round 3 failed');
      keyShare = Fn.fromBytes(out.key.secret.signingShare);
    });
    const ownSum = shares.reduce((a, b) => Fn.add(a, b), state.ownShare);
    const secrets = withNegations([...shares, state.ownShare, weighted, ownSum, keyShare, state.encryptionSecret]);
    expect(variableTime.filter((k) => secrets.includes(k))).toEqual([]);
    expect(constantTime).toContain(weighted);
  });

  test('a bad share: the one-by-one checks multiply every secret share in constant time', () => {
    const bad = Fn.add(honestShare(suite, r1, 2, self), 1n);
    const tampered = new Map([...r2.shares].map(([s, m]) => [s, new Map(m)]));
    tampered.get(2)!.set(self, craftShare(suite, r1, 2, self, bad));
    const shares = senders().map((j) => (j === 2 ? bad : honestShare(suite, r1, j, self)));
    const weighted = Fn.mul(WEIGHT, shares.reduce((a, b) => Fn.add(a, b), 0n));
    const state = r2.states.get(self)!;
    const { variableTime, constantTime } = record(() => {
      const out = round3(suite, context, state, othersOf(r1.messages, self), sharesTo(tampered, self), constantRng);
      expect(out.ok).toBe(false);
      if (!out.ok) expect(out.faults.map((f) => (f.kind === 'InvalidShare' ? f.sender : -1))).toEqual([2]);
    });
    const secrets = withNegations([...shares, state.ownShare, weighted, state.encryptionSecret]);
    expect(variableTime.filter((k) => secrets.includes(k))).toEqual([]);
    for (const share of shares) expect(constantTime).toContain(share);
  });
});
