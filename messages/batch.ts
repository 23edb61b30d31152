/**
 * SCALE encodings of the InInstruction types and of `Batch`, and the message an sr25519 Batch
 * signature covers: `b"InInstructions-batch" || SCALE(Batch)` (reference section 3.5).
 */
import { hexToBytes, utf8ToBytes, concatBytes } from '@noble/hashes/utils.js';

import type {
  Balance,
  Batch,
  DexCall,
  ExternalBalance,
  InInstruction,
  InInstructionWithBalance,
  OutAddress,
} from './instructions';
import { MAX_ADDRESS_LEN } from './limits';
import { COIN_IDS, EXTERNAL_COIN_IDS, EXTERNAL_NETWORK_IDS, NETWORK_IDS } from './networks';
import type { Hex } from './primitives';
import * as scale from './scale';

function seraiAddress(address: Hex): Uint8Array {
  return scale.fixedBytes(hexToBytes(address), 32);
}

/** `ExternalAddress` is a BoundedVec<u8, 196>. */
export function encodeExternalAddress(address: Hex): Uint8Array {
  const bytes = hexToBytes(address);
  if (bytes.length > MAX_ADDRESS_LEN) throw new RangeError(`ExternalAddress: ${bytes.length} bytes`);
  return scale.byteVec(bytes);
}

/** `Balance` = Coin (u8) || Amount (u64 LE). */
export function encodeBalance(balance: Balance): Uint8Array {
  return scale.tuple(scale.u8(COIN_IDS[balance.coin]), scale.u64(BigInt(balance.amount)));
}

/** `ExternalBalance` = ExternalCoin (u8, 4..7) || Amount (u64 LE). */
export function encodeExternalBalance(balance: ExternalBalance): Uint8Array {
  return scale.tuple(scale.u8(EXTERNAL_COIN_IDS[balance.coin]), scale.u64(BigInt(balance.amount)));
}

export function encodeOutAddress(address: OutAddress): Uint8Array {
  switch (address.kind) {
    case 'Serai':
      return scale.variant(0, seraiAddress(address.address));
    case 'External':
      return scale.variant(1, encodeExternalAddress(address.address));
  }
}

export function encodeDexCall(call: DexCall): Uint8Array {
  switch (call.kind) {
    case 'SwapAndAddLiquidity':
      return scale.variant(0, seraiAddress(call.address));
    case 'Swap':
      return scale.variant(1, encodeBalance(call.minimum), encodeOutAddress(call.to));
  }
}

export function encodeInInstruction(instruction: InInstruction): Uint8Array {
  switch (instruction.kind) {
    case 'Transfer':
      return scale.variant(0, seraiAddress(instruction.address));
    case 'Dex':
      return scale.variant(1, encodeDexCall(instruction.call));
    case 'GenesisLiquidity':
      return scale.variant(2, seraiAddress(instruction.address));
    case 'SwapToStakedSRI':
      return scale.variant(3, seraiAddress(instruction.address), scale.u8(NETWORK_IDS[instruction.network]));
  }
}

export function encodeInInstructionWithBalance(item: InInstructionWithBalance): Uint8Array {
  return scale.tuple(encodeInInstruction(item.instruction), encodeExternalBalance(item.balance));
}

/** `Batch{network, id: u32, block: [u8; 32], instructions: Vec<InInstructionWithBalance>}`. */
export function encodeBatch(batch: Batch): Uint8Array {
  return scale.tuple(
    scale.u8(EXTERNAL_NETWORK_IDS[batch.network]),
    scale.u32(batch.id),
    scale.fixedBytes(hexToBytes(batch.block), 32),
    scale.vec(batch.instructions, encodeInInstructionWithBalance),
  );
}

const BATCH_CONTEXT = utf8ToBytes('InInstructions-batch');

/** The bytes the set's sr25519 key signs for a Batch. */
export function batchMessage(batch: Batch): Uint8Array {
  return concatBytes(BATCH_CONTEXT, encodeBatch(batch));
}
