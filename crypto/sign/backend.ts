/**
 * Byte-level threshold signing for one suite: strict decoding of everything (own key, own nonces,
 * peers' commitments and shares) with typed errors, then the accelerated FROST core.
 */
import type { FROST, FrostPublic, FrostSecret, Key } from '@noble/curves/abstract/frost.js';
import { equalBytes } from '@noble/curves/utils.js';
import { concatBytes, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import { MalformedParticipantDataError, SignerSetError, SigningInputError } from './errors';
import { createFrostCore, type CommitmentSet } from './frost-core';
import type { NoblePoint, SuiteSpec } from './suite';

export const MAX_PARTICIPANT = 0xffff;

/** Secret nonces (hiding || binding scalars) and the public commitments (D || E) of one signer. */
export interface Preprocess {
  readonly nonces: Uint8Array;
  readonly commitments: Uint8Array;
}

export interface SigningBackend {
  /** The participant index behind a noble identifier (`Identifier.fromNumber(participant)`). */
  participantOf(identifier: string, field: string): number;
  identifierOf(participant: number): string;
  /** `rng` defaults to the system CSPRNG; tests pass the RFC vectors' randomness. */
  commit(secret: FrostSecret, rng?: (bytes: number) => Uint8Array): Preprocess;
  signShare(key: Key, nonces: Uint8Array, commitments: ReadonlyMap<number, Uint8Array>, msg: Uint8Array): Uint8Array;
  /** The suite's FROST signature (noble's `aggregate` bytes), or a typed error naming cheaters. */
  aggregate(
    pub: FrostPublic,
    commitments: ReadonlyMap<number, Uint8Array>,
    msg: Uint8Array,
    shares: ReadonlyMap<number, Uint8Array>,
  ): Uint8Array;
  /** noble's `NonceCommitments` for wire commitments (for noble's reference functions). */
  nobleCommitments(participant: number, commitments: Uint8Array): { identifier: string; hiding: Uint8Array; binding: Uint8Array };
  /** Splits wire nonces into noble's `Nonces` (copies; the caller owns and wipes them). */
  nobleNonces(nonces: Uint8Array): { hiding: Uint8Array; binding: Uint8Array };
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

export function createSigningBackend<P extends NoblePoint<P>, E>(spec: SuiteSpec<P, E>, frost: FROST): SigningBackend {
  const { Fn, Point, engine } = spec;
  const core = createFrostCore(spec);
  const scalarLength = Fn.BYTES;

  function identifierOf(participant: number): string {
    return frost.Identifier.fromNumber(participant);
  }

  function participantOf(identifier: string, field: string): number {
    if (typeof identifier !== 'string' || !/^[0-9a-f]+$/.test(identifier) || identifier.length !== 2 * scalarLength) {
      throw new SigningInputError(field, 'expected a canonical hex identifier');
    }
    const bytes = hexToBytes(identifier);
    const value = Fn.fromBytes(bytes, true);
    if (value < 1n || value > BigInt(MAX_PARTICIPANT) || identifierOf(Number(value)) !== identifier) {
      throw new SigningInputError(field, `expected the identifier of a participant 1..${MAX_PARTICIPANT}`);
    }
    return Number(value);
  }

  function scalar(bytes: unknown, field: string, nonZero: boolean): bigint {
    if (!isBytes(bytes) || bytes.length !== scalarLength) throw new SigningInputError(field, `expected ${scalarLength} bytes`);
    let value: bigint;
    try {
      value = Fn.fromBytes(bytes);
    } catch {
      throw new SigningInputError(field, 'not a canonical scalar');
    }
    if (nonZero && value === 0n) throw new SigningInputError(field, 'zero scalar');
    return value;
  }

  function point(bytes: unknown, field: string): P {
    if (!isBytes(bytes)) throw new SigningInputError(field, 'expected bytes');
    try {
      const parsed = Point.fromBytes(bytes);
      if (parsed.is0()) throw new Error('identity');
      return parsed;
    } catch {
      throw new SigningInputError(field, 'not a valid group element');
    }
  }

  function checkedMessage(msg: unknown): Uint8Array {
    if (!isBytes(msg)) throw new SigningInputError('msg', 'expected bytes');
    return msg;
  }

  /** The signer set must lie in the key set and count between t and n. */
  function checkSigners(pub: FrostPublic, participants: Iterable<number>): number[] {
    const sorted = [...participants].sort((a, b) => a - b);
    const { min, max } = pub.signers;
    const unknown = sorted.filter(
      (p) => !Number.isInteger(p) || p < 1 || p > MAX_PARTICIPANT || !(identifierOf(p) in pub.verifyingShares),
    );
    if (unknown.length > 0) throw new SignerSetError('signers outside the key set', unknown);
    if (sorted.length < min) throw new SignerSetError(`${sorted.length} signers, threshold is ${min}`);
    if (sorted.length > max) throw new SignerSetError(`${sorted.length} signers, the key set has ${max}`);
    return sorted;
  }

  function checkedCommitments(pub: FrostPublic, commitments: unknown): ReadonlyMap<number, Uint8Array> {
    if (!(commitments instanceof Map)) throw new SigningInputError('commitments', 'expected a Map of participant to bytes');
    checkSigners(pub, commitments.keys());
    return commitments as ReadonlyMap<number, Uint8Array>;
  }

  function decodeNonces(nonces: unknown): { hiding: bigint; binding: bigint } {
    if (!isBytes(nonces) || nonces.length !== 2 * scalarLength) {
      throw new SigningInputError('nonces', `expected ${2 * scalarLength} bytes`);
    }
    return {
      hiding: scalar(nonces.subarray(0, scalarLength), 'nonces', true),
      binding: scalar(nonces.subarray(scalarLength), 'nonces', true),
    };
  }

  const H3_DST = new TextEncoder().encode(spec.contextString + 'nonce');

  /** RFC 9591 nonce_generate: H3(random_bytes(32) || SerializeScalar(secret)), as noble's commit. */
  function generateNonce(secretBytes: Uint8Array, rng: (bytes: number) => Uint8Array): bigint {
    const input = concatBytes(rng(32), secretBytes);
    const nonce = spec.hashToScalar(input, H3_DST);
    input.fill(0);
    if (nonce === 0n) throw new Error('nonce generation produced zero');
    return nonce;
  }

  function commit(secret: FrostSecret, rng: (bytes: number) => Uint8Array = randomBytes): Preprocess {
    participantOf(secret?.identifier, 'secret.identifier');
    scalar(secret.signingShare, 'secret.signingShare', true);
    const hiding = generateNonce(secret.signingShare, rng);
    const binding = generateNonce(secret.signingShare, rng);
    const nonces = concatBytes(Fn.toBytes(hiding), Fn.toBytes(binding));
    const commitments = concatBytes(
      engine.encodeWire(Point.BASE.multiply(hiding)),
      engine.encodeWire(Point.BASE.multiply(binding)),
    );
    return { nonces, commitments };
  }

  function signShare(
    key: Key,
    nonces: Uint8Array,
    commitments: ReadonlyMap<number, Uint8Array>,
    msg: Uint8Array,
  ): Uint8Array {
    const participant = participantOf(key?.secret?.identifier, 'key.secret.identifier');
    const secretShare = scalar(key.secret.signingShare, 'key.secret.signingShare', true);
    const groupKey = point(key.public?.commitments?.[0], 'key.public.commitments[0]');
    const own = decodeNonces(nonces);
    const message = checkedMessage(msg);
    const set = core.decodeCommitments(checkedCommitments(key.public, commitments));
    const ownWire = commitments.get(participant);
    if (ownWire === undefined) {
      throw new SigningInputError('commitments', `no commitments from this signer (participant ${participant})`);
    }
    // A coordinator could relay other commitments under our name; our share must answer our own.
    const expected = concatBytes(
      engine.encodeWire(Point.BASE.multiply(own.hiding)),
      engine.encodeWire(Point.BASE.multiply(own.binding)),
    );
    if (!equalBytes(expected, ownWire)) {
      throw new SigningInputError('commitments', `the commitments of participant ${participant} do not match its nonces`);
    }
    const z = core.signShare(
      { participant, secretShare, hidingNonce: own.hiding, bindingNonce: own.binding, groupKey },
      set,
      message,
    );
    return Fn.toBytes(z);
  }

  function decodeShares(shares: unknown, set: CommitmentSet<E>): Map<number, bigint> {
    if (!(shares instanceof Map)) throw new SigningInputError('shares', 'expected a Map of participant to bytes');
    const missing = set.participants.filter((p) => !shares.has(p));
    if (missing.length > 0) throw new SignerSetError('no signature share from committed signers', missing);
    const extra = [...(shares as Map<number, unknown>).keys()].filter((p) => !set.participants.includes(p));
    if (extra.length > 0) throw new SignerSetError('signature shares from signers without commitments', extra);
    const decoded = new Map<number, bigint>();
    for (const participant of set.participants) {
      const bytes: unknown = shares.get(participant);
      if (!isBytes(bytes) || bytes.length !== scalarLength) {
        throw new MalformedParticipantDataError(participant, 'share', `expected ${scalarLength} bytes`);
      }
      try {
        decoded.set(participant, Fn.fromBytes(bytes));
      } catch {
        throw new MalformedParticipantDataError(participant, 'share', 'not a canonical scalar');
      }
    }
    return decoded;
  }

  function aggregate(
    pub: FrostPublic,
    commitments: ReadonlyMap<number, Uint8Array>,
    msg: Uint8Array,
    shares: ReadonlyMap<number, Uint8Array>,
  ): Uint8Array {
    const groupKey = point(pub?.commitments?.[0], 'pub.commitments[0]');
    const message = checkedMessage(msg);
    const set = core.decodeCommitments(checkedCommitments(pub, commitments));
    const decodedShares = decodeShares(shares, set);
    const verifyingShare = (participant: number): P => {
      try {
        return point(pub.verifyingShares[identifierOf(participant)], 'verifyingShare');
      } catch {
        throw new MalformedParticipantDataError(participant, 'verifyingShare', 'not a valid group element');
      }
    };
    return core.aggregate(groupKey, verifyingShare, set, message, decodedShares);
  }

  function nobleCommitments(participant: number, commitments: Uint8Array) {
    const width = engine.wireLength;
    return {
      identifier: identifierOf(participant),
      hiding: engine.canonicalFromWire(commitments.subarray(0, width)),
      binding: engine.canonicalFromWire(commitments.subarray(width, 2 * width)),
    };
  }

  function nobleNonces(nonces: Uint8Array) {
    decodeNonces(nonces);
    return { hiding: nonces.slice(0, scalarLength), binding: nonces.slice(scalarLength, 2 * scalarLength) };
  }

  return { participantOf, identifierOf, commit, signShare, aggregate, nobleCommitments, nobleNonces };
}
