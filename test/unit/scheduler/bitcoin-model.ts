import type { FeeModel, Plan, ReceivedOutput, TransactionShape } from '../../../scheduler';

// Pure: imported by the workflow fixture as well as by the tests.

const compactSizeLength = (n: number): number => (n < 0xfd ? 1 : n <= 0xffff ? 3 : 5);

/**
 * Segwit v1 transaction weight: version, locktime and counts (x4) plus the marker and flag;
 * P2TR key-path inputs (outpoint, empty scriptSig, sequence; witness = one 64-byte signature);
 * outputs of 8-byte value + script (payments: the address is the script; ours: P2TR, 34 bytes).
 */
export function taprootWeight(shape: TransactionShape): number {
  const outputs = shape.outputs.length + (shape.change ? 1 : 0);
  let weight = 4 * (4 + 4 + compactSizeLength(shape.inputs.length) + compactSizeLength(outputs)) + 2;
  weight += shape.inputs.length * (4 * (36 + 1 + 4) + (1 + 1 + 64));
  const script = (bytes: number): number => 4 * (8 + compactSizeLength(bytes) + bytes);
  for (const output of shape.outputs) weight += script(output.kind === 'payment' ? output.address.length / 2 : 34);
  if (shape.change) weight += script(34);
  return weight;
}

/** The fee at `satPerVbyte` for a transaction of this shape, as a Bitcoin adapter would give it. */
export function taprootFees(satPerVbyte: bigint): FeeModel {
  return (shape) => BigInt(Math.ceil(taprootWeight(shape) / 4)) * satPerVbyte;
}

/** A 36-byte outpoint: a 32-byte txid and a little-endian output index. */
export const outpoint = (txid: string, index: number): string =>
  txid + [0, 8, 16, 24].map((shift) => ((index >>> shift) & 0xff).toString(16).padStart(2, '0')).join('');

/**
 * The outputs a confirmed plan pays back to the multisig, as the scanner reports them. The
 * plan id stands in for the txid (one transaction per plan); change is the last output.
 */
export function outputsToUs(plan: Plan): ReceivedOutput[] {
  const received: ReceivedOutput[] = plan.outputs.flatMap((output, index): ReceivedOutput[] =>
    output.kind === 'branch'
      ? [{ id: outpoint(plan.id, index), kind: 'branch', amount: output.amount, branch: output.branch }]
      : [],
  );
  if (plan.change !== null) {
    received.push({ id: outpoint(plan.id, plan.outputs.length), kind: 'change', amount: plan.change });
  }
  return received;
}
