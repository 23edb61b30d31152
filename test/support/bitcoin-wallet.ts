/**
 * A minimal regtest wallet for scanning tests and the scanning benchmark: it spends P2WPKH outputs
 * of its keys (the btcd mining key first of all) and bare `OP_TRUE` outputs, and builds deposits
 * with whatever OP_RETURN the test wants, hostile ones included. Signatures are real (libsecp256k1
 * via tiny-secp256k1); btcd checks them with its consensus rules.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { networks, payments, script as bitcoinScript, Transaction } from 'bitcoinjs-lib';
import * as ecc from 'tiny-secp256k1';

import { COINBASE_MATURITY, type BtcdNode } from '../../nodes/btcd';
import type { RegtestKey } from '../../nodes/regtest-key';

/** A bare `OP_TRUE` output: anyone can spend it, and Serai cannot name it as an address. */
export const OP_TRUE_SCRIPT = Uint8Array.of(0x51);

export interface Utxo {
  txid: string;
  vout: number;
  value: bigint;
  script: Uint8Array;
}

export interface TxOutput {
  script: Uint8Array;
  value: bigint;
}

/** `OP_RETURN <data>` with the push opcode the length needs (PUSHDATA1/2 for long data). */
export function opReturn(data: Uint8Array): Uint8Array {
  return bitcoinScript.compile([bitcoinScript.OPS.OP_RETURN, data]);
}

export class RegtestWallet {
  private readonly keysByScript = new Map<string, RegtestKey>();

  constructor(
    readonly node: BtcdNode,
    keys: readonly RegtestKey[],
  ) {
    for (const key of keys) this.keysByScript.set(bytesToHex(key.outputScript), key);
  }

  /** The coinbase outputs paying our keys in blocks `from..to`, each mature at the current tip. */
  async coinbases(from: number, to: number): Promise<Utxo[]> {
    const tip = await this.node.rpc.getBlockCount();
    if (to + COINBASE_MATURITY > tip + 1) throw new Error(`coinbase of block ${to} is not mature at tip ${tip}`);
    const utxos: Utxo[] = [];
    for (let height = from; height <= to; height++) {
      const block = await this.node.rpc.getBlock(await this.node.rpc.getBlockHash(height));
      const coinbase = Transaction.fromHex(await this.node.rpc.getRawTransactionHex(block.tx[0] ?? ''));
      utxos.push(...this.ownOutputs(coinbase));
    }
    return utxos;
  }

  /** The outputs of `tx` this wallet can spend. */
  ownOutputs(tx: Transaction): Utxo[] {
    const txid = tx.getId();
    return tx.outs.flatMap((out, vout) =>
      this.keysByScript.has(bytesToHex(out.script)) || bytesToHex(out.script) === bytesToHex(OP_TRUE_SCRIPT)
        ? [{ txid, vout, value: out.value, script: out.script }]
        : [],
    );
  }

  /** A signed transaction spending `inputs` (in order) to `outputs` (in order); no change is added. */
  build(inputs: readonly Utxo[], outputs: readonly TxOutput[]): Transaction {
    const tx = new Transaction();
    tx.version = 2;
    for (const input of inputs) tx.addInput(Buffer.from(input.txid, 'hex').reverse(), input.vout);
    for (const output of outputs) tx.addOutput(output.script, output.value);
    for (const [index, input] of inputs.entries()) this.sign(tx, index, input);
    return tx;
  }

  /** `build` with a change output to the first key, paying `fee`. */
  pay(inputs: readonly Utxo[], outputs: readonly TxOutput[], fee: bigint, changeKey: RegtestKey): Transaction {
    const spent = inputs.reduce((sum, input) => sum + input.value, 0n);
    const paid = outputs.reduce((sum, output) => sum + output.value, 0n);
    const change = spent - paid - fee;
    if (change < 0n) throw new Error(`inputs of ${spent} sat cannot pay ${paid} sat and a ${fee} sat fee`);
    return this.build(inputs, [...outputs, { script: changeKey.outputScript, value: change }]);
  }

  async send(tx: Transaction): Promise<string> {
    return this.node.rpc.sendRawTransaction(tx.toHex());
  }

  private sign(tx: Transaction, index: number, input: Utxo): void {
    if (bytesToHex(input.script) === bytesToHex(OP_TRUE_SCRIPT)) return;
    const key = this.keysByScript.get(bytesToHex(input.script));
    if (!key) throw new Error(`no key for the script of ${input.txid}:${input.vout}`);
    const scriptCode = payments.p2pkh({ pubkey: key.publicKey, network: networks.regtest }).output;
    if (!scriptCode) throw new Error('bitcoinjs-lib p2pkh returned no script');
    const hash = tx.hashForWitnessV0(index, scriptCode, input.value, Transaction.SIGHASH_ALL);
    const signature = bitcoinScript.signature.encode(ecc.sign(hash, key.secretKey), Transaction.SIGHASH_ALL);
    tx.setWitness(index, [signature, key.publicKey]);
  }
}
