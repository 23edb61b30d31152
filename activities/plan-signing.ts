/**
 * Signing, publishing and watching one plan's Bitcoin transaction with the session's network key.
 * Nonces live only in the nonce ledger under (plan sign id, attempt, participant) and are bound to
 * one signing message (every input's sighash and every signer's commitments) forever.
 */
import type { Key } from '@noble/curves/abstract/frost.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ApplicationFailure } from '@temporalio/common';
import { decodeFrostPublic, decodeFrostSecret } from '../crypto/key-package';
import { InvalidSignatureSharesError, MalformedParticipantDataError } from '../crypto/sign/errors';
import type { ExternalNetwork, ParticipantMap } from '../messages';
import type { PublishOutcome } from '../networks/network';
import { completion, verifyClaim } from '../networks/bitcoin/eventuality';
import { outputKeySet } from '../networks/bitcoin/keys';
import { publish } from '../networks/bitcoin/publish';
import type { BitcoinRpc } from '../networks/bitcoin/rpc';
import { complete, preprocess, share, signingMessage } from '../networks/bitcoin/sign';
import { buildTransaction, type SignableTransaction } from '../networks/bitcoin/transaction';
import type { Keystore } from '../store';

export interface PlanSignRef {
  network: ExternalNetwork;
  /** Nonce-ledger id, `plan-<network>-<planId>`. */
  signId: string;
  attempt: number;
  key: { session: number; attempt: number };
  participants: number[];
}

export type PlanCompleteResult = { ok: true; txid: string; hex: string } | { ok: false; faulty: number[] };

export function createPlanSigningActivities(deps: { network: ExternalNetwork; keystore: Keystore; bitcoinRpc?: BitcoinRpc }) {
  const { keystore } = deps;
  const rpc = () => {
    if (!deps.bitcoinRpc) throw ApplicationFailure.nonRetryable(`no Bitcoin RPC configured for ${deps.network}`, 'NetworkUnavailable');
    return deps.bitcoinRpc;
  };
  const groupRef = (ref: { network: ExternalNetwork; key: { session: number; attempt: number } }) => ({
    network: ref.network,
    session: ref.key.session,
    attempt: ref.key.attempt,
    curve: 'secp256k1' as const,
  });
  const publicOf = (ref: { network: ExternalNetwork; key: { session: number; attempt: number } }) => {
    const pub = keystore.getGroupKey(groupRef(ref));
    if (!pub) throw ApplicationFailure.nonRetryable(`no network key for session ${ref.key.session}`, 'SigningKeyMissing');
    return decodeFrostPublic(pub);
  };
  const keyOf = (ref: PlanSignRef, participant: number): Key => {
    const secret = keystore.getKeyShare({ ...groupRef(ref), participant });
    if (!secret) throw ApplicationFailure.nonRetryable(`no network key share for participant ${participant}`, 'SigningKeyMissing');
    return { public: publicOf(ref), secret: decodeFrostSecret(secret) };
  };
  const commitmentMap = (ref: PlanSignRef, others: ParticipantMap<string>) => {
    const map = new Map<number, Uint8Array>();
    for (const p of ref.participants) {
      map.set(p, keystore.nonces.preprocess(ref.signId, ref.attempt, p, () => {
        throw ApplicationFailure.nonRetryable(`no preprocess for participant ${p} of ${ref.signId}`, 'NoncesNotFoundError');
      }));
    }
    for (const [participant, hex] of Object.entries(others)) map.set(Number(participant), hexToBytes(hex));
    return new Map([...map].sort(([a], [b]) => a - b));
  };

  return {
    /** The unsigned transaction of a plan for the key of `key`, and its eventuality (the txid). */
    async planSignable(input: { network: ExternalNetwork; key: { session: number; attempt: number }; plan: unknown }): Promise<SignableTransaction> {
      return buildTransaction(input.plan, outputKeySet(input.key.session, publicOf(input)).scripts);
    },

    /** Our preprocesses (one commitments blob per local share); the same on every retry. */
    async planPreprocess(ref: PlanSignRef, signable: SignableTransaction): Promise<string[]> {
      return ref.participants.map((p) => {
        const key = keyOf(ref, p);
        return bytesToHex(keystore.nonces.preprocess(ref.signId, ref.attempt, p, () => preprocess(key, signable)));
      });
    },

    async planShare(ref: PlanSignRef, signable: SignableTransaction, others: ParticipantMap<string>): Promise<string[]> {
      const commitments = commitmentMap(ref, others);
      return ref.participants.map((p) => {
        const key = keyOf(ref, p);
        try {
          const message = signingMessage(key.public, signable, commitments);
          return bytesToHex(keystore.nonces.consumeForMessage(ref.signId, ref.attempt, p, message, (nonces) => share(key, nonces, signable, commitments)));
        } catch (err) {
          if (err instanceof MalformedParticipantDataError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidParticipantData', { participant: err.participant });
          throw err;
        }
      });
    },

    async planComplete(ref: PlanSignRef, signable: SignableTransaction, others: { preprocesses: ParticipantMap<string>; shares: ParticipantMap<string>; ownShares: string[] }): Promise<PlanCompleteResult> {
      const commitments = commitmentMap(ref, others.preprocesses);
      const shares = new Map<number, Uint8Array>(ref.participants.map((p, k) => [p, hexToBytes(others.ownShares[k]!)]));
      for (const [participant, hex] of Object.entries(others.shares)) shares.set(Number(participant), hexToBytes(hex));
      try {
        const signed = complete(publicOf(ref), signable, commitments, new Map([...shares].sort(([a], [b]) => a - b)));
        return { ok: true, txid: signed.txid, hex: signed.hex };
      } catch (err) {
        if (err instanceof InvalidSignatureSharesError) return { ok: false, faulty: [...err.participants] };
        if (err instanceof MalformedParticipantDataError) return { ok: false, faulty: [err.participant] };
        throw err;
      }
    },

    async publishTransaction(hex: string): Promise<PublishOutcome> {
      return publish(rpc(), hex);
    },

    /** Whether the plan's transaction is on the best chain with `confirmations`. */
    async planCompletion(signable: SignableTransaction, confirmations: number): Promise<{ completed: boolean; height?: number }> {
      const found = await completion(rpc(), signable.eventuality, confirmations);
      return { completed: found.completed, height: found.height };
    },

    /** Checks another validator's claimed completion against the chain. */
    async verifyCompletionClaim(signable: SignableTransaction, claim: string): Promise<{ valid: boolean; reason?: string }> {
      const verdict = await verifyClaim(rpc(), signable.eventuality, claim);
      return verdict.valid ? { valid: true } : { valid: false, reason: verdict.reason };
    },
  };
}
