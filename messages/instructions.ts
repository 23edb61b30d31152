import { z } from 'zod';

import { MAX_ADDRESS_LEN, MAX_BATCH_INSTRUCTIONS, MAX_DATA_LEN, SR25519_SIGNATURE_BYTES } from './limits';
import { coin, externalCoin, externalNetwork, network } from './networks';
import { boundedArray, hex32, hexBytes, u32, u64 } from './primitives';

/** A Serai account: an sr25519 public key. */
export const seraiAddress = hex32;
/** An address on an external network, as Serai stores it (at most 196 bytes, possibly empty). */
export const externalAddress = hexBytes(0, MAX_ADDRESS_LEN);
/** Instruction data (at most 512 bytes). */
export const data = hexBytes(0, MAX_DATA_LEN);

/** `Balance`: any coin, SRI included. */
export const balance = z.strictObject({ coin, amount: u64 });
/** `ExternalBalance`: a coin of an external network. */
export const externalBalance = z.strictObject({ coin: externalCoin, amount: u64 });

/** `OutAddress`: where a swap pays out. */
export const outAddress = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('Serai'), address: seraiAddress }),
  z.strictObject({ kind: z.literal('External'), address: externalAddress }),
]);

/** `DexCall`. */
export const dexCall = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('SwapAndAddLiquidity'), address: seraiAddress }),
  z.strictObject({ kind: z.literal('Swap'), minimum: balance, to: outAddress }),
]);

/** `InInstruction`: what Serai does with a deposit. */
export const inInstruction = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('Transfer'), address: seraiAddress }),
  z.strictObject({ kind: z.literal('Dex'), call: dexCall }),
  z.strictObject({ kind: z.literal('GenesisLiquidity'), address: seraiAddress }),
  z.strictObject({ kind: z.literal('SwapToStakedSRI'), address: seraiAddress, network }),
]);

export const inInstructionWithBalance = z.strictObject({ instruction: inInstruction, balance: externalBalance });

/** `Batch`: the InInstructions of one notable external block. `block` is the block's hash. */
export const batch = z.strictObject({
  network: externalNetwork,
  id: u32,
  block: hex32,
  instructions: boundedArray(inInstructionWithBalance, 0, MAX_BATCH_INSTRUCTIONS),
});

export const signedBatch = z.strictObject({ batch, signature: hexBytes(SR25519_SIGNATURE_BYTES) });

/** `OutInstruction`: a payout; `data` is null when absent. */
export const outInstruction = z.strictObject({ address: externalAddress, data: data.nullable() });
export const outInstructionWithBalance = z.strictObject({ instruction: outInstruction, balance: externalBalance });

export type Balance = z.output<typeof balance>;
export type ExternalBalance = z.output<typeof externalBalance>;
export type OutAddress = z.output<typeof outAddress>;
export type DexCall = z.output<typeof dexCall>;
export type InInstruction = z.output<typeof inInstruction>;
export type InInstructionWithBalance = z.output<typeof inInstructionWithBalance>;
export type Batch = z.output<typeof batch>;
export type SignedBatch = z.output<typeof signedBatch>;
export type OutInstruction = z.output<typeof outInstruction>;
export type OutInstructionWithBalance = z.output<typeof outInstructionWithBalance>;
