/**
 * Test helpers for Bitcoin transactions on a real btcd regtest node: a faucet that moves mined
 * coins onto any script (signed with the node's P2WPKH mining key), a block reader that finds
 * outputs paying given scripts, and hand-made plans for shapes the scheduler would not produce.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Block, payments, Transaction } from 'bitcoinjs-lib';
import { COINBASE_MATURITY, type BtcdNode } from '../../devnet/nodes/btcd';
import { computeBranchId, computePlanId, type Plan, type PlanOutput } from '../../scheduler';
import type { PlanBody } from '../../scheduler/plan-id';
import type { BitcoinRpc } from '../../networks/bitcoin/rpc';
import { outpointId } from '../../networks/bitcoin/transaction';

export interface Payout {
  readonly script: string;
  readonly amount: bigint;
}

/** Spends mature coinbase outputs of the node's mining key, one per `pay`, oldest first. */
export class Faucet {
  private nextHeight = 1;

  constructor(private readonly node: BtcdNode) {}

  /** Publishes one transaction paying `outputs` in order (change back to the miner last); returns its txid. */
  async pay(outputs: readonly Payout[]): Promise<string> {
    const { rpc, miningKey } = this.node;
    if (miningKey === undefined) throw new Error('the faucet needs the node to have generated its mining key');
    const tip = await rpc.getBlockCount();
    const height = this.nextHeight++;
    if (tip - height + 1 < COINBASE_MATURITY) throw new Error(`the coinbase at height ${height} is not mature at tip ${tip}`);
    const coinbaseId = (await rpc.getBlock(await rpc.getBlockHash(height))).tx[0]!;
    const coinbase = Transaction.fromHex(await rpc.getRawTransactionHex(coinbaseId));
    const value = coinbase.outs[0]!.value;

    const tx = new Transaction();
    tx.version = 2;
    tx.addInput(coinbase.getHash(), 0);
    for (const output of outputs) tx.addOutput(hexToBytes(output.script), output.amount);
    // 1 sat/vB is btcd's floor; this is at least 5 sat/vB for any number of outputs.
    const fee = 5_000n + 250n * BigInt(outputs.length);
    const change = value - outputs.reduce((total, output) => total + output.amount, 0n) - fee;
    if (change < 10_000n) throw new Error('the faucet coinbase cannot cover these outputs');
    tx.addOutput(miningKey.outputScript, change);

    const scriptCode = payments.p2pkh({ pubkey: miningKey.publicKey }).output!;
    const sighash = tx.hashForWitnessV0(0, scriptCode, value, Transaction.SIGHASH_ALL);
    const signature = secp256k1.sign(sighash, miningKey.secretKey, { prehash: false, format: 'der' });
    tx.setWitness(0, [Uint8Array.from([...signature, Transaction.SIGHASH_ALL]), miningKey.publicKey]);
    return rpc.sendRawTransaction(tx.toHex());
  }
}

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
