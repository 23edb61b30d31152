/**
 * Devnet fault injection: a validator started with DEVNET_BYZANTINE (through
 * devnet/validator-worker.ts, never the production worker.ts) misbehaves in key generation
 * exactly as a byzantine validator could, so tests can check that blame lands on it.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { decodeEncryptedShare, decodeRound1 } from '../crypto/dkg';
import { randomScalar } from '../crypto/dkg/arithmetic';
import { sessionBinding } from '../crypto/dkg/context';
import { encryptShare, proveBlame } from '../crypto/dkg/encryption';
import type { KeygenFaults } from '../activities/keygen';
import { dkgContext } from '../crypto/dkg/key-pair';

const rng = (n: number) => randomBytes(n);

export interface ByzantineBehaviour {
  kind: 'bad-share' | 'false-accuse';
  victim: number;
}

export class ByzantineConfigError extends Error {
  override readonly name = 'ByzantineConfigError';
}

/** `bad-share:<participant>` or `false-accuse:<participant>`, as DEVNET_BYZANTINE holds it. */
export function parseByzantine(text: string): ByzantineBehaviour {
  const match = /^(bad-share|false-accuse):(\d{1,5})$/.exec(text);
  if (!match) throw new ByzantineConfigError(`config: DEVNET_BYZANTINE must be bad-share:<participant> or false-accuse:<participant> (got "${text}")`);
  return { kind: match[1] as ByzantineBehaviour['kind'], victim: Number(match[2]) };
}

export function byzantineKeygenFaults(behaviour: ByzantineBehaviour): KeygenFaults {
  if (behaviour.kind === 'bad-share') {
    return {
      // Our first participant sends the victim a well-formed, properly encrypted share of a random
      // scalar: only the victim can tell, and only its blame proof can show it.
      tamperShares(ref, key, suite, shares, peers) {
        const sender = ref.participants[0]!;
        const victimRound1 = peers.get(behaviour.victim);
        if (key !== 'network' || !victimRound1 || !shares.get(sender)?.has(behaviour.victim)) return;
        const params = { t: ref.t, n: ref.n };
        const victim = decodeRound1(suite, params, victimRound1, behaviour.victim);
        shares.get(sender)!.set(
          behaviour.victim,
          encryptShare(suite, {
            session: sessionBinding(suite.id, dkgContext(ref, key), params),
            sender,
            recipient: behaviour.victim,
            recipientKey: victim.encryptionKeyBytes,
            share: randomScalar(suite, rng),
            ephemeralSecret: randomScalar(suite, rng),
            proofNonce: randomScalar(suite, rng),
          }),
        );
      },
    };
  }
  return {
    // Our first participant accuses the victim with a genuine ECDH proof of a share that is valid.
    falseAccusation(ref, suite, round2, received) {
      const accuser = ref.participants[0]!;
      const state = round2.find((s) => s.participant === accuser);
      const bytes = received.get(accuser)?.get(behaviour.victim);
      if (!state || !bytes || suite.id === 'ristretto255') return undefined;
      const share = decodeEncryptedShare(suite, bytes, behaviour.victim, accuser);
      const ecdh = share.ephemeralKey.multiply(state.encryptionSecret);
      const session = sessionBinding(suite.id, state.context, state.params);
      return { accuser, accused: behaviour.victim, blame: proveBlame(suite, session, state.encryptionSecret, share, ecdh, rng) };
    },
  };
}
