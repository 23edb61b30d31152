/**
 * `PublicScalar`: the variable-time multiplications (the float-limb MSMs of crypto/fast, every
 * `GroupEngine`'s `msm`, the DKG's `msm` and `isBaseMultiple`) accept only scalars asserted public.
 *
 * The `@ts-expect-error` lines are the type-level test: `npx tsc --noEmit -p tsconfig.json` checks
 * this file and fails if any of them stops being an error, i.e. if a plain bigint (a share, a
 * nonce) could again reach one of those functions. At run time the brand does not exist, so those
 * calls also run here, to show the wrapper changes no value.
 */
import { mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import { ristretto255 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';

import { secp256k1TaprootSuite } from '../../../crypto/dkg';
import { isBaseMultiple, msm as dkgMsm } from '../../../crypto/dkg/arithmetic';
import { publicScalar, publicScalars, type PublicScalar } from '../../../crypto/fast/public-scalar';
import { decodeRistretto, ristretto255FastEngine } from '../../../crypto/fast/ristretto255-engine';
import { msm as ristrettoMsm } from '../../../crypto/fast/edwards-msm';
import { secp256k1FastEngine } from '../../../crypto/fast/secp256k1-engine';
import { affineFromBigints, msm as secpMsm } from '../../../crypto/fast/secp256k1-msm';
import { wnaf } from '../../../crypto/fast/wnaf';
import { secp256k1NobleEngine } from '../../../crypto/sign/curves';
import type { GroupEngine } from '../../../crypto/sign/suite';

const Point = secp256k1.Point;
const R = ristretto255.Point;

describe('publicScalar', () => {
  test('is the identity at run time', () => {
    const k = 0x1234567890abcdefn;
    const p = publicScalar(k);
    expect(typeof p).toBe('bigint');
    expect(p === k).toBe(true);
    expect(publicScalars([1n, 2n, 3n])).toEqual([1n, 2n, 3n]);
    // Arithmetic still works; its result is a plain bigint again (see the type tests below).
    expect(p + 1n).toBe(k + 1n);
  });

  test('refuses what is not a bigint', () => {
    expect(() => publicScalar(5 as unknown as bigint)).toThrow(TypeError);
    expect(() => publicScalars(['5' as unknown as bigint])).toThrow(TypeError);
  });

  test('the engines compute the same with wrapped scalars as noble does with plain ones', () => {
    const points = [Point.BASE.multiply(3n), Point.BASE.multiply(5n)];
    const scalars = [7n, 11n];
    const want = mulAddUnsafe(Point, points, scalars);
    const fast = secp256k1FastEngine.msm(points.map(secp256k1FastEngine.fromNoble), publicScalars(scalars));
    expect(secp256k1FastEngine.toNoble(fast).equals(want)).toBe(true);
    expect(secp256k1NobleEngine.msm(points, publicScalars(scalars)).equals(want)).toBe(true);
    const element = R.BASE.multiply(9n);
    const sum = ristretto255FastEngine.msm([decodeRistretto(element.toBytes())], [publicScalar(4n)]);
    expect(ristretto255FastEngine.toNoble(sum).equals(element.multiply(4n))).toBe(true);
  });
});

describe('a plain bigint does not typecheck where a public scalar is required', () => {
  // Stand-ins for secrets: at run time any bigint works, the point is that the type checker refuses them.
  const secretShare: bigint = 0xabcdefn;
  const nonce: bigint = 0x123456n;
  const challenge = publicScalar(0x42n);
  const G = affineFromBigints(Point.BASE.x, Point.BASE.y);
  const B = ristretto255FastEngine.base;

  test('the float-limb MSMs and wNAF recoding', () => {
    // @ts-expect-error -- a secret share is a plain bigint, not a PublicScalar
    secpMsm([G], [secretShare]);
    // @ts-expect-error -- a nonce is a plain bigint, not a PublicScalar
    ristrettoMsm([B], [nonce]);
    // @ts-expect-error -- wNAF recoding is variable-time too
    wnaf(secretShare);
    // The same calls with public scalars are fine.
    secpMsm([G], [challenge]);
    ristrettoMsm([B], [challenge]);
    wnaf(challenge);
  });

  test('the GroupEngine interface and its implementations', () => {
    const generic = <P, E>(engine: GroupEngine<P, E>) => {
      // @ts-expect-error -- GroupEngine.msm takes readonly PublicScalar[]
      engine.msm([engine.base], [secretShare]);
      engine.msm([engine.base], [challenge]);
    };
    generic(secp256k1FastEngine);
    generic(ristretto255FastEngine);
    generic(secp256k1NobleEngine);
    // @ts-expect-error -- the fast secp256k1 engine
    secp256k1FastEngine.msm([G, G], [challenge, nonce]);
    // @ts-expect-error -- the fast ristretto255 engine
    ristretto255FastEngine.msm([B], [secretShare]);
    // @ts-expect-error -- the noble reference engine follows the same interface
    secp256k1NobleEngine.msm([Point.BASE], [secretShare]);
    const plain: bigint[] = [secretShare, nonce];
    // @ts-expect-error -- an array of plain bigints is not an array of public scalars
    secp256k1FastEngine.msm([G, G], plain);
  });

  test('arithmetic on public scalars yields a plain bigint that must be re-asserted', () => {
    const sum = challenge + challenge;
    // @ts-expect-error -- the sum of two PublicScalars is a plain bigint
    secpMsm([G], [sum]);
    secpMsm([G], [publicScalar(sum)]);
    // @ts-expect-error -- a bigint cannot be cast to PublicScalar by annotation alone
    const forged: PublicScalar = secretShare;
    expect(typeof forged).toBe('bigint');
  });

  test('the DKG helpers built on noble\'s variable-time multiplications', () => {
    const DkgPoint = secp256k1TaprootSuite.Point;
    // @ts-expect-error -- the DKG's MSM takes public scalars only
    dkgMsm(DkgPoint, [DkgPoint.BASE], [secretShare]);
    // @ts-expect-error -- isBaseMultiple uses multiplyUnsafe: public scalars only
    isBaseMultiple(DkgPoint, DkgPoint.BASE, secretShare);
    expect(isBaseMultiple(DkgPoint, dkgMsm(DkgPoint, [DkgPoint.BASE], [publicScalar(2n)]), publicScalar(2n))).toBe(true);
  });
});
