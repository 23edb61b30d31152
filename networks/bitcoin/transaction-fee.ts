/**
 * Exact weights and fees of the processor's Bitcoin transactions, for the scheduler's `FeeModel`.
 * Pure and dependency-free (types only), so workflows can import it.
 *
 * Every input spends one of our Taproot outputs by the key path, whose witness is exactly one
 * 64-byte BIP340 signature (SIGHASH_DEFAULT, no sighash byte, no annex), so the signed size is
 * known before signing. Branch and change outputs are P2TR (34-byte scripts); a payment's script
 * is its address.
 */
import type { FeeModel, TransactionShape } from '../../scheduler';
import { TransactionBuildError } from '../chain-errors';

/** BIP141 weight of a policy-standard transaction (bitcoind/btcd MAX_STANDARD_TX_WEIGHT). */
export const MAX_STANDARD_TX_WEIGHT = 400_000;
/** `OP_1 <32 bytes>`. */
export const P2TR_SCRIPT_BYTES = 34;
/** The smallest change output the builder creates (the reference's library dust). */
export const CHANGE_DUST = 546n;

const compactSizeLength = (n: number): number => (n < 0xfd ? 1 : n <= 0xffff ? 3 : 5);

/** version (4) + locktime (4); each input: outpoint (36) + empty scriptSig (1) + sequence (4). */
const TX_FIXED_BYTES = 8;
const INPUT_BYTES = 36 + 1 + 4;
/** Witness of a key-path spend: item count (1), signature length (1), signature (64). */
const KEY_PATH_WITNESS_BYTES = 1 + 1 + 64;
/** Segwit marker and flag, counted at witness weight. */
const SEGWIT_MARKER_WEIGHT = 2;

/** The weight of an output paying `scriptBytes` bytes of script: value (8), script length, script. */
export const outputWeight = (scriptBytes: number): number => 4 * (8 + compactSizeLength(scriptBytes) + scriptBytes);

/** The BIP141 weight of the signed transaction of this shape. */
export function transactionWeight(shape: TransactionShape): number {
  const inputs = shape.inputs.length;
  const outputs = shape.outputs.length + (shape.change ? 1 : 0);
  let weight = 4 * (TX_FIXED_BYTES + compactSizeLength(inputs) + compactSizeLength(outputs)) + SEGWIT_MARKER_WEIGHT;
  weight += inputs * (4 * INPUT_BYTES + KEY_PATH_WITNESS_BYTES);
  for (const output of shape.outputs) weight += outputWeight(output.kind === 'payment' ? output.address.length / 2 : P2TR_SCRIPT_BYTES);
  if (shape.change) weight += outputWeight(P2TR_SCRIPT_BYTES);
  return weight;
}

/** BIP141 virtual size: weight / 4, rounded up. */
export const virtualSize = (weight: number): number => Math.ceil(weight / 4);

/** The scheduler's fee model at a fee rate in sat/vB: vsize of the signed transaction x rate. */
export function bitcoinFeeModel(satPerVbyte: bigint): FeeModel {
  if (typeof satPerVbyte !== 'bigint' || satPerVbyte < 1n) throw new TransactionBuildError('satPerVbyte', 'expected a bigint of at least 1');
  return (shape) => BigInt(virtualSize(transactionWeight(shape))) * satPerVbyte;
}
