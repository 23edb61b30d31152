/**
 * The one threshold-signing core behind every protocol (Batches under the Serai key, each
 * network's transactions, later the Router): preprocess, share and aggregate for one
 * (sign id, attempt), whatever is being signed. Nonces live only in the keystore's nonce ledger
 * under (sign id, attempt, participant): a retried preprocess returns the stored commitments, and a
 * share binds the nonces to one digest of (message, every signer's commitments) forever, so a
 * nonce never signs two messages.
 */
import type { Key } from '@noble/curves/abstract/frost.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ApplicationFailure } from '@temporalio/common';
import { decodeFrostPublic, decodeFrostSecret } from '../crypto/key-package';
import { InvalidSignatureSharesError, MalformedParticipantDataError, SignerSetError } from '../crypto/sign/errors';
import type { ThresholdProtocol } from '../crypto/sign/protocol';
import type { ExternalNetwork, ParticipantMap } from '../messages';
import type { Keystore } from '../store';
import { messageOf, signingProtocols, type SignableMessage, type SignedOf, type SigningProtocolName } from './signing-protocols';
import { INVALID_PARTICIPANT_DATA, SIGNER_SET_REFUSED, SIGNING_KEY_MISSING } from './failures';
import { NoncesNotFoundError } from '../store/errors';
import { yieldToEventLoop } from './heartbeat';

export interface SignRef {
  network: ExternalNetwork;
  /** Nonce-ledger id of what is signed, e.g. `batch-bitcoin-7`, `plan-bitcoin-<planId>`. */
  signId: string;
  attempt: number;
  /** The confirmed key-generation (session, attempt) whose key signs. */
  key: { session: number; attempt: number };
  /** Our participant indices in that key. */
  participants: number[];
}

export interface SigningRound {
  preprocesses: ParticipantMap<string>;
  shares: ParticipantMap<string>;
  ownShares: string[];
}

export type AggregateOutcome<Signed> = { ok: true; signed: Signed } | { ok: false; faulty: number[] };

/**
 * The core every signing activity shares, by protocol name. `transactionSigning` is the chain's
 * protocol for plans (a chain without one fails its plans, never its Batches).
 */
export function createSigningCore(keystore: Keystore, transactionSigning: () => ThresholdProtocol<unknown, unknown>, pace: () => Promise<void> = yieldToEventLoop) {
  const protocolFor = signingProtocols(transactionSigning);
  function keyOf(ref: SignRef, protocol: ThresholdProtocol<unknown, unknown>, participant: number): Key {
    const groupRef = { network: ref.network, session: ref.key.session, attempt: ref.key.attempt, curve: protocol.curve };
    const pub = keystore.getGroupKey(groupRef);
    const secret = keystore.getKeyShare({ ...groupRef, participant });
    if (!pub || !secret) {
      throw ApplicationFailure.nonRetryable(`no ${protocol.curve} key share for participant ${participant} of session ${ref.key.session}`, SIGNING_KEY_MISSING);
    }
    return protocol.prepare({ public: decodeFrostPublic(pub), secret: decodeFrostSecret(secret) });
  }

  /** Every signer's commitments, ours from the ledger; a relayed entry under one of our own indices is ignored. */
  function commitmentsOf(ref: SignRef, others: ParticipantMap<string>): Map<number, Uint8Array> {
    const map = new Map<number, Uint8Array>();
    for (const p of ref.participants) {
      map.set(
        p,
        keystore.nonces.preprocess(ref.signId, ref.attempt, p, () => {
          throw ApplicationFailure.nonRetryable(`no preprocess for participant ${p} of ${ref.signId} attempt ${ref.attempt}`, NoncesNotFoundError.type);
        }),
      );
    }
    return withOthers(map, others);
  }

  /** `work` for each of our participants, pacing between them (a validator of many shares signs for long). */
  async function perParticipant(ref: SignRef, work: (p: number) => string): Promise<string[]> {
    const out: string[] = [];
    for (const p of ref.participants) {
      out.push(work(p));
      await pace();
    }
    return out;
  }

  function preprocess(name: SigningProtocolName, ref: SignRef, message: unknown): Promise<string[]> {
    const protocol = protocolFor(name);
    return perParticipant(ref, (p) => {
      const key = keyOf(ref, protocol, p);
      return bytesToHex(keystore.nonces.preprocess(ref.signId, ref.attempt, p, () => protocol.preprocess(key, message)));
    });
  }

  async function share(name: SigningProtocolName, ref: SignRef, message: unknown, others: ParticipantMap<string>): Promise<string[]> {
    const protocol = protocolFor(name);
    const commitments = commitmentsOf(ref, others);
    return perParticipant(ref, (p) => {
      const key = keyOf(ref, protocol, p);
      try {
        const binding = protocol.binding(key.public, message, commitments);
        return bytesToHex(keystore.nonces.consumeForMessage(ref.signId, ref.attempt, p, binding, (nonces) => protocol.share(key, nonces, message, commitments)));
      } catch (err) {
        if (err instanceof MalformedParticipantDataError) {
          throw ApplicationFailure.nonRetryable(err.message, INVALID_PARTICIPANT_DATA, { participant: err.participant });
        }
        // The relayed preprocesses cannot sign (fewer than t, say): retrying cannot change that.
        if (err instanceof SignerSetError) throw ApplicationFailure.nonRetryable(err.message, SIGNER_SET_REFUSED);
        throw err;
      }
    });
  }

  async function aggregate(name: SigningProtocolName, ref: SignRef, message: unknown, round: SigningRound): Promise<AggregateOutcome<unknown>> {
    await pace();
    const protocol = protocolFor(name);
    const commitments = commitmentsOf(ref, round.preprocesses);
    const own = new Map<number, Uint8Array>(ref.participants.map((p, k) => [p, hexToBytes(round.ownShares[k]!)]));
    const shares = withOthers(own, round.shares);
    const pub = keyOf(ref, protocol, ref.participants[0]!).public;
    try {
      return { ok: true, signed: protocol.aggregate(pub, message, commitments, shares) };
    } catch (err) {
      if (err instanceof InvalidSignatureSharesError) return { ok: false, faulty: [...err.participants] };
      if (err instanceof MalformedParticipantDataError) return { ok: false, faulty: [err.participant] };
      // Shares from other signers than the preprocesses: those named are at fault, else nobody can be.
      if (err instanceof SignerSetError) return { ok: false, faulty: [...err.participants] };
      throw err;
    }
  }

  return { preprocess, share, aggregate };
}

export type SigningCore = ReturnType<typeof createSigningCore>;

/** The signing activities every protocol's workflow uses; the protocol travels in the message. */
export function createThresholdSigningActivities(core: SigningCore) {
  return {
    /** Our preprocesses for this attempt (one commitments blob per local share); the same on every retry. */
    async thresholdPreprocess(ref: SignRef, signable: SignableMessage): Promise<string[]> {
      return core.preprocess(signable.protocol, ref, messageOf(signable));
    },

    /** Our shares, given every other signer's preprocess; a malformed one is `InvalidParticipantData` naming its sender. */
    async thresholdShare(ref: SignRef, signable: SignableMessage, preprocesses: ParticipantMap<string>): Promise<string[]> {
      return core.share(signable.protocol, ref, messageOf(signable), preprocesses);
    },

    /** The signed result, or the participants whose shares are invalid. */
    async thresholdAggregate<M extends SignableMessage>(ref: SignRef, signable: M, round: SigningRound): Promise<AggregateOutcome<SignedOf<M>>> {
      return (await core.aggregate(signable.protocol, ref, messageOf(signable), round)) as AggregateOutcome<SignedOf<M>>;
    },
  };
}

/** Ours first, then every relayed entry that does not claim one of our indices, in participant order. */
function withOthers(own: Map<number, Uint8Array>, others: ParticipantMap<string>): Map<number, Uint8Array> {
  const map = new Map(own);
  for (const [participant, hex] of Object.entries(others)) if (!map.has(Number(participant))) map.set(Number(participant), hexToBytes(hex));
  return new Map([...map].sort(([a], [b]) => a - b));
}
