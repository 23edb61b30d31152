/**
 * Threshold signing with the session's Serai (ristretto255) key: sr25519 signatures of Batches.
 * Nonces live only in the keystore's nonce ledger, under (sign id, attempt, participant): a retried
 * preprocess returns the stored commitments, and a share binds the nonces to one digest of
 * (message, every signer's commitments) forever, so a nonce never signs two messages.
 */
import type { Key } from '@noble/curves/abstract/frost.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ApplicationFailure } from '@temporalio/common';
import { decodeFrostPublic, decodeFrostSecret } from '../crypto/key-package';
import { aggregate, commit, prepareKey, signShare, signingDigest } from '../crypto/signing';
import { InvalidSignatureSharesError, MalformedParticipantDataError } from '../crypto/sign/errors';
import { schemes } from '../crypto/suites';
import { batchMessage, type Batch, type ExternalNetwork, type ParticipantMap } from '../messages';
import type { Keystore } from '../store';

export interface SigningKeyInfo {
  session: number;
  /** The key-generation attempt whose key Serai confirmed. */
  attempt: number;
  t: number;
  n: number;
  /** Our participant indices in that key. */
  participants: number[];
  substrateKey: string;
}

export interface SubstrateSignRef {
  network: ExternalNetwork;
  /** Nonce-ledger id of what is signed, e.g. `batch-bitcoin-7`. */
  signId: string;
  attempt: number;
  key: { session: number; attempt: number };
  participants: number[];
}

export type AggregateResult = { ok: true; signature: string } | { ok: false; faulty: number[] };

const scheme = schemes.sr25519;

export function createSubstrateSigningActivities(deps: { network: ExternalNetwork; keystore: Keystore }) {
  const { keystore } = deps;

  function keyOf(ref: SubstrateSignRef, participant: number): Key {
    const groupRef = { network: ref.network, session: ref.key.session, attempt: ref.key.attempt, curve: 'ristretto255' as const };
    const pub = keystore.getGroupKey(groupRef);
    const secret = keystore.getKeyShare({ ...groupRef, participant });
    if (!pub || !secret) throw ApplicationFailure.nonRetryable(`no Serai key share for participant ${participant} of session ${ref.key.session}`, 'SigningKeyMissing');
    return prepareKey(scheme, { public: decodeFrostPublic(pub), secret: decodeFrostSecret(secret) });
  }

  function commitmentMap(own: Map<number, Uint8Array>, others: ParticipantMap<string>): Map<number, Uint8Array> {
    const map = new Map<number, Uint8Array>(own);
    for (const [participant, hex] of Object.entries(others)) map.set(Number(participant), hexToBytes(hex));
    return new Map([...map].sort(([a], [b]) => a - b));
  }

  function ownCommitments(ref: SubstrateSignRef): Map<number, Uint8Array> {
    return new Map(
      ref.participants.map((p) => [p, keystore.nonces.preprocess(ref.signId, ref.attempt, p, () => {
        throw ApplicationFailure.nonRetryable(`no preprocess for participant ${p} of ${ref.signId} attempt ${ref.attempt}`, 'NoncesNotFoundError');
      })]),
    );
  }

  return {
    /** The confirmed key this processor signs Batches with, and our participants in it. */
    async substrateSigningKey(): Promise<SigningKeyInfo> {
      const active = keystore.getActiveKey(deps.network);
      if (!active) throw ApplicationFailure.nonRetryable(`no confirmed key for ${deps.network} yet`, 'SigningKeyMissing');
      const groupRef = { network: deps.network, session: active.session, attempt: active.attempt, curve: 'ristretto255' as const };
      const pub = keystore.getGroupKey(groupRef);
      if (!pub) throw ApplicationFailure.nonRetryable('the active key has no Serai key', 'SigningKeyMissing');
      const decoded = decodeFrostPublic(pub);
      const participants: number[] = [];
      for (let p = 1; p <= decoded.signers.max; p++) if (keystore.getKeyShare({ ...groupRef, participant: p })) participants.push(p);
      return {
        session: active.session,
        attempt: active.attempt,
        t: decoded.signers.min,
        n: decoded.signers.max,
        participants,
        substrateKey: bytesToHex(decoded.commitments[0]!),
      };
    },

    /** Our preprocesses (64-byte commitments each); the same on every retry of the attempt. */
    async substratePreprocess(ref: SubstrateSignRef): Promise<string[]> {
      return ref.participants.map((p) => {
        const key = keyOf(ref, p);
        const commitments = keystore.nonces.preprocess(ref.signId, ref.attempt, p, () => {
          const pre = commit(scheme, key.secret);
          return { secret: pre.nonces, commitments: pre.commitments };
        });
        return bytesToHex(commitments);
      });
    },

    /** Our shares of the Batch signature, given every other signer's preprocess. */
    async substrateShare(ref: SubstrateSignRef, batch: Batch, others: ParticipantMap<string>): Promise<string[]> {
      const msg = batchMessage(batch);
      const commitments = commitmentMap(ownCommitments(ref), others);
      return ref.participants.map((p) => {
        const key = keyOf(ref, p);
        const digest = signingDigest(scheme, key.public, commitments, msg);
        try {
          return bytesToHex(keystore.nonces.consumeForMessage(ref.signId, ref.attempt, p, digest, (nonces) => signShare(scheme, key, nonces, commitments, msg)));
        } catch (err) {
          if (err instanceof MalformedParticipantDataError) {
            throw ApplicationFailure.nonRetryable(err.message, 'InvalidParticipantData', { participant: err.participant });
          }
          throw err;
        }
      });
    },

    /** The final sr25519 signature, or the participants whose shares are invalid. */
    async substrateAggregate(ref: SubstrateSignRef, batch: Batch, others: { preprocesses: ParticipantMap<string>; shares: ParticipantMap<string>; ownShares: string[] }): Promise<AggregateResult> {
      const msg = batchMessage(batch);
      const commitments = commitmentMap(ownCommitments(ref), others.preprocesses);
      const shares = new Map<number, Uint8Array>(ref.participants.map((p, k) => [p, hexToBytes(others.ownShares[k]!)]));
      for (const [participant, hex] of Object.entries(others.shares)) shares.set(Number(participant), hexToBytes(hex));
      const pub = keyOf(ref, ref.participants[0]!).public;
      try {
        const signature = aggregate(scheme, pub, commitments, msg, new Map([...shares].sort(([a], [b]) => a - b)));
        if (!scheme.verify(signature, msg, scheme.groupKeyEncoding(pub))) throw new Error('aggregate signature does not verify');
        return { ok: true, signature: bytesToHex(signature) };
      } catch (err) {
        if (err instanceof InvalidSignatureSharesError) return { ok: false, faulty: [...err.participants] };
        if (err instanceof MalformedParticipantDataError) return { ok: false, faulty: [err.participant] };
        throw err;
      }
    },
  };
}
