/**
 * The scanner workflow's view of the chain and of this validator's keys, through the chain
 * adapter: one poll of the finality tracker, where to start scanning for a key, fee rates read at
 * a given block, and the ids our plans' transactions will have.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { keyCurve, suiteFor } from '../crypto/dkg/key-pair';
import { decodeFrostPublic } from '../crypto/key-package';
import type { ExternalNetwork } from '../messages';
import type { ChainAdapter, FeedPoll, TimedKeySet } from '../networks/chain';
import type { OutputKind } from '../networks/network';
import { FinalizedReorgError, ScanStateError, type ScanState } from '../networks/finality';
import type { AnyPlan } from '../scheduler/plans';
import type { Keystore } from '../store';
import { KEY_NOT_GENERATED, OBSERVED_KEY_REFUSED } from './failures';

const groupKeyOf = (publicPackage: Uint8Array) => decodeFrostPublic(publicPackage).commitments[0]!;

export type ScanPollResult = FeedPoll;

export function createScanningActivities(deps: { keystore: Keystore; chain: () => ChainAdapter }) {
  const { keystore, chain } = deps;
  /** Whether this keystore generated `networkKey` (hex, as Serai names it) in some attempt of the session. */
  const generated = (network: ExternalNetwork, session: number, networkKey: string) => {
    const curve = keyCurve(suiteFor(network, 'network'));
    return keystore.groupKeysOfSession(network, session).some((key) => key.curve === curve && bytesToHex(groupKeyOf(key.groupKey)) === networkKey);
  };
  /**
   * The group key of a session this keystore holds a share of, once Serai confirmed it here. With
   * the key Serai confirmed (`networkKey`), a key this validator generated in no attempt of the
   * session (it took part in an attempt that did not become the key) is told apart from one whose
   * confirmation is still on its way.
   */
  const heldGroupKey = (network: ExternalNetwork, session: number, networkKey?: string) => {
    const confirmed = keystore.getConfirmedKey(network, session);
    if (confirmed === undefined) {
      // A key this validator never generated will never be confirmed here: a confirmation for it is not ours.
      if (keystore.groupKeysOfSession(network, session).length === 0) {
        throw ApplicationFailure.nonRetryable(`this validator generated no ${network} key for session ${session}`, KEY_NOT_GENERATED);
      }
      if (networkKey !== undefined && !generated(network, session, networkKey)) {
        throw ApplicationFailure.nonRetryable(`Serai confirmed a ${network} key for session ${session} that this validator generated in none of its attempts`, KEY_NOT_GENERATED);
      }
      // Retryable: Serai's confirmation of the key may still be on its way to this keystore.
      throw ApplicationFailure.retryable(`session ${session}'s ${network} key is not confirmed in this keystore yet`, 'KeyNotActive');
    }
    return groupKeyOf(confirmed.groupKey);
  };
  /**
   * The group key of a session this validator holds no share of (a set it leaves, followed until
   * the old key retires, or an attempt it was not in became the key), as Serai confirmed it;
   * refused if this keystore generated that very key (it is held) or it is no point of the curve.
   */
  const observedGroupKey = (network: ExternalNetwork, session: number, networkKey: string) => {
    if (!/^(?:[0-9a-f]{2})+$/.test(networkKey)) {
      throw ApplicationFailure.nonRetryable(`session ${session}'s ${network} key ${networkKey.slice(0, 80)} is not a key of the network: expected lowercase hex`, OBSERVED_KEY_REFUSED);
    }
    if (generated(network, session, networkKey)) {
      throw ApplicationFailure.nonRetryable(`this validator generated session ${session}'s ${network} key: it is held, not observed`, OBSERVED_KEY_REFUSED);
    }
    try {
      const groupKey = hexToBytes(networkKey);
      suiteFor(network, 'network').decodePoint(groupKey);
      return groupKey;
    } catch (err) {
      throw ApplicationFailure.nonRetryable(`session ${session}'s ${network} key ${networkKey.slice(0, 80)} is not a key of the network: ${(err as Error).message}`, OBSERVED_KEY_REFUSED);
    }
  };
  /** The network's session-0 group key, if this keystore holds it (it identifies a contract chain's one contract). */
  const sessionZeroGroupKey = (network: ExternalNetwork) => {
    const confirmed = keystore.getConfirmedKey(network, 0);
    return confirmed === undefined ? undefined : groupKeyOf(confirmed.groupKey);
  };

  return {
    /** The scripts the scanner watches for the session's confirmed key, and the key as Serai knows it. */
    async scannerKeySet(input: { network: ExternalNetwork; session: number; networkKey?: string }): Promise<{ networkKey: string; scripts: Record<OutputKind, string>; contractKey?: string }> {
      return await chain().keys.keySet(input.session, heldGroupKey(input.network, input.session, input.networkKey), sessionZeroGroupKey(input.network));
    },

    /** The same for a key this validator holds no share of, from the network key Serai confirmed (it is followed, never signed with). */
    async scannerObservedKeySet(input: { network: ExternalNetwork; session: number; networkKey: string }): Promise<{ networkKey: string; scripts: Record<OutputKind, string>; contractKey?: string }> {
      return await chain().keys.keySet(input.session, observedGroupKey(input.network, input.session, input.networkKey), sessionZeroGroupKey(input.network));
    },

    /**
     * Returns once the node's best block is no longer `after` (the one the scanner's last wait returned), or
     * after `limitMs` either way: the scanner polls as soon as a block arrives instead of at its next
     * timer. Asks the node every `checkMs`; cancelled when the scanner is woken by a message.
     */
    async awaitNewBlock(input: { after: string | null; limitMs: number; checkMs?: number }): Promise<{ height: number; hash: string } | null> {
      const checkMs = Math.max(20, input.checkMs ?? 250);
      const deadline = Date.now() + Math.max(0, input.limitMs);
      for (;;) {
        const tip = await chain().feed.tip();
        if (tip.hash !== input.after) return tip;
        if (Date.now() + checkMs > deadline) return null;
        // Throws CancelledFailure once a heartbeat (activities/heartbeat.ts beats every 2 s) learns of the cancellation.
        await Context.current().sleep(checkMs);
      }
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
    async planTxids(input: { network: ExternalNetwork; session: number; plans: AnyPlan[]; observedKey?: string }): Promise<{ index: number; txid: string }[]> {
      const groupKey = input.observedKey === undefined ? heldGroupKey(input.network, input.session) : observedGroupKey(input.network, input.session, input.observedKey);
      const sessionZero = sessionZeroGroupKey(input.network);
      return Promise.all(input.plans.map(async (plan, index) => ({ index, txid: (await chain().transactions.signable(plan, input.session, groupKey, sessionZero)).eventuality.id })));
    },
  };
}
