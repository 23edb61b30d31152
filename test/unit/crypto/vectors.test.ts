/**
 * The RFC 9591 test vectors (FROST(secp256k1, SHA-256), FROST(ristretto255, SHA-512),
 * FROST(Ed25519, SHA-512)) through our signing API: nonce generation from the vectors'
 * randomness, commitments, every signature share and the final signature, byte for byte.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrostPublic, Key } from '@noble/curves/abstract/frost.js';
import { ed25519, ristretto255 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { aggregate, commit, signShare } from '../../../crypto/signing';
import { rfc9591Suites, schemes, type Scheme } from '../../../crypto/suites';

interface Vector {
  inputs: {
    participant_list: number[];
    group_public_key: string;
    message: string;
    share_polynomial_coefficients: string[];
    participant_shares: { identifier: number; participant_share: string }[];
  };
  round_one_outputs: {
    outputs: {
      identifier: number;
      hiding_nonce_randomness: string;
      binding_nonce_randomness: string;
      hiding_nonce: string;
      binding_nonce: string;
      hiding_nonce_commitment: string;
      binding_nonce_commitment: string;
    }[];
  };
  round_two_outputs: { outputs: { identifier: number; sig_share: string }[] };
  final_output: { sig: string };
}

interface GroupPoint {
  toBytes(): Uint8Array;
}
interface GroupBase {
  BASE: { multiply(scalar: bigint): GroupPoint };
}

const cases: [string, Scheme, GroupBase][] = [
  ['frost-secp256k1-sha256.json', rfc9591Suites['frost-secp256k1'], secp256k1.Point],
  ['frost-ristretto255-sha512.json', rfc9591Suites['frost-ristretto255'], ristretto255.Point],
  ['frost-ed25519-sha512.json', schemes.ed25519, ed25519.Point],
];

/** The public package the vector's dealer would publish: VSS commitments and verifying shares. */
function publicPackage(scheme: Scheme, Point: GroupBase, vector: Vector): FrostPublic {
  const Fn = scheme.frost.utils.Fn;
  const { inputs } = vector;
  const times = (scalarHex: string) => Point.BASE.multiply(Fn.fromBytes(hexToBytes(scalarHex))).toBytes();
  return {
    signers: { min: inputs.participant_list.length, max: inputs.participant_shares.length },
    commitments: [hexToBytes(inputs.group_public_key), ...inputs.share_polynomial_coefficients.map(times)],
    verifyingShares: Object.fromEntries(
      inputs.participant_shares.map((s) => [scheme.backend.identifierOf(s.identifier), times(s.participant_share)]),
    ),
  } as FrostPublic;
}

describe.each(cases)('RFC 9591 vector %s', (file, scheme, Point) => {
  const vector = JSON.parse(readFileSync(join(__dirname, '../../fixtures/rfc9591', file), 'utf8')) as Vector;
  const msg = hexToBytes(vector.inputs.message);

  test('signing through our API reproduces nonces, commitments, shares and the signature', () => {
    const pub = publicPackage(scheme, Point, vector);
    const keys = new Map<number, Key>(
      vector.inputs.participant_shares.map((s) => [
        s.identifier,
        { public: pub, secret: { identifier: scheme.backend.identifierOf(s.identifier), signingShare: hexToBytes(s.participant_share) } } as Key,
      ]),
    );
    const nonces = new Map<number, Uint8Array>();
    const commitments = new Map<number, Uint8Array>();
    for (const round1 of vector.round_one_outputs.outputs) {
      const randomness = [hexToBytes(round1.hiding_nonce_randomness), hexToBytes(round1.binding_nonce_randomness)];
      const preprocess = commit(scheme, keys.get(round1.identifier)!.secret, () => randomness.shift()!);
      expect(bytesToHex(preprocess.nonces)).toBe(round1.hiding_nonce + round1.binding_nonce);
      const canonical = scheme.backend.nobleCommitments(round1.identifier, preprocess.commitments);
      expect(bytesToHex(canonical.hiding)).toBe(round1.hiding_nonce_commitment);
      expect(bytesToHex(canonical.binding)).toBe(round1.binding_nonce_commitment);
      nonces.set(round1.identifier, preprocess.nonces);
      commitments.set(round1.identifier, preprocess.commitments);
    }
    const shares = new Map<number, Uint8Array>();
    for (const round2 of vector.round_two_outputs.outputs) {
      const share = signShare(scheme, keys.get(round2.identifier)!, nonces.get(round2.identifier)!, commitments, msg);
      expect(bytesToHex(share)).toBe(round2.sig_share);
      shares.set(round2.identifier, share);
    }
    const signature = aggregate(scheme, pub, commitments, msg, shares);
    expect(bytesToHex(signature)).toBe(vector.final_output.sig);
    expect(scheme.verify(signature, msg, scheme.groupKeyEncoding(pub))).toBe(true);
  });
});
