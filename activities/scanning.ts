/**
 * The scanner workflow's view of the chain and of this validator's keys: one poll of the
 * finality tracker, where to start scanning for a key, fee rates read at a given block, and the
 * txids our plans' transactions will have.
 */
import { ApplicationFailure } from '@temporalio/common';
import { bytesToHex } from '@noble/hashes/utils.js';
import { decodeFrostPublic } from '../crypto/key-package';
import type { ExternalNetwork } from '../messages';
import { BitcoinNetwork } from '../networks/bitcoin/chain';
import { outputKeySet } from '../networks/bitcoin/keys';
import type { BitcoinRpc } from '../networks/bitcoin/rpc';
import { FinalizedReorgError, ScanStateError, type ScanState } from '../networks/bitcoin/scan-state';
import { pollScanner, type TimedKeySet } from '../networks/bitcoin/scanner';
import { buildTransaction } from '../networks/bitcoin/transaction';
import type { OutputKind } from '../networks/network';
import type { Plan } from '../scheduler/types';
import type { Keystore } from '../store';
import type { FinalBlock } from '../workflows/scanner-core';

export interface ScanPollResult {
  state: ScanState;
  blocks: FinalBlock[];
  followedReorg: { height: number; replaced: string; by: string | null } | null;
}

export function createScanningActivities(deps: { network: ExternalNetwork; keystore: Keystore; bitcoinRpc?: BitcoinRpc }) {
  const { keystore } = deps;
  let chain: BitcoinNetwork | undefined;
  const bitcoin = () => {
    if (!deps.bitcoinRpc) throw ApplicationFailure.nonRetryable(`no Bitcoin RPC configured for ${deps.network}`, 'NetworkUnavailable');
    chain ??= new BitcoinNetwork(deps.bitcoinRpc);
    return chain;
  };
  const networkPublic = (network: ExternalNetwork, session: number) => {
    const active = keystore.getActiveKey(network);
    // Retryable: Serai's confirmation of the key may still be on its way to this keystore.
    if (active === undefined || active.session !== session) throw ApplicationFailure.retryable(`session ${session}'s key is not the active ${network} key yet`, 'KeyNotActive');
    return decodeFrostPublic(active.groupKey);
  };

  return {
    /** The scripts the scanner watches for the session's confirmed key, and the key as Serai knows it. */
    async scannerKeySet(input: { network: ExternalNetwork; session: number }): Promise<{ networkKey: string; scripts: Record<OutputKind, string> }> {
      const pub = networkPublic(input.network, input.session);
      return { networkKey: bytesToHex(pub.commitments[0]!), scripts: outputKeySet(input.session, pub).scripts };
    },

    /**
     * Where to start scanning for a key activated at Serai time `activeFrom`: the first block whose
     * median time past reaches it if the chain has one, else the block after the tip (the
     * activation block is not mined yet). Either way no block before the activation block
     * matters, so every validator ends up with the same activation block.
     */
    async activationSearchStart(activeFrom: number): Promise<number> {
      const network = bitcoin();
      const tip = await network.latestBlockNumber();
      if ((await network.blockAt(tip)).time < activeFrom) return tip + 1;
      let low = 0;
      let high = tip;
      while (low < high) {
        const middle = Math.floor((low + high) / 2);
        if ((await network.blockAt(middle)).time >= activeFrom) high = middle;
        else low = middle + 1;
      }
      return low;
    },

    async scanPoll(input: { state: ScanState; keys: TimedKeySet[]; upTo?: number }): Promise<ScanPollResult> {
      try {
        const poll = await pollScanner(bitcoin(), input.state, input.keys, { upTo: input.upTo });
        return {
          state: poll.state,
          followedReorg: poll.followedReorg,
          blocks: poll.blocks.map(({ block, outputs, deposits }) => ({
            block: { height: block.height, hash: block.hash, time: block.time },
            outputs: outputs.map(({ txid, vout, kind, amount }) => ({ txid, vout, kind, amount })),
            deposits,
          })),
        };
      } catch (err) {
        if (err instanceof FinalizedReorgError) throw ApplicationFailure.nonRetryable(err.message, 'FinalizedReorgError');
        if (err instanceof ScanStateError) throw ApplicationFailure.nonRetryable(err.message, 'ScanStateError');
        throw err;
      }
    },

    async feeRateAt(blockHash: string): Promise<number> {
      return bitcoin().feeRateAt(blockHash);
    },

    /** The txid each plan's transaction will have (witnesses do not change it). */
    async planTxids(input: { network: ExternalNetwork; session: number; plans: Plan[] }): Promise<{ index: number; txid: string }[]> {
      const scripts = outputKeySet(input.session, networkPublic(input.network, input.session)).scripts;
      return input.plans.map((plan, index) => ({ index, txid: buildTransaction(plan, scripts).eventuality.id }));
    },
  };
}
