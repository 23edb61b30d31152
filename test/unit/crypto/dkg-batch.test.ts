/**
 * The arithmetic behind the fast rounds: Horner and forward-difference evaluation of commitments
 * against plain scalar multiplication, and random-linear-combination batches that catch forgeries
 * crafted to cancel out in an unweighted sum.
 */
import {
  ristretto255Suite,
  round3,
  secp256k1TaprootSuite,
  type DkgContext,
  type DkgSuite,
} from '../../../crypto/dkg';
import { defaultRng, evaluateCommitments, evaluateCommitmentsFrom1, evaluatePolynomial, multiplySmall, randomScalar } from '../../../crypto/dkg/arithmetic';
import { sessionBinding } from '../../../crypto/dkg/context';
import { encryptShare } from '../../../crypto/dkg/encryption';
import { localRound1, localRound2, othersOf, sharesTo } from '../../../crypto/dkg/local-run';
import { decodeRound1 } from '../../../crypto/dkg/messages';
import { invalidSchnorrClaims, schnorrHolds, type SchnorrClaim } from '../../../crypto/dkg/proofs';

const suites = [
  ['secp256k1 Taproot', secp256k1TaprootSuite],
  ['ristretto255', ristretto255Suite],
] as const;

describe.each(suites)('%s', (_name, suite) => {
  const { Point } = suite;
  const { Fn } = Point;

  test('multiplySmall and Horner evaluation agree with full scalar multiplication', () => {
    const P = Point.BASE.multiply(randomScalar(suite, defaultRng));
    for (const k of [1, 2, 3, 7, 64, 127, 150, 65535]) expect(multiplySmall(P, k).equals(P.multiply(BigInt(k)))).toBe(true);
    const coefficients = Array.from({ length: 6 }, () => randomScalar(suite, defaultRng));
    const commitments = coefficients.map((c) => Point.BASE.multiply(c));
    for (const x of [1, 2, 5, 150]) {
      expect(evaluateCommitments(commitments, x).equals(Point.BASE.multiply(evaluatePolynomial(Fn, coefficients, BigInt(x))))).toBe(true);
    }
  });

  test.each([
    [2, 2],
    [2, 9],
    [5, 5],
    [5, 17],
    [9, 12],
  ])('forward differences give the same verifying shares as Horner (t=%i, n=%i)', (t, n) => {
    const commitments = Array.from({ length: t }, () => Point.BASE.multiply(randomScalar(suite, defaultRng)));
    const fast = evaluateCommitmentsFrom1(commitments, n);
    expect(fast).toHaveLength(n);
    fast.forEach((value, i) => expect(value.equals(evaluateCommitments(commitments, i + 1))).toBe(true));
  });

  test('a Schnorr batch catches two forgeries whose errors cancel in a plain sum, and names exactly them', () => {
    const claims: SchnorrClaim<(typeof Point)['BASE']>[] = Array.from({ length: 6 }, () => {
      const x = randomScalar(suite, defaultRng);
      const r = randomScalar(suite, defaultRng);
      const c = randomScalar(suite, defaultRng);
      return { publicKey: Point.BASE.multiply(x), R: Point.BASE.multiply(r), z: Fn.add(r, Fn.mul(c, x)), c };
    });
    expect(invalidSchnorrClaims(suite, claims, defaultRng)).toEqual([]);
    const delta = randomScalar(suite, defaultRng);
    const forged = claims.map((claim, i) => (i === 1 ? { ...claim, z: Fn.add(claim.z, delta) } : i === 4 ? { ...claim, z: Fn.sub(claim.z, delta) } : claim));
    // Unweighted, the two errors cancel: Σ z_i·G = Σ (R_i + c_i·X_i) still holds.
    const zSum = forged.reduce((sum, claim) => Fn.add(sum, claim.z), 0n);
    const rhs = forged.reduce((sum, claim) => sum.add(claim.R).add(claim.publicKey.multiply(claim.c)), Point.ZERO);
    expect(Point.BASE.multiply(zSum).equals(rhs)).toBe(true);
    expect(forged.filter((claim) => !schnorrHolds(suite, claim))).toHaveLength(2);
    expect(invalidSchnorrClaims(suite, forged, defaultRng)).toEqual([1, 4]);
  });
});

test.each(suites)('%s: round 3 names both senders of shares whose errors cancel out in the sum', (_name, suite: DkgSuite) => {
  const context: DkgContext = { network: 'bitcoin', session: 9, attempt: 0, key: 'network' };
  const params = { t: 3, n: 5 };
  const r1 = localRound1(suite, context, params);
  const r2 = localRound2(suite, context, r1);
  const { Fn } = suite.Point;
  const session = sessionBinding(suite.id, context, params);
  const recipient = 5;
  const recipientKey = decodeRound1(suite, params, r1.messages.get(recipient)!, recipient).encryptionKeyBytes;
  const delta = randomScalar(suite, defaultRng);
  const shares = sharesTo(r2.shares, recipient);
  for (const [sender, sign] of [
    [1, 1n],
    [3, -1n],
  ] as const) {
    const honest = evaluatePolynomial(Fn, r1.states.get(sender)!.coefficients, BigInt(recipient));
    shares.set(
      sender,
      encryptShare(suite, {
        session,
        sender,
        recipient,
        recipientKey,
        share: Fn.add(honest, Fn.mul(Fn.create(sign), delta)),
        ephemeralSecret: randomScalar(suite, defaultRng),
        proofNonce: randomScalar(suite, defaultRng),
      }),
    );
  }
  const result = round3(suite, context, r2.states.get(recipient)!, othersOf(r1.messages, recipient), shares);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.faults.map((f) => (f.kind === 'InvalidShare' ? [f.sender, f.recipient, f.blame !== null] : f))).toEqual([
    [1, 5, true],
    [3, 5, true],
  ]);
});
