/** Bitcoin behind the chain seam, over a btcd (or bitcoind) RPC client. */
import { isUtxoPlan } from '../../scheduler/plans';
import type { ChainAdapter, Signable } from '../chain';
import { TransactionBuildError } from '../chain-errors';
import { BitcoinNetwork } from './chain';
import { completion, verifyClaim } from './eventuality';
import { scriptsOfNetworkKey } from './keys';
import { publish } from './publish';
import type { BitcoinRpc } from './rpc';
import { pollScanner } from './feed';
import { bitcoinTransactionSigning } from './signing-protocol';
import { buildTransaction, type SignableTransaction } from './transaction';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

export function bitcoinChain(rpc: BitcoinRpc): ChainAdapter {
  const network = new BitcoinNetwork(rpc);
  return {
    network: 'bitcoin',
    feed: {
      async tip() {
        // The height from the hash's own header: two separate calls can straddle a new block.
        const hash = await rpc.getBestBlockHash();
        return { height: (await rpc.getBlockHeader(hash)).height, hash };
      },
      /**
       * The first block whose median time past reaches `activeFrom`, by binary search, or the block
       * after the tip (the activation block is not mined yet). No earlier block matters, so every
       * validator ends up with the same activation block.
       */
      async activationSearchStart(activeFrom) {
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
      async poll(state, keys, upTo) {
        const poll = await pollScanner(network, state, keys, { upTo });
        return {
          state: poll.state,
          followedReorg: poll.followedReorg,
          blocks: poll.blocks.map(({ block, outputs, deposits }) => ({
            block: { height: block.height, hash: block.hash, time: block.time },
            outputs: outputs.map(({ txid, vout, kind, amount, session }) => ({ txid, vout, kind, amount, session })),
            deposits,
          })),
        };
      },
      feeRateAt: (blockHash) => network.feeRateAt(blockHash),
      async spentOutputs(ids) {
        const spent: string[] = [];
        // An output id is its txid (RPC byte order) followed by its index as u32 little-endian.
        for (const id of ids) {
          const vout = new DataView(hexToBytes(id.slice(64)).buffer).getUint32(0, true);
          if ((await rpc.getTxOut(id.slice(0, 64), vout, true)) === null) spent.push(id);
        }
        return spent;
      },
    },
    keys: {
      keySet: (_session, groupKey) => ({ networkKey: bytesToHex(groupKey), scripts: scriptsOfNetworkKey(bytesToHex(groupKey)) }),
    },
    transactions: {
      signable: (plan, _session, groupKey) => {
        if (!isUtxoPlan(plan)) throw new TransactionBuildError('plan', 'expected a UTXO plan (inputs and outputs)');
        return buildTransaction(plan, scriptsOfNetworkKey(bytesToHex(groupKey)));
      },
      signing: bitcoinTransactionSigning as ChainAdapter['transactions']['signing'],
      publish: (hex) => publish(rpc, hex),
      async completion(signable: Signable, confirmations) {
        const found = await completion(rpc, (signable as SignableTransaction).eventuality, confirmations);
        return { completed: found.completed, height: found.height };
      },
      async verifyClaim(signable: Signable, claim, confirmations) {
        const verdict = await verifyClaim(rpc, (signable as SignableTransaction).eventuality, claim, confirmations);
        return verdict.valid ? { valid: true } : { valid: false, reason: verdict.reason, pending: verdict.pending };
      },
    },
  };
}
