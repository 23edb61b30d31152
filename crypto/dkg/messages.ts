/**
 * Wire formats of the public DKG messages. Every message starts with the suite's tag and a kind
 * byte, then fixed-width fields; decoding is strict (exact length, canonical non-identity points,
 * canonical scalars, headers naming the expected participants) and throws `DkgDecodeError` naming
 * the participant the bytes were attributed to.
 *
 *   round 1 (broadcast):  tag kind=1 participant:u16  C_0..C_{t-1}  R z  E
 *   encrypted share:      tag kind=2 sender:u16 recipient:u16  K  R z  ciphertext(scalar + 16-byte tag)
 *   blame proof:          tag kind=3  S  c s
 */
import type { CurvePoint } from '@noble/curves/abstract/curve.js';

import { ByteReader, ByteWriter } from './bytes';
import type { DkgParams } from './context';
import type { DkgSuite } from './suite';

export const MESSAGE_KIND = { round1: 0x01, share: 0x02, blame: 0x03 } as const;
/** Poly1305 tag length of the share ciphertext. */
export const AEAD_TAG_BYTES = 16;

export interface Round1Message<P> {
  readonly participant: number;
  /** Feldman commitments C_k = a_k·G to the participant's polynomial. */
  readonly commitments: readonly P[];
  /** Proof of knowledge of a_0: Schnorr (R, z) bound to the run, participant, commitments and E. */
  readonly proofR: P;
  readonly proofZ: bigint;
  /** The participant's encryption key for this run. */
  readonly encryptionKey: P;
  /** The encodings these were decoded from (views into the message bytes). */
  readonly commitmentsBytes: Uint8Array;
  readonly proofRBytes: Uint8Array;
  readonly encryptionKeyBytes: Uint8Array;
}

export interface Round1Fields {
  readonly participant: number;
  readonly commitments: readonly Uint8Array[];
  readonly proofR: Uint8Array;
  readonly proofZ: bigint;
  readonly encryptionKey: Uint8Array;
}

export function encodeRound1<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, fields: Round1Fields): Uint8Array {
  const writer = new ByteWriter().u8(suite.tag).u8(MESSAGE_KIND.round1).u16(fields.participant);
  for (const commitment of fields.commitments) writer.bytes(commitment);
  return writer.bytes(fields.proofR).bytes(suite.Point.Fn.toBytes(fields.proofZ)).bytes(fields.encryptionKey).finish();
}

export function round1Length<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, params: DkgParams): number {
  return 4 + (params.t + 2) * suite.pointBytes + suite.scalarBytes;
}

export function decodeRound1<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, params: DkgParams, bytes: Uint8Array, participant: number): Round1Message<P> {
  const reader = new ByteReader(bytes, 'round1', participant);
  if (bytes.length !== round1Length(suite, params)) {
    throw reader.fail('length', `expected ${round1Length(suite, params)} bytes for t=${params.t}, got ${bytes.length}`);
  }
  reader.expectU8(suite.tag, 'suite');
  reader.expectU8(MESSAGE_KIND.round1, 'kind');
  reader.expectU16(participant, 'participant');
  const commitments: P[] = [];
  for (let k = 0; k < params.t; k++) commitments.push(reader.point(suite, `commitments[${k}]`).point);
  const proofR = reader.point(suite, 'proof.R');
  const proofZ = reader.scalar(suite, 'proof.z', true);
  const encryptionKey = reader.point(suite, 'encryptionKey');
  reader.end();
  return {
    participant,
    commitments,
    proofR: proofR.point,
    proofZ,
    encryptionKey: encryptionKey.point,
    commitmentsBytes: bytes.subarray(4, 4 + params.t * suite.pointBytes),
    proofRBytes: proofR.bytes,
    encryptionKeyBytes: encryptionKey.bytes,
  };
}

export interface EncryptedShare<P> {
  readonly sender: number;
  readonly recipient: number;
  /** The sender's ephemeral key K = k·G for this one share. */
  readonly ephemeralKey: P;
  readonly ephemeralKeyBytes: Uint8Array;
  /** Proof of possession of k: Schnorr (R, z) bound to the run, both parties, K and the ciphertext. */
  readonly proofR: P;
  readonly proofRBytes: Uint8Array;
  readonly proofZ: bigint;
  readonly ciphertext: Uint8Array;
}

export interface EncryptedShareFields {
  readonly sender: number;
  readonly recipient: number;
  readonly ephemeralKey: Uint8Array;
  readonly proofR: Uint8Array;
  readonly proofZ: bigint;
  readonly ciphertext: Uint8Array;
}

export function encodeEncryptedShare<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, fields: EncryptedShareFields): Uint8Array {
  return new ByteWriter()
    .u8(suite.tag)
    .u8(MESSAGE_KIND.share)
    .u16(fields.sender)
    .u16(fields.recipient)
    .bytes(fields.ephemeralKey)
    .bytes(fields.proofR)
    .bytes(suite.Point.Fn.toBytes(fields.proofZ))
    .bytes(fields.ciphertext)
    .finish();
}

export function encryptedShareLength<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>): number {
  return 6 + 2 * suite.pointBytes + 2 * suite.scalarBytes + AEAD_TAG_BYTES;
}

/** Who a share message says it is from and to, if it has this suite's share header at all. */
export function readShareHeader<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, bytes: Uint8Array): { sender: number; recipient: number } | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length < 6 || bytes[0] !== suite.tag || bytes[1] !== MESSAGE_KIND.share) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 6);
  return { sender: view.getUint16(2), recipient: view.getUint16(4) };
}

/** Decodes a share that `sender` addressed to `recipient`; errors name the sender. */
export function decodeEncryptedShare<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, bytes: Uint8Array, sender: number, recipient: number): EncryptedShare<P> {
  const reader = new ByteReader(bytes, 'share', sender);
  if (bytes.length !== encryptedShareLength(suite)) {
    throw reader.fail('length', `expected ${encryptedShareLength(suite)} bytes, got ${bytes.length}`);
  }
  reader.expectU8(suite.tag, 'suite');
  reader.expectU8(MESSAGE_KIND.share, 'kind');
  reader.expectU16(sender, 'sender');
  reader.expectU16(recipient, 'recipient');
  const ephemeral = reader.point(suite, 'ephemeralKey');
  const proofR = reader.point(suite, 'proof.R');
  const proofZ = reader.scalar(suite, 'proof.z', true);
  const ciphertext = reader.take(suite.scalarBytes + AEAD_TAG_BYTES, 'ciphertext');
  reader.end();
  return {
    sender,
    recipient,
    ephemeralKey: ephemeral.point,
    ephemeralKeyBytes: ephemeral.bytes,
    proofR: proofR.point,
    proofRBytes: proofR.bytes,
    proofZ,
    ciphertext,
  };
}

export interface BlameProof<P> {
  /** The ECDH point S = e·K the accuser claims decrypts the share. */
  readonly ecdh: P;
  /** DLEq proof that log_G(E_accuser) = log_K(S). */
  readonly c: bigint;
  readonly s: bigint;
}

export function encodeBlameProof<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, proof: BlameProof<P>): Uint8Array {
  const { Fn } = suite.Point;
  return new ByteWriter().u8(suite.tag).u8(MESSAGE_KIND.blame).bytes(proof.ecdh.toBytes()).bytes(Fn.toBytes(proof.c)).bytes(Fn.toBytes(proof.s)).finish();
}

export function blameProofLength<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>): number {
  return 2 + suite.pointBytes + 2 * suite.scalarBytes;
}

/** Decodes the blame proof `accuser` published; errors name the accuser. */
export function decodeBlameProof<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, bytes: Uint8Array, accuser: number): BlameProof<P> {
  const reader = new ByteReader(bytes, 'blame', accuser);
  if (bytes.length !== blameProofLength(suite)) {
    throw reader.fail('length', `expected ${blameProofLength(suite)} bytes, got ${bytes.length}`);
  }
  reader.expectU8(suite.tag, 'suite');
  reader.expectU8(MESSAGE_KIND.blame, 'kind');
  const ecdh = reader.point(suite, 'ecdh').point;
  const c = reader.scalar(suite, 'c', true);
  const s = reader.scalar(suite, 's', true);
  reader.end();
  return { ecdh, c, s };
}
