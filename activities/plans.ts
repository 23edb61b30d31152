/**
 * A plan's transaction on its chain: building it for the session's key, publishing it, and
 * watching for its eventuality (ours, or another validator's claim checked against the chain).
 */
import { ApplicationFailure } from '@temporalio/common';
import { decodeFrostPublic } from '../crypto/key-package';
import type { ExternalNetwork } from '../messages';
import type { PublishOutcome } from '../networks/network';
import { completion, verifyClaim } from '../networks/bitcoin/eventuality';
import { outputKeySet } from '../networks/bitcoin/keys';
import { publish } from '../networks/bitcoin/publish';
import type { BitcoinRpc } from '../networks/bitcoin/rpc';
import { buildTransaction, type SignableTransaction } from '../networks/bitcoin/transaction';
import type { Keystore } from '../store';

export function createPlanActivities(deps: { network: ExternalNetwork; keystore: Keystore; bitcoinRpc?: BitcoinRpc }) {
  const { keystore } = deps;
  const rpc = () => {
    if (!deps.bitcoinRpc) throw ApplicationFailure.nonRetryable(`no Bitcoin RPC configured for ${deps.network}`, 'NetworkUnavailable');
    return deps.bitcoinRpc;
  };

  return {
    /** The unsigned transaction of a plan for the key of `key`, and its eventuality (the txid). */
    async planSignable(input: { network: ExternalNetwork; key: { session: number; attempt: number }; plan: unknown }): Promise<SignableTransaction> {
      const pub = keystore.getGroupKey({ network: input.network, session: input.key.session, attempt: input.key.attempt, curve: 'secp256k1' });
      if (!pub) throw ApplicationFailure.nonRetryable(`no network key for session ${input.key.session}`, 'SigningKeyMissing');
      return buildTransaction(input.plan, outputKeySet(input.key.session, decodeFrostPublic(pub)).scripts);
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
