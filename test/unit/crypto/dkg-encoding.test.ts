/**
 * Strict decoding and input validation: canonical encodings only, identity and small-order points
 * rejected, exact lengths, typed errors naming the participant and field, no secret in a message.
 */
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, concatBytes, numberToBytesBE, numberToBytesLE } from '@noble/curves/utils.js';

import {
  assignParticipants,
  decodeBlameProof,
  decodeEncryptedShare,
  decodeRound1,
  deserializeRound1State,
  ed25519Suite,
  ristretto255Suite,
  round1,
  round2,
  secp256k1TaprootSuite,
  serializeRound1State,
  validatorOf,
  type DkgContext,
  type DkgSuite,
} from '../../../crypto/dkg';
import { localRound1, othersOf } from '../../../crypto/dkg/local-run';

const context: DkgContext = { network: 'bitcoin', session: 0, attempt: 0, key: 'substrate' };
const params = { t: 2, n: 3 };

/** An encoding that is the right length but no canonical group element of the suite. */
function nonCanonicalPoints(suite: DkgSuite): Uint8Array[] {
  if (suite.pointBytes === 33) {
    return [
      new Uint8Array(33), // the identity has no SEC1 compressed encoding
      concatBytes(Uint8Array.of(0x02), new Uint8Array(32).fill(0xff)), // x >= p
      concatBytes(Uint8Array.of(0x04), suite.Point.BASE.toBytes().subarray(1)), // uncompressed prefix
    ];
  }
  return [
    new Uint8Array(32), // the identity
    new Uint8Array(32).fill(0xff), // not a field element below p
  ];
}

describe.each([
  ['secp256k1 Taproot', secp256k1TaprootSuite],
  ['ristretto255', ristretto255Suite],
] as const)('%s', (_name, suite) => {
  const r1 = localRound1(suite, context, params);
  const message = r1.messages.get(2)!;
  const { Fn } = suite.Point;

  test('a round-1 message with a non-canonical or identity commitment is rejected, naming participant and field', () => {
    for (const bad of nonCanonicalPoints(suite)) {
      const altered = Uint8Array.from(message);
      altered.set(bad, 4 + suite.pointBytes); // commitments[1]
      expect(() => decodeRound1(suite, params, altered, 2)).toThrow(
        expect.objectContaining({ name: 'DkgDecodeError', kind: 'round1', participant: 2, field: 'commitments[1]' }),
      );
    }
  });

  test('a proof scalar equal to the group order is not canonical', () => {
    const altered = Uint8Array.from(message);
    const zAt = 4 + (params.t + 1) * suite.pointBytes;
    altered.set(Fn.isLE ? numberToBytesLE(Fn.ORDER, 32) : numberToBytesBE(Fn.ORDER, 32), zAt);
    expect(() => decodeRound1(suite, params, altered, 2)).toThrow(expect.objectContaining({ name: 'DkgDecodeError', participant: 2, field: 'proof.z' }));
  });

  test('headers must name this suite, kind and participant', () => {
    const otherSuite = Uint8Array.from(message);
    otherSuite[0] = suite === ristretto255Suite ? secp256k1TaprootSuite.tag : ristretto255Suite.tag;
    expect(() => decodeRound1(suite, params, otherSuite, 2)).toThrow(expect.objectContaining({ field: 'suite', participant: 2 }));
    expect(() => decodeRound1(suite, params, message, 3)).toThrow(expect.objectContaining({ field: 'participant', participant: 3 }));
    // The same message under a larger t is simply the wrong length.
    expect(() => decodeRound1(suite, { t: 3, n: 3 }, message, 2)).toThrow(expect.objectContaining({ field: 'length' }));
  });

  test('share and blame decoders are exact about length and kind', () => {
    const out = round2(suite, context, r1.states.get(1)!, othersOf(r1.messages, 1));
    if (!out.ok) throw new Error('round 2 failed');
    const share = out.shares.get(3)!;
    expect(decodeEncryptedShare(suite, share, 1, 3)).toMatchObject({ sender: 1, recipient: 3 });
    expect(() => decodeEncryptedShare(suite, share, 1, 2)).toThrow(expect.objectContaining({ kind: 'share', participant: 1, field: 'recipient' }));
    expect(() => decodeEncryptedShare(suite, concatBytes(share, Uint8Array.of(1)), 1, 3)).toThrow(expect.objectContaining({ field: 'length' }));
    expect(() => decodeBlameProof(suite, share, 3)).toThrow(expect.objectContaining({ name: 'DkgDecodeError', kind: 'blame', participant: 3 }));
  });

  test('a state with an out-of-range secret is refused without echoing any secret', () => {
    const state = r1.states.get(1)!;
    const bytes = serializeRound1State(suite, state);
    const secretHex = bytesToHex(Fn.toBytes(state.coefficients[0]!));
    const at = bytes.length - 4 - state.message.length - params.t * suite.scalarBytes; // coefficients[0]
    const corrupted = Uint8Array.from(bytes);
    corrupted.fill(0xff, at, at + suite.scalarBytes);
    let error: unknown;
    try {
      deserializeRound1State(suite, corrupted);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'DkgDecodeError', kind: 'state', field: 'coefficients[0]' });
    expect(String((error as Error).message)).not.toContain(secretHex);
    expect(String((error as Error).message)).not.toContain('ffff');
  });
});

test('ed25519: small-order and mixed-torsion points are rejected', () => {
  const torsion = ed25519.Point.fromHex(ED25519_TORSION_SUBGROUP[1]!);
  const mixed = ed25519.Point.BASE.multiply(5n).add(torsion).toBytes();
  for (const bad of [torsion.toBytes(), mixed, new Uint8Array(32)]) {
    expect(() => ed25519Suite.decodePoint(bad)).toThrow();
  }
  expect(ed25519Suite.decodePoint(ed25519.Point.BASE.multiply(5n).toBytes()).equals(ed25519.Point.BASE.multiply(5n))).toBe(true);
});

describe('input validation', () => {
  test.each([
    [{ ...context, network: 'Bitcoin' }, 'context.network'],
    [{ ...context, network: '' }, 'context.network'],
    [{ ...context, session: -1 }, 'context.session'],
    [{ ...context, attempt: 1.5 }, 'context.attempt'],
    [{ ...context, attempt: 2 ** 32 }, 'context.attempt'],
    [{ ...context, key: 'other' }, 'context.key'],
  ])('context %o -> DkgInputError on %s', (bad, field) => {
    expect(() => round1(ristretto255Suite, bad as DkgContext, params, 1)).toThrow(expect.objectContaining({ name: 'DkgInputError', field }));
  });

  test.each([
    [{ t: 1, n: 3 }, 'params.t'],
    [{ t: 4, n: 3 }, 'params.t'],
    [{ t: 2, n: 151 }, 'params.n'],
    [{ t: 2, n: 1 }, 'params.n'],
  ])('params %o -> DkgInputError on %s', (bad, field) => {
    expect(() => round1(ristretto255Suite, context, bad, 1)).toThrow(expect.objectContaining({ name: 'DkgInputError', field }));
  });

  test('participants out of range, missing or duplicated are named', () => {
    expect(() => round1(ristretto255Suite, context, params, 4)).toThrow(expect.objectContaining({ name: 'DkgInputError', field: 'participant' }));
    const r1 = localRound1(ristretto255Suite, context, params);
    const state = r1.states.get(1)!;
    expect(() => round2(ristretto255Suite, context, state, othersOf(othersOf(r1.messages, 1), 3))).toThrow(
      expect.objectContaining({ name: 'DkgInputError', message: expect.stringContaining('missing participant 3') }),
    );
    expect(() => round2(ristretto255Suite, context, state, r1.messages)).toThrow(
      expect.objectContaining({ name: 'DkgInputError', message: expect.stringContaining('participant 1 is one of ours') }),
    );
    expect(() => round2(ristretto255Suite, context, state, othersOf(r1.messages, 1).set(9, new Uint8Array(1)))).toThrow(
      expect.objectContaining({ name: 'DkgInputError', message: expect.stringContaining('participant 9 is not in 1..3') }),
    );
  });

  test('weights: consecutive participants per validator, at most 150 in all', () => {
    const assignment = assignParticipants([3, 1, 146]);
    expect(assignment).toEqual([
      { validator: 0, first: 1, count: 3 },
      { validator: 1, first: 4, count: 1 },
      { validator: 2, first: 5, count: 146 },
    ]);
    expect([1, 3, 4, 5, 150].map((p) => validatorOf(assignment, p))).toEqual([0, 0, 1, 2, 2]);
    expect(() => validatorOf(assignment, 151)).toThrow(expect.objectContaining({ name: 'DkgInputError' }));
    expect(() => assignParticipants([100, 51])).toThrow(expect.objectContaining({ name: 'DkgInputError', field: 'weights' }));
    expect(() => assignParticipants([2, 0])).toThrow(expect.objectContaining({ name: 'DkgInputError', field: 'weights[1]' }));
  });
});
