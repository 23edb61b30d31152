/**
 * Full DKG runs on the public API: the keys sign under noble's own FROST signing, equal what
 * noble's own DKG round 3 computes, and every state survives serialization with identical results.
 */
import type { CurvePoint } from '@noble/curves/abstract/curve.js';
import type { DKG_Round1, DKG_Round2, DKG_Secret, Key } from '@noble/curves/abstract/frost.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, concatBytes } from '@noble/curves/utils.js';

import {
  assignParticipants,
  deserializeRound1State,
  deserializeRound2State,
  ed25519Suite,
  ristretto255Suite,
  round2,
  round3,
  secp256k1Suite,
  secp256k1TaprootSuite,
  serializeRound1State,
  serializeRound2State,
  validatorOf,
  validatorRound1,
  validatorRound2,
  validatorRound3,
  type DkgContext,
  type DkgParams,
  type DkgSuite,
  type Round1State,
} from '../../../crypto/dkg';
import { evaluatePolynomial } from '../../../crypto/dkg/arithmetic';
import { localRound1, localRound2, localRound3, othersOf, sharesTo, type LocalRound1 } from '../../../crypto/dkg/local-run';
import { decodeRound1 } from '../../../crypto/dkg/messages';

const context: DkgContext = { network: 'bitcoin', session: 7, attempt: 0, key: 'network' };

/** Signs `msg` with the keys of `signers` through noble's FROST round by round, returns the signature. */
function nobleSign<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, keys: readonly Key[], msg: Uint8Array): Uint8Array {
  const { frost } = suite;
  const pub = (keys[0] as Key).public;
  const rounds = keys.map((key) => ({ key, ...frost.commit(key.secret) }));
  const commitmentList = rounds.map((r) => r.commitments);
  const sigShares: Record<string, Uint8Array> = {};
  for (const r of rounds) sigShares[r.key.secret.identifier] = frost.signShare(r.key.secret, r.key.public, r.nonces, commitmentList, msg);
  return frost.aggregate(pub, commitmentList, msg, sigShares);
}

/** noble's DKG state of `participant` after its round 2, rebuilt from our round-1 state and messages. */
function nobleSecretAfterRound2<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, params: DkgParams, r1: LocalRound1, participant: number): DKG_Secret {
  const packages = (p: number): DKG_Round1 => {
    const message = decodeRound1(suite, params, r1.messages.get(p) as Uint8Array, p);
    return {
      identifier: suite.frost.Identifier.fromNumber(p),
      commitment: message.commitments.map((c) => c.toBytes()),
      // noble's round 3 does not re-check proofs of knowledge: round 2 did.
      proofOfKnowledge: concatBytes(message.proofRBytes, suite.Point.Fn.toBytes(message.proofZ)),
    } as DKG_Round1;
  };
  const state = r1.states.get(participant) as Round1State;
  const others = [...othersOf(r1.messages, participant).keys()].map(packages);
  return {
    identifier: BigInt(participant),
    coefficients: [...state.coefficients],
    commitment: packages(participant).commitment,
    signers: { min: params.t, max: params.n },
    round1Cache: others,
    step: 2,
  } as DKG_Secret;
}

/** What noble's DKG.round3 outputs for `participant`, given the same polynomials. */
function nobleRound3<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, params: DkgParams, r1: LocalRound1, participant: number): Key {
  const secret = nobleSecretAfterRound2(suite, params, r1, participant);
  const { Fn } = suite.Point;
  const round2: DKG_Round2[] = [...othersOf(r1.messages, participant).keys()].map(
    (sender) =>
      ({
        identifier: suite.frost.Identifier.fromNumber(sender),
        signingShare: Fn.toBytes(evaluatePolynomial(Fn, (r1.states.get(sender) as Round1State).coefficients, BigInt(participant))),
      }) as DKG_Round2,
  );
  return suite.frost.DKG.round3(secret, secret.round1Cache as DKG_Round1[], round2);
}

describe.each([
  ['secp256k1 Taproot (schnorr_FROST)', secp256k1TaprootSuite],
  ['ristretto255', ristretto255Suite],
] as const)('%s: 3-of-4 with a weight-2 validator', (_name, suite) => {
  const params = { t: 3, n: 4 };
  const assignment = assignParticipants([2, 1, 1]);

  test('every validator gets the same group key and noble signs and verifies with it', () => {
    const s = suite;
    const r1 = assignment.map((local) => validatorRound1(s, context, params, local));
    const allRound1 = new Map(r1.flatMap((v) => [...v.messages]));
    const r2 = assignment.map((local, v) => {
      const ours = new Set(r1[v]!.messages.keys());
      const peers = new Map([...allRound1].filter(([p]) => !ours.has(p)));
      const out = validatorRound2(s, context, r1[v]!.states, peers);
      if (!out.ok) throw new Error(`round 2 of validator ${local.validator} failed`);
      return { peers, ...out };
    });
    const allShares = new Map(r2.flatMap((v) => [...v.shares]));
    const keys = r2.flatMap((v) => {
      const byRecipient = new Map(v.states.map((st) => [st.participant, sharesTo(allShares, st.participant)]));
      const out = validatorRound3(s, context, v.states, v.peers, byRecipient);
      if (!out.ok) throw new Error('round 3 failed');
      return [...out.keys];
    });

    expect(keys).toHaveLength(4);
    expect(keys.map((k) => k.secret.identifier)).toEqual([1, 2, 3, 4].map((p) => suite.frost.Identifier.fromNumber(p)));
    for (const key of keys) expect(key.public).toEqual((keys[0] as Key).public);
    expect(validatorOf(assignment, 2)).toBe(0);
    expect(validatorOf(assignment, 4)).toBe(2);

    const groupKey = (keys[0] as Key).public.commitments[0] as Uint8Array;
    const msg = new TextEncoder().encode('move 1 BTC to the new multisig');
    // The weight-2 validator's two shares plus participant 4 make a threshold.
    const signature = nobleSign(s, [keys[0]!, keys[1]!, keys[3]!], msg);
    expect(suite.frost.verify(signature, msg, groupKey)).toBe(true);
    expect(suite.frost.verify(signature, new TextEncoder().encode('something else'), groupKey)).toBe(false);
    if (suite === secp256k1TaprootSuite) {
      // An independent BIP340 verifier accepts it under the x-only output key.
      expect(schnorr.verify(signature, msg, groupKey.subarray(1))).toBe(true);
    }
    // Two shares are below the threshold: noble refuses to aggregate.
    expect(() => nobleSign(s, [keys[0]!, keys[1]!], msg)).toThrow();
  });
});

describe.each([
  ['secp256k1 (secp256k1_FROST)', secp256k1Suite, { t: 3, n: 5 }],
  ['secp256k1 Taproot (schnorr_FROST)', secp256k1TaprootSuite, { t: 3, n: 5 }],
  ['ristretto255', ristretto255Suite, { t: 3, n: 5 }],
  ['ed25519', ed25519Suite, { t: 2, n: 3 }],
] as const)('%s: round 3 equals noble\'s DKG.round3', (_name, suite, params) => {
  test('secret share and public package are identical for every participant', () => {
    const s = suite;
    const r1 = localRound1(s, context, params);
    const r2 = localRound2(s, context, r1);
    const r3 = localRound3(s, context, r1, r2);
    expect(r3.faults.size).toBe(0);
    for (let p = 1; p <= params.n; p++) {
      const ours = r3.keys.get(p) as Key;
      const noble = nobleRound3(s, params, r1, p);
      expect(ours).toEqual(noble);
      // toEqual ignores key order; noble lists its own verifying share first, and so do we.
      expect(Object.keys(ours.public.verifyingShares)).toEqual(Object.keys(noble.public.verifyingShares));
    }
  });
});

describe('serialization and resume', () => {
  const suite = secp256k1TaprootSuite;
  const params = { t: 3, n: 4 };

  test('states round-trip byte for byte; a resumed round 2 and round 3 reproduce identical messages and keys', () => {
    const r1 = localRound1(suite, context, params);
    const r2 = localRound2(suite, context, r1);
    const r3 = localRound3(suite, context, r1, r2);
    const participant = 2;
    const state1 = r1.states.get(participant) as Round1State;

    const bytes1 = serializeRound1State(suite, state1);
    const resumed1 = deserializeRound1State(suite, bytes1);
    expect(resumed1).toEqual(state1);
    expect(serializeRound1State(suite, resumed1)).toEqual(bytes1);

    // A crash after round 1: round 2 from the stored state sends exactly what it sent before.
    const again = round2(suite, context, resumed1, othersOf(r1.messages, participant));
    if (!again.ok) throw new Error('round 2 failed');
    expect(new Map(again.shares)).toEqual(r2.shares.get(participant));
    const state2 = r2.states.get(participant)!;
    expect(serializeRound2State(suite, again.state)).toEqual(serializeRound2State(suite, state2));

    const bytes2 = serializeRound2State(suite, state2);
    const resumed2 = deserializeRound2State(suite, bytes2);
    expect(resumed2).toEqual(state2);
    expect(serializeRound2State(suite, resumed2)).toEqual(bytes2);

    const final = round3(suite, context, resumed2, othersOf(r1.messages, participant), sharesTo(r2.shares, participant));
    if (!final.ok) throw new Error('round 3 failed');
    expect(final.key).toEqual(r3.keys.get(participant));
  });

  test('a state of one suite does not deserialize as another suite\'s, nor one round\'s as the other\'s', () => {
    const r1 = localRound1(suite, context, params);
    const bytes1 = serializeRound1State(suite, r1.states.get(1)!);
    expect(() => deserializeRound1State(secp256k1Suite, bytes1)).toThrow(expect.objectContaining({ name: 'DkgDecodeError', field: 'suite' }));
    expect(() => deserializeRound2State(suite, bytes1)).toThrow(expect.objectContaining({ name: 'DkgDecodeError', field: 'kind' }));
    expect(() => deserializeRound1State(suite, bytes1.subarray(0, bytes1.length - 1))).toThrow(expect.objectContaining({ name: 'DkgDecodeError', kind: 'state' }));
    expect(() => deserializeRound1State(suite, concatBytes(bytes1, Uint8Array.of(0)))).toThrow(expect.objectContaining({ name: 'DkgDecodeError', field: 'length' }));
  });
});

describe('confidentiality against the relaying coordinator', () => {
  test.each([
    ['secp256k1 Taproot', secp256k1TaprootSuite],
    ['ristretto255', ristretto255Suite],
  ] as const)('%s: no secret scalar occurs in any relayed message', (_name, suite) => {
    const s = suite;
    const params = { t: 3, n: 4 };
    const r1 = localRound1(s, context, params);
    const r2 = localRound2(s, context, r1);
    const r3 = localRound3(s, context, r1, r2);
    const { Fn } = suite.Point;
    const relayed = Buffer.from(
      concatBytes(...r1.messages.values(), ...[...r2.shares.values()].flatMap((m) => [...m.values()])),
    );
    const secrets: Uint8Array[] = [];
    for (const [sender, state] of r1.states) {
      secrets.push(...state.coefficients.map((c) => Fn.toBytes(c)), Fn.toBytes(state.encryptionSecret));
      for (let recipient = 1; recipient <= params.n; recipient++) {
        if (recipient !== sender) secrets.push(Fn.toBytes(evaluatePolynomial(Fn, state.coefficients, BigInt(recipient))));
      }
    }
    for (const key of r3.keys.values()) secrets.push(key.secret.signingShare);
    expect(secrets).toHaveLength(4 * (3 + 1 + 3) + 4);
    // The search does find what is there: every public commitment occurs in the relayed bytes.
    const commitment = decodeRound1(s, params, r1.messages.get(1)!, 1).commitmentsBytes;
    expect(relayed.indexOf(commitment)).toBeGreaterThanOrEqual(0);
    for (const secret of secrets) expect(relayed.indexOf(secret)).toBe(-1);
    expect(new Set(secrets.map(bytesToHex)).size).toBe(secrets.length);
  });
});
