/** The confirmed key a processor signs with, and its own participants in it. */
import { bytesToHex } from '@noble/hashes/utils.js';
import { ApplicationFailure } from '@temporalio/common';
import { decodeFrostPublic } from '../crypto/key-package';
import type { ExternalNetwork } from '../messages';
import type { Keystore } from '../store';
import { SIGNING_KEY_MISSING } from './failures';

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

export function createSigningKeyActivities(deps: { network: ExternalNetwork; keystore: Keystore }) {
  const { keystore } = deps;
  return {
    /**
     * The confirmed key of `session` (by default the network's latest) this processor signs Batches
     * and plans with, and our participants in it. During a rotation the retiring session's key
     * still signs what is its own.
     */
    async substrateSigningKey(session?: number): Promise<SigningKeyInfo> {
      const active = session === undefined ? keystore.getActiveKey(deps.network) : keystore.getConfirmedKey(deps.network, session);
      if (!active) throw ApplicationFailure.nonRetryable(`no confirmed key for ${deps.network}${session === undefined ? '' : ` session ${session}`} yet`, SIGNING_KEY_MISSING);
      const groupRef = { network: deps.network, session: active.session, attempt: active.attempt, curve: 'ristretto255' as const };
      const pub = keystore.getGroupKey(groupRef);
      if (!pub) throw ApplicationFailure.nonRetryable('the active key has no Serai key', SIGNING_KEY_MISSING);
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
  };
}
