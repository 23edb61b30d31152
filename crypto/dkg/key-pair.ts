/**
 * A key pair is two DKGs per attempt (the Serai ristretto key and the network key), and the
 * protocol carries one blob per participant: each blob frames the two DKGs' messages. This module
 * owns that framing and the judging of faults from public data, shared by the processors and the
 * coordinator. Pure.
 */
import type { CurvePoint } from '@noble/curves/abstract/curve.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import {
  decodeRound1,
  DkgDecodeError,
  ed25519Suite,
  ristretto255Suite,
  secp256k1Suite,
  verifyBlame,
  type DkgContext,
  type DkgKeyName,
  type DkgSuite,
} from './index';
import { sessionBinding } from './context';
import { schnorrHolds } from './proofs';
import { knowledgeClaim } from './round1';
import type { ExternalNetwork } from '../../messages/networks';
import type { ParticipantMap } from '../../messages/primitives';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySuite = DkgSuite<any>;

export const KEY_NAMES: readonly DkgKeyName[] = ['substrate', 'network'];

/** The curve of each key of a key pair: ristretto255 for Serai, the network's own for the network key. */
export function suiteFor(network: ExternalNetwork, key: DkgKeyName): AnySuite {
  if (key === 'substrate') return ristretto255Suite;
  switch (network) {
    // Bitcoin takes the plain secp256k1 group key: the BIP340 scheme applies the output-kind offset and
    // the BIP341 tweak itself (noble's Taproot DKG would tweak it once more).
    case 'bitcoin':
    case 'ethereum':
      return secp256k1Suite;
    case 'monero':
      return ed25519Suite;
  }
}

export function keyCurve(suite: AnySuite): 'secp256k1' | 'ristretto255' | 'ed25519' {
  return suite.id === 'secp256k1-taproot' ? 'secp256k1' : suite.id;
}

/** Two length-prefixed parts (u32 big-endian each): [substrate, network]. */
export function joinParts(parts: readonly [Uint8Array, Uint8Array]): Uint8Array {
  const out = new Uint8Array(8 + parts[0].length + parts[1].length);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const part of parts) {
    view.setUint32(offset, part.length, false);
    out.set(part, offset + 4);
    offset += 4 + part.length;
  }
  return out;
}

/** The two parts of a blob, or undefined when the framing is not exactly two parts. */
export function splitParts(blob: Uint8Array): [Uint8Array, Uint8Array] | undefined {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const parts: Uint8Array[] = [];
  let offset = 0;
  while (parts.length < 2) {
    if (offset + 4 > blob.length) return undefined;
    const length = view.getUint32(offset, false);
    if (offset + 4 + length > blob.length) return undefined;
    parts.push(blob.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return offset === blob.length ? [parts[0]!, parts[1]!] : undefined;
}

export function splitHexParts(blob: string): [Uint8Array, Uint8Array] | undefined {
  return splitParts(hexToBytes(blob));
}

export function joinHexParts(parts: readonly [Uint8Array, Uint8Array]): string {
  return bytesToHex(joinParts(parts));
}

/** An accusation's blame: which key's share is bad (0 substrate, 1 network) and the proof, if any. */
export function encodeBlame(keyIndex: number, proof: Uint8Array | null): string {
  const out = new Uint8Array(1 + (proof?.length ?? 0));
  out[0] = keyIndex;
  if (proof) out.set(proof, 1);
  return bytesToHex(out);
}

export function decodeBlame(blame: string): { keyIndex: 0 | 1; proof: Uint8Array | null } | undefined {
  const bytes = hexToBytes(blame);
  if (bytes.length === 0 || (bytes[0] !== 0 && bytes[0] !== 1)) return undefined;
  return { keyIndex: bytes[0] as 0 | 1, proof: bytes.length > 1 ? bytes.subarray(1) : null };
}

export interface RunRef {
  network: ExternalNetwork;
  session: number;
  attempt: number;
  t: number;
  n: number;
}

export function dkgContext(ref: RunRef, key: DkgKeyName): DkgContext {
  return { network: ref.network, session: ref.session, attempt: ref.attempt, key };
}

/** The per-key round-1 messages of the participants whose blobs are well framed. */
export function round1MessagesOf(commitments: ParticipantMap<string>, keyIndex: 0 | 1): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (const [participant, blob] of Object.entries(commitments)) {
    const parts = splitHexParts(blob);
    if (parts) out.set(Number(participant), parts[keyIndex]);
  }
  return out;
}

function round1Verifies<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, ref: RunRef, key: DkgKeyName, participant: number, bytes: Uint8Array): boolean {
  const params = { t: ref.t, n: ref.n };
  try {
    const message = decodeRound1(suite, params, bytes, participant);
    return schnorrHolds(suite, knowledgeClaim(suite, sessionBinding(suite.id, dkgContext(ref, key), params), message));
  } catch (err) {
    if (err instanceof DkgDecodeError) return false;
    throw err;
  }
}

export interface Accusation {
  accuser: number;
  accused: number;
  /** The blob the accused sent the accuser, as relayed (hex). */
  share: string;
  blame: string | null;
}

/** Judges faults from public data only, so the coordinator and every processor agree. */
export interface DkgJudge {
  commitmentsAreInvalid(input: RunRef & { participant: number; commitments: string }): Promise<boolean>;
  judgeBlame(input: RunRef & Accusation & { commitments: ParticipantMap<string> }): Promise<{ faulty: number }>;
}

export const dkgJudge: DkgJudge = {
  async commitmentsAreInvalid({ participant, commitments, ...ref }) {
    const parts = splitHexParts(commitments);
    if (!parts) return true;
    return KEY_NAMES.some((key, k) => !round1Verifies(suiteFor(ref.network, key), ref, key, participant, parts[k]!));
  },

  async judgeBlame({ commitments, accuser, accused, share, blame, ...ref }) {
    const shareParts = splitHexParts(share);
    // The accused's own message is malformed: nothing for the accuser to prove.
    if (!shareParts) return { faulty: accused };
    const decoded = blame === null ? undefined : decodeBlame(blame);
    const judged = decoded ? [decoded.keyIndex] : ([0, 1] as const);
    for (const keyIndex of judged) {
      const key = KEY_NAMES[keyIndex]!;
      const round1 = round1MessagesOf(commitments, keyIndex);
      if (!round1.has(accused)) return { faulty: accused };
      if (!round1.has(accuser)) return { faulty: accuser };
      const verdict = verifyBlame(
        suiteFor(ref.network, key),
        dkgContext(ref, key),
        { t: ref.t, n: ref.n },
        { accuser, accused, share: shareParts[keyIndex], blame: decoded?.proof ?? null },
        round1,
      );
      if (verdict.faulty === accused) return { faulty: accused };
    }
    return { faulty: accuser };
  },
};
