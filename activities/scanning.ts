/**
 * The scanner workflow's view of the chain and of this validator's keys, through the chain
 * adapter: one poll of the finality tracker, where to start scanning for a key, fee rates read at
 * a given block, and the ids our plans' transactions will have.
 */
import { ApplicationFailure } from '@temporalio/common';
import { decodeFrostPublic } from '../crypto/key-package';
import type { ExternalNetwork } from '../messages';
import type { ChainAdapter, FeedPoll, TimedKeySet } from '../networks/chain';
import type { OutputKind } from '../networks/network';
import { FinalizedReorgError, ScanStateError, type ScanState } from '../networks/finality';
import type { AnyPlan } from '../scheduler/plans';
import type { Keystore } from '../store';
import { KEY_NOT_GENERATED } from './failures';

export type ScanPollResult = FeedPoll;

export function createScanningActivities(deps: { keystore: Keystore; chain: () => ChainAdapter }) {
  const { keystore, chain } = deps;
  const networkPublic = (network: ExternalNetwork, session: number) => {
    const confirmed = keystore.getConfirmedKey(network, session);
    if (confirmed === undefined) {
      // A key this validator never generated will never be confirmed here: a confirmation for it is not ours.
      if (keystore.groupKeysOfSession(network, session).length === 0) {
        throw ApplicationFailure.nonRetryable(`this validator generated no ${network} key for session ${session}`, KEY_NOT_GENERATED);
      }
      // Retryable: Serai's confirmation of the key may still be on its way to this keystore.
      throw ApplicationFailure.retryable(`session ${session}'s ${network} key is not confirmed in this keystore yet`, 'KeyNotActive');
    }
    return decodeFrostPublic(confirmed.groupKey);
  };
  /** The network's session-0 key, if this keystore holds it (it identifies a contract chain's one contract). */
  const sessionZeroPublic = (network: ExternalNetwork) => {
    const confirmed = keystore.getConfirmedKey(network, 0);
    return confirmed === undefined ? undefined : decodeFrostPublic(confirmed.groupKey);
  };

  return {
    /** The scripts the scanner watches for the session's confirmed key, and the key as Serai knows it. */
    async scannerKeySet(input: { network: ExternalNetwork; session: number }): Promise<{ networkKey: string; scripts: Record<OutputKind, string>; contractKey?: string }> {
      return await chain().keys.keySet(input.session, networkPublic(input.network, input.session), sessionZeroPublic(input.network));
    },

    /** Where to start scanning for a key activated at Serai time `activeFrom` (every validator finds the same block). */
    async activationSearchStart(activeFrom: number): Promise<number> {
      return chain().feed.activationSearchStart(activeFrom);
    },

    async scanPoll(input: { state: ScanState; keys: TimedKeySet[]; upTo?: number }): Promise<ScanPollResult> {
      try {
        return await chain().feed.poll(input.state, input.keys, input.upTo);
      } catch (err) {
        if (err instanceof FinalizedReorgError) throw ApplicationFailure.nonRetryable(err.message, FinalizedReorgError.type);
        if (err instanceof ScanStateError) throw ApplicationFailure.nonRetryable(err.message, ScanStateError.type);
        throw err;
      }
    },

    /** Of the outputs the scheduler holds (by id), those the chain no longer shows unspent. */
    async spentOutputs(ids: string[]): Promise<string[]> {
      return chain().feed.spentOutputs(ids);
    },

    async feeRateAt(blockHash: string): Promise<number> {
      return chain().feed.feeRateAt(blockHash);
    },

    /** The id each plan's transaction will have (its eventuality; witnesses do not change it). */
    async planTxids(input: { network: ExternalNetwork; session: number; plans: AnyPlan[] }): Promise<{ index: number; txid: string }[]> {
      const pub = networkPublic(input.network, input.session);
      const sessionZero = sessionZeroPublic(input.network);
      return Promise.all(input.plans.map(async (plan, index) => ({ index, txid: (await chain().transactions.signable(plan, input.session, pub, sessionZero)).eventuality.id })));
    },
  };
}
