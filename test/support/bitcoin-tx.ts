/**
 * Test helpers for Bitcoin transactions on a real btcd regtest node: the devnet wallet's faucet
 * that moves mined coins onto any script (signed with the node's P2WPKH mining key), a block
 * reader that finds outputs paying given scripts, and hand-made plans for shapes the scheduler
 * would not produce.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { Block, payments } from 'bitcoinjs-lib';
import { computeBranchId, computePlanId, type Plan, type PlanOutput } from '../../scheduler';
import type { PlanBody } from '../../scheduler/plan-id';
import { bitcoinChain } from '../../networks/bitcoin/adapter';
import { BitcoinRpc } from '../../networks/bitcoin/rpc';
import { outpointId } from '../../networks/bitcoin/transaction';

export { Faucet, type Payout } from '../../devnet/wallet';

/** The real Bitcoin adapter on an RPC address nothing listens at: for what it does without a node (keys, transactions). */
export const offlineBitcoinChain = () => bitcoinChain(new BitcoinRpc({ url: 'http://127.0.0.1:9', username: 'unused', password: 'unused' }));

export interface ChainOutput {
  readonly txid: string;
  readonly vout: number;
  /** The scheduler's output id (txid || vout LE). */
  readonly id: string;
  readonly script: string;
  readonly amount: bigint;
  readonly height: number;
}

/** Every output in blocks `from..to` (inclusive) of the best chain whose script is in `scripts`. */
export async function outputsPaying(rpc: BitcoinRpc, scripts: ReadonlySet<string>, from: number, to: number): Promise<ChainOutput[]> {
  const found: ChainOutput[] = [];
  for (let height = from; height <= to; height++) {
    const block = Block.fromHex(await rpc.getBlockHex(await rpc.getBlockHash(height)));
    for (const tx of block.transactions ?? []) {
      const txid = tx.getId();
      tx.outs.forEach((output, vout) => {
        const script = bytesToHex(output.script);
        if (scripts.has(script)) found.push({ txid, vout, id: outpointId(txid, vout), script, amount: output.value, height });
      });
    }
  }
  return found;
}

/** A plan with its id and branch ids computed, for shapes the scheduler does not make by itself. */
export function makePlan(body: PlanBody): Plan {
  const id = computePlanId(body);
  const outputs = body.outputs.map(
    (output, index): PlanOutput => (output.kind === 'branch' ? { kind: 'branch', branch: computeBranchId(id, index), amount: output.amount } : output),
  );
  return { id, ...body, inputs: [...body.inputs], outputs };
}

/** A P2TR script of a fresh random key: a payee's address. */
export function randomTaprootScript(): string {
  return `5120${bytesToHex(secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), true).subarray(1))}`;
}

/** A P2WPKH script of a fresh random key. */
export function randomSegwitScript(): string {
  const pubkey = secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), true);
  return bytesToHex(payments.p2wpkh({ pubkey }).output!);
}
