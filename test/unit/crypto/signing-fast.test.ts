/**
 * The accelerated pieces under the signing path, each against an independent reference:
 * the generated float-limb secp256k1 field against BigInt, the point formulas and the MSM
 * against noble, the strict wire decoder against noble's parser, and the OpenSSL-backed
 * RFC 9591 hashes against noble's and RFC 9380's expand_message_xmd vectors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { ED25519_TORSION_SUBGROUP, ed25519, ristretto255 } from '@noble/curves/ed25519.js';
import { secp256k1, secp256k1_hasher } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, bytesToNumberLE, numberToBytesBE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, randomBytes } from '@noble/hashes/utils.js';
import { ED25519_FIELD, generateEd25519Field, generateSecp256k1Field, SECP256K1_FIELD } from '../../../scripts/generate-fields';
import { fe, feFromBigint, feFromBytes, feIsZero, feToBigint } from '../../../crypto/fast/secp256k1-fe';
import * as field from '../../../crypto/fast/secp256k1-field';
import * as edField from '../../../crypto/fast/ed25519-field';
import { feIsZero as edIsZero, feToBigint as edToBigint } from '../../../crypto/fast/ed25519-fe';
import { publicScalars } from '../../../crypto/fast/public-scalar';
import { decodeRistretto, ristretto255FastEngine } from '../../../crypto/fast/ristretto255-engine';
import { msm as ristrettoMsm } from '../../../crypto/fast/edwards-msm';
import { decodeEd25519, ed25519FastEngine } from '../../../crypto/fast/ed25519-engine';

const { LIMB_MAX } = field;
import { secp256k1FastEngine as engine } from '../../../crypto/fast/secp256k1-engine';
import { msm } from '../../../crypto/fast/secp256k1-msm';
import { decompress, shiftCompressedPoints } from '../../../crypto/fast/secp256k1-batch';
import { expandMessageXmdSha256, secp256k1HashToScalar, sha512HashToScalar } from '../../../crypto/sign/hashes';

const P = SECP256K1_FIELD.p;
const Point = secp256k1.Point;
const N = Point.Fn.ORDER;
const randomScalar = () => bytesToNumberBE(randomBytes(40)) % N;
const randomPoint = () => Point.BASE.multiply(1n + (randomScalar() % (N - 1n)));
const value = (limbs: Float64Array) => limbs.reduceRight((acc, limb) => (acc << 24n) + BigInt(limb), 0n);
const limbsOf = (values: number[]) => Float64Array.from(values);

/** Limb vectors that stress the bounds: all at LIMB_MAX, all zero or max, random within the invariant. */
function stressLimbs(round: number): Float64Array {
  const limbs = fe();
  for (let k = 0; k < 11; k++) {
    const r = randomBytes(4);
    const random = (r[0]! | (r[1]! << 8) | (r[2]! << 16)) + (r[3]! % 16) * 1024;
    limbs[k] = [LIMB_MAX, random % (LIMB_MAX + 1), r[3]! & 1 ? LIMB_MAX : 0, random % 2 ** 24][round % 4]!;
  }
  return limbs;
}

const withinInvariant = (limbs: Float64Array) => limbs.every((limb) => Number.isInteger(limb) && limb >= 0 && limb <= LIMB_MAX);

describe('generated secp256k1 field (float64 limbs)', () => {
  test('the checked-in modules are exactly what the bound-checking generator emits', () => {
    const read = (name: string) => readFileSync(join(__dirname, '../../../crypto/fast', name), 'utf8');
    expect(read('secp256k1-field.ts') === generateSecp256k1Field()).toBe(true);
    expect(read('ed25519-field.ts') === generateEd25519Field()).toBe(true);
  });

  test.each([
    ['2^256 − 2^32 − 977', field, P],
    ['2^255 − 19', edField, ED25519_FIELD.p],
  ] as const)('mod %s: mul, sqr, add, sub, mulSmall equal BigInt arithmetic and keep the limb invariant', (_name, ops, p) => {
    const out = fe();
    const failures: string[] = [];
    for (let round = 0; round < 3000; round++) {
      const a = stressLimbs(round);
      const b = stressLimbs(round >> 2);
      const A = value(a);
      const B = value(b);
      const cases: [(o: Float64Array) => void, bigint][] = [
        [(o) => ops.feMul(a, b, o), A * B],
        [(o) => ops.feSqr(a, o), A * A],
        [(o) => ops.feAdd(a, b, o), A + B],
        [(o) => ops.feSub(a, b, o), A - B],
        [(o) => ops.feMulSmall(a, round % 9, o), A * BigInt(round % 9)],
        [(o) => ops.feCanonical(a, o), A],
      ];
      cases.forEach(([run, expected], op) => {
        run(out);
        if (!withinInvariant(out) || value(out) % p !== ((expected % p) + p) % p) failures.push(`op ${op}: ${a} ${b}`);
      });
      ops.feCanonical(a, out);
      if (value(out) !== A % p) failures.push(`canonical ${a}`);
    }
    expect(failures).toEqual([]);
  });

  test('2^255 − 19: canonical reduction and the zero test are exact at the edges', () => {
    const p = ED25519_FIELD.p;
    for (const edge of [0n, 1n, p - 1n, p, p + 1n, 2n * p, 2n ** 255n - 1n, 2n ** 255n, 2n ** 256n - 1n, 511n * p, 2n ** 264n - 1n]) {
      const limbs = fe();
      let rest = edge;
      for (let k = 0; k < 11; k++) {
        limbs[k] = Number(rest & 0xffffffn);
        rest >>= 24n;
      }
      expect(edToBigint(limbs)).toBe(edge % p);
      expect(edIsZero(limbs)).toBe(edge % p === 0n);
    }
  });

  test('canonical reduction and the zero test are exact at the edges', () => {
    const edges = [0n, 1n, P - 1n, P, P + 1n, 2n * P, 2n ** 256n - 1n, 2n ** 256n, 255n * P, 2n ** 264n - 1n];
    for (const edge of edges) {
      const limbs = fe();
      let rest = edge;
      for (let k = 0; k < 11; k++) {
        limbs[k] = Number(rest & 0xffffffn);
        rest >>= 24n;
      }
      expect(feToBigint(limbs)).toBe(edge % P);
      expect(feIsZero(limbs)).toBe(edge % P === 0n);
    }
    const widest = limbsOf(Array(11).fill(LIMB_MAX));
    expect(feToBigint(widest)).toBe(value(widest) % P);
    // multiples of p written with limbs above 2^24 (non-standard digits) are zero too
    for (let k = 1n; k < 300n; k += 7n) {
      const limbs = feFromBigint(0n);
      let rest = k * P;
      for (let i = 0; i < 11; i++) {
        limbs[i] = Number(rest & 0xffffffn);
        rest >>= 24n;
      }
      if (rest === 0n && limbs[10]! <= LIMB_MAX) expect(feIsZero(limbs)).toBe(true);
    }
  });

  test('bytes to limbs', () => {
    for (let i = 0; i < 200; i++) {
      const bytes = randomBytes(40);
      expect(feToBigint(feFromBytes(bytes, 3))).toBe(bytesToNumberBE(bytes.subarray(3, 35)) % P);
    }
  });

  test('point formulas agree with noble (Jacobian double, Jacobian + affine, affine add/double)', () => {
    const s = [fe(), fe(), fe(), fe()] as const;
    for (let i = 0; i < 30; i++) {
      const p = randomPoint();
      const q = randomPoint();
      const z = 1n + (randomScalar() % (P - 1n));
      const jacobian = () => {
        const { x, y } = p.toAffine();
        return [feFromBigint(x * z * z), feFromBigint(y * z * z * z), feFromBigint(z)] as const;
      };
      const toNoble = (x: Float64Array, y: Float64Array, zz: Float64Array) => {
        const zInv = Point.Fp.inv(feToBigint(zz));
        return Point.fromAffine({ x: Point.Fp.mul(feToBigint(x), zInv * zInv), y: Point.Fp.mul(feToBigint(y), zInv ** 3n) });
      };
      const [dx, dy, dz] = jacobian();
      field.jacobianDouble(dx, dy, dz, ...s);
      expect(toNoble(dx, dy, dz).equals(p.double())).toBe(true);
      const [ax, ay, az] = jacobian();
      const qa = q.toAffine();
      field.jacobianAddAffine(ax, ay, az, feFromBigint(qa.x), feFromBigint(qa.y), ...s);
      expect(toNoble(ax, ay, az).equals(p.add(q))).toBe(true);
      const pa = p.toAffine();
      const ox = fe();
      const oy = fe();
      field.affineAdd(feFromBigint(pa.x), feFromBigint(pa.y), feFromBigint(qa.x), feFromBigint(qa.y), feFromBigint(Point.Fp.inv(pa.x - qa.x)), ox, oy);
      expect(Point.fromAffine({ x: feToBigint(ox), y: feToBigint(oy) }).equals(p.add(q))).toBe(true);
      field.affineDouble(feFromBigint(pa.x), feFromBigint(pa.y), feFromBigint(Point.Fp.inv(2n * pa.y)), ox, oy);
      expect(Point.fromAffine({ x: feToBigint(ox), y: feToBigint(oy) }).equals(p.double())).toBe(true);
    }
  });
});

describe('secp256k1 MSM and engine', () => {
  const affine = (p: typeof Point.BASE) => engine.fromNoble(p)!;
  const result = (r: ReturnType<typeof msm>) => (r === null ? Point.ZERO : Point.fromAffine({ x: feToBigint(r.x), y: feToBigint(r.y) }));
  // Test scalars are public: random values made up here.
  const msmOf = (points: Parameters<typeof msm>[0], scalars: bigint[]) => msm(points, publicScalars(scalars));

  test('equals noble mulAddUnsafe for sizes 1..70 with 0, 1, n−1 and random scalars', () => {
    for (const size of [1, 2, 3, 7, 16, 33, 70]) {
      const points = Array.from({ length: size }, randomPoint);
      const scalars = points.map((_, i) => [0n, 1n, N - 1n, 2n, randomScalar(), randomScalar()][i % 6]!);
      expect(result(msmOf(points.map(affine), scalars)).equals(mulAddUnsafe(Point, points, scalars))).toBe(true);
    }
  });

  test('exceptional additions: identity results, equal and opposite points, repeated points', () => {
    const p = randomPoint();
    const k = randomScalar();
    expect(msmOf([affine(p), affine(p)], [k, N - k])).toBeNull();
    expect(msmOf([affine(p), affine(p.negate())], [k, k])).toBeNull();
    expect(result(msmOf([affine(p), affine(p)], [k, k])).equals(p.multiply(2n * k % N))).toBe(true);
    expect(result(msmOf([affine(p), affine(p), affine(p)], [5n, 3n, 7n])).equals(p.multiply(15n))).toBe(true);
    const q = randomPoint();
    expect(msmOf([affine(p), affine(q), affine(p.add(q))], [k, k, N - k])).toBeNull();
    expect(msmOf([], [])).toBeNull();
    expect(msmOf([affine(p)], [0n])).toBeNull();
  });

  test('strict wire decoding accepts exactly what noble accepts as an uncompressed point', () => {
    for (let i = 0; i < 20; i++) {
      const wire = randomPoint().toBytes(false);
      expect(engine.toNoble(engine.decodeWire(wire)).toBytes(false)).toEqual(wire);
      const corrupt = Uint8Array.from(wire);
      corrupt[1 + (i % 64)]! ^= 1 << (i % 8);
      let nobleAccepts = true;
      try {
        Point.fromBytes(corrupt);
      } catch {
        nobleAccepts = false;
      }
      let oursAccepts = true;
      try {
        engine.decodeWire(corrupt);
      } catch {
        oursAccepts = false;
      }
      expect(oursAccepts).toBe(nobleAccepts);
    }
    const valid = randomPoint().toBytes(false);
    const xAboveP = concatBytes(Uint8Array.of(4), numberToBytesBE(P + 1n, 32), valid.subarray(33));
    expect(() => engine.decodeWire(xAboveP)).toThrow(/not below the field prime/);
    const yAboveP = concatBytes(valid.subarray(0, 33), numberToBytesBE(P, 32));
    expect(() => engine.decodeWire(yAboveP)).toThrow(/not below the field prime/);
    expect(() => engine.decodeWire(Point.BASE.toBytes(true))).toThrow(/uncompressed/);
  });
});

describe('batched re-keying of compressed secp256k1 points', () => {
  test('decompression agrees with noble on valid points and on corrupted encodings', () => {
    for (let i = 0; i < 40; i++) {
      const bytes = randomPoint().toBytes(true);
      const { x, y } = decompress(bytes);
      expect(Point.fromAffine({ x: feToBigint(x), y: feToBigint(y) }).toBytes(true)).toEqual(bytes);
      const corrupt = Uint8Array.from(bytes);
      corrupt[1 + (i % 32)]! ^= 1 << (i % 8);
      let noble = true;
      try {
        Point.fromBytes(corrupt);
      } catch {
        noble = false;
      }
      let ours = true;
      try {
        decompress(corrupt);
      } catch {
        ours = false;
      }
      expect(ours).toBe(noble);
    }
    expect(() => decompress(randomPoint().toBytes(false))).toThrow(/compressed/);
  });

  test('±P + T equals noble for many points, including P = T (a doubling)', () => {
    const shift = randomPoint();
    for (const negate of [false, true]) {
      // ±P = T: the one addition that is a doubling
      const points = [...Array.from({ length: 20 }, randomPoint), negate ? shift.negate() : shift];
      for (const t of [shift, null]) {
        const got = shiftCompressedPoints(
          points.map((p) => p.toBytes(true)),
          negate,
          t,
        );
        const want = points.map((p) => {
          const signed = negate ? p.negate() : p;
          return (t === null ? signed : signed.add(t)).toBytes(true);
        });
        expect(got.map(bytesToHex)).toEqual(want.map(bytesToHex));
      }
    }
  });
});

describe('ristretto255 engine', () => {
  const R = ristretto255.Point;
  const L = R.Fn.ORDER;
  const randomElement = () => R.BASE.multiply(1n + (bytesToNumberLE(randomBytes(40)) % (L - 1n)));
  const toNoble = ristretto255FastEngine.toNoble;
  // Test scalars are public: random values made up here.
  const msmOf = (points: Parameters<typeof ristrettoMsm>[0], scalars: bigint[]) => ristrettoMsm(points, publicScalars(scalars));

  test('decoding agrees with noble: valid encodings round-trip, and the same random strings are refused', () => {
    for (let i = 0; i < 30; i++) {
      const element = randomElement();
      expect(toNoble(decodeRistretto(element.toBytes())).toBytes()).toEqual(element.toBytes());
    }
    const refusedByBoth: string[] = [];
    for (let i = 0; i < 400; i++) {
      const bytes = randomBytes(32);
      if (i % 2 === 0) bytes[0]! &= 0xfe;
      if (i % 3 === 0) bytes[31]! &= 0x7f;
      let noble = true;
      let ours = true;
      try {
        R.fromBytes(bytes);
      } catch {
        noble = false;
      }
      try {
        decodeRistretto(bytes);
      } catch {
        ours = false;
      }
      expect(ours).toBe(noble);
      if (!noble) refusedByBoth.push(bytesToHex(bytes));
    }
    expect(refusedByBoth.length).toBeGreaterThan(100);
    const p = ED25519_FIELD.p;
    for (const bad of [new Uint8Array(32), numberToBytesLE(p, 32), numberToBytesLE(p + 2n, 32), numberToBytesLE(1n, 32)]) {
      expect(() => decodeRistretto(bad)).toThrow();
    }
  });

  test('MSM equals noble mulAddUnsafe, including scalar 0/1/L−1 and identity results', () => {
    for (const size of [1, 2, 6, 40]) {
      const points = Array.from({ length: size }, randomElement);
      const scalars = points.map((_, i) => [0n, 1n, L - 1n, randomScalar() % L][i % 4]!);
      expect(toNoble(msmOf(points.map((p) => decodeRistretto(p.toBytes())), scalars)).equals(mulAddUnsafe(R, points, scalars))).toBe(true);
    }
    const q = decodeRistretto(randomElement().toBytes());
    expect(ristretto255FastEngine.isIdentity(msmOf([q, q], [7n, L - 7n]))).toBe(true);
    expect(ristretto255FastEngine.isIdentity(msmOf([q], [0n]))).toBe(true);
    expect(ristretto255FastEngine.isIdentity(msmOf([q], [1n]))).toBe(false);
  });
});

describe('ed25519 engine', () => {
  const E = ed25519.Point;
  const L = E.Fn.ORDER;
  const randomPoint = () => E.BASE.multiply(1n + (bytesToNumberLE(randomBytes(40)) % (L - 1n)));
  const { toNoble } = ed25519FastEngine;
  /** noble's verdict on a commitment: strict RFC 8032 parse, not the identity, in the prime-order subgroup. */
  const nobleAccepts = (bytes: Uint8Array): boolean => {
    try {
      const point = E.fromBytes(bytes, false);
      return !point.is0() && point.isTorsionFree();
    } catch {
      return false;
    }
  };
  const oursAccepts = (bytes: Uint8Array): boolean => {
    try {
      decodeEd25519(bytes);
      return true;
    } catch {
      return false;
    }
  };
  const torsion = ED25519_TORSION_SUBGROUP.map((hex) => E.fromHex(hex));

  test('the torsion points noble lists are the eight of order dividing 8', () => {
    expect(torsion).toHaveLength(8);
    expect(torsion.filter((t) => t.multiplyUnsafe(8n).is0()).length).toBe(8);
  });

  test('decoding agrees with noble: valid points round-trip, and the same random strings are refused', () => {
    for (let i = 0; i < 30; i++) {
      const point = randomPoint();
      expect(toNoble(decodeEd25519(point.toBytes())).equals(point)).toBe(true);
      expect(toNoble(decodeEd25519(point.toBytes())).toBytes()).toEqual(point.toBytes());
    }
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const bytes = randomBytes(32);
      const noble = nobleAccepts(bytes);
      expect(oursAccepts(bytes)).toBe(noble);
      if (!noble) refused++;
    }
    // About half of random y have an x, and 7 in 8 of those points have a torsion component.
    expect(refused).toBeGreaterThan(200);
  });

  test('every point with a component of order 2, 4 or 8 is refused, and so are the small-order points and the identity', () => {
    for (const t of torsion) {
      expect(oursAccepts(t.toBytes())).toBe(false);
      for (let i = 0; i < 3; i++) {
        const mixed = randomPoint().add(t);
        expect(oursAccepts(mixed.toBytes())).toBe(nobleAccepts(mixed.toBytes()));
        expect(oursAccepts(mixed.toBytes())).toBe(t.is0());
      }
    }
  });

  test('non-canonical encodings are refused: y ≥ p, and x = 0 with the sign bit set', () => {
    const p = ED25519_FIELD.p;
    for (const y of [p, p + 1n, p + 18n, 2n ** 255n - 1n]) {
      const bytes = numberToBytesLE(y, 32);
      expect(oursAccepts(bytes)).toBe(false);
      expect(nobleAccepts(bytes)).toBe(false);
    }
    // y = 1 with the sign bit: x = 0, so the sign bit is not canonical (and the point is the identity).
    const signedIdentity = numberToBytesLE(1n, 32);
    signedIdentity[31] = 0x80;
    expect(() => decodeEd25519(signedIdentity)).toThrow(/sign bit/);
    expect(() => decodeEd25519(numberToBytesLE(1n, 32))).toThrow(/identity/);
    // A valid point with its sign bit flipped is its negation, accepted by both.
    const point = randomPoint();
    const flipped = point.toBytes();
    flipped[31]! ^= 0x80;
    expect(toNoble(decodeEd25519(flipped)).equals(point.negate())).toBe(true);
  });

  test('MSM, identity and conversions agree with noble', () => {
    for (const size of [1, 2, 7, 40]) {
      const points = Array.from({ length: size }, randomPoint);
      const scalars = points.map((_, i) => [0n, 1n, L - 1n, bytesToNumberLE(randomBytes(40)) % L][i % 4]!);
      const ours = ed25519FastEngine.msm(
        points.map((p) => ed25519FastEngine.fromNoble(p)),
        publicScalars(scalars),
      );
      expect(toNoble(ours).equals(mulAddUnsafe(E, points, scalars))).toBe(true);
    }
    const q = ed25519FastEngine.fromNoble(randomPoint());
    expect(ed25519FastEngine.isIdentity(ed25519FastEngine.msm([q, q], publicScalars([7n, L - 7n])))).toBe(true);
    expect(ed25519FastEngine.isIdentity(ed25519FastEngine.msm([q], publicScalars([1n])))).toBe(false);
    expect(toNoble(ed25519FastEngine.fromNoble(E.ZERO)).is0()).toBe(true);
    expect(toNoble(ed25519FastEngine.base).equals(E.BASE)).toBe(true);
  });
});

describe('RFC 9591 hashes on OpenSSL', () => {
  const utf8 = (s: string) => new TextEncoder().encode(s);

  test('expand_message_xmd(SHA-256) matches RFC 9380 K.1 vectors and noble', () => {
    const DST = utf8('QUUX-V01-CS02-with-expander-SHA256-128');
    expect(bytesToHex(expandMessageXmdSha256(utf8(''), DST, 0x20))).toBe('68a985b87eb6b46952128911f2a4412bbc302a9d759667f87f7a21d803f07235');
    expect(bytesToHex(expandMessageXmdSha256(utf8('abc'), DST, 0x20))).toBe('d8ccab23b5985ccea865c6c97b6e5b8350e794e603b4b97902f53a8a0d605615');
    for (const length of [0x20, 0x30, 0x80]) {
      for (const dst of [DST, randomBytes(300)]) {
        const msg = randomBytes(length);
        expect(bytesToHex(expandMessageXmdSha256(msg, dst, length))).toBe(bytesToHex(expand_message_xmd(msg, dst, length, sha256)));
      }
    }
  });

  test('hash-to-scalar equals noble for secp256k1 (hash_to_field) and ed25519/ristretto255 (SHA-512 mod L)', () => {
    for (let i = 0; i < 50; i++) {
      const msg = randomBytes(i * 7);
      const dst = i % 10 === 0 ? randomBytes(256 + i) : utf8(`FROST-test-${i}rho`);
      expect(secp256k1HashToScalar(msg, dst)).toBe(secp256k1_hasher.hashToScalar(msg, { DST: dst }));
      expect(sha512HashToScalar(msg, dst)).toBe(bytesToNumberLE(sha512(concatBytes(dst, msg))) % ed25519.Point.Fn.ORDER);
    }
  });
});
