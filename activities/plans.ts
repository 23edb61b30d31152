/**
 * A plan's transaction on its chain, through the chain adapter: built for the session's key,
 * published, and watched for its eventuality (ours, or another validator's claim checked against
 * the chain).
 */
import { ApplicationFailure } from '@temporalio/common';
import { decodeFrostPublic } from '../crypto/key-package';
import type { ExternalNetwork } from '../messages';
import type { ChainAdapter, ClaimVerdict, Signable } from '../networks/chain';
import type { PublishOutcome } from '../networks/network';
import type { AnyPlan } from '../scheduler/plans';
import type { Keystore } from '../store';
import { SIGNING_KEY_MISSING } from './failures';
import type { SigningKeyInfo } from './signing-key';

export function createPlanActivities(deps: { keystore: Keystore; chain: () => ChainAdapter; signingKey: (session?: number) => Promise<SigningKeyInfo> }) {
  const { keystore, chain } = deps;
  /** The unsigned transaction of a plan for the key of `key`, and its eventuality. */
  async function planSignable(input: { network: ExternalNetwork; key: { session: number; attempt: number }; plan: AnyPlan }): Promise<Signable> {
    const pub = keystore.getGroupKey({ network: input.network, session: input.key.session, attempt: input.key.attempt, curve: chain().transactions.signing.curve });
    if (!pub) throw ApplicationFailure.nonRetryable(`no network key for session ${input.key.session}`, SIGNING_KEY_MISSING);
    const sessionZero = keystore.getConfirmedKey(input.network, 0);
    return await chain().transactions.signable(input.plan, input.key.session, decodeFrostPublic(pub).commitments[0]!, sessionZero && decodeFrostPublic(sessionZero.groupKey).commitments[0]);
  }
  return {
    planSignable,

    /**
     * The confirmed key a plan is signed with (`substrateSigningKey` of its session, by default the
     * latest) and the plan's unsigned transaction under it, in one round trip.
     */
    async planSigning(input: { network: ExternalNetwork; session?: number; plan: AnyPlan }): Promise<{ key: SigningKeyInfo; signable: Signable }> {
      const key = await deps.signingKey(input.session);
      const signable = await planSignable({ network: input.network, key: { session: key.session, attempt: key.attempt }, plan: input.plan });
      return { key, signable };
    },

    async publishTransaction(signed: string): Promise<PublishOutcome> {
      return chain().transactions.publish(signed);
    },

    /** Whether the plan's transaction is on the best chain with `confirmations`. */
    async planCompletion(signable: Signable, confirmations: number): Promise<{ completed: boolean; height?: number }> {
      return chain().transactions.completion(signable, confirmations);
    },

    /** Checks another validator's claimed completion against the chain (histories before the confirmations argument: 1). */
    async verifyCompletionClaim(signable: Signable, claim: string, confirmations = 1): Promise<ClaimVerdict> {
      return chain().transactions.verifyClaim(signable, claim, confirmations);
    },
  };
}
