/**
 * Content hashes of the simulated chain: blake2b-256 (Serai's hash) over SCALE encodings. A
 * block's hash covers its number, parent, time and every event in it, the included Batches with
 * their signatures, so equal histories give equal hashes and any difference changes them.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

import { encodeExternalAddress, encodeExternalBalance, encodeInInstructionWithBalance } from '../../messages/batch';
import type { InInstructionWithBalance, OutInstructionWithBalance } from '../../messages/instructions';
import { EXTERNAL_NETWORK_IDS, type ExternalNetwork } from '../../messages/networks';
import type { Hex } from '../../messages/primitives';
import * as scale from '../../messages/scale';
import { EXTERNAL_NETWORKS, type BatchRecord, type BlockNetworkEvents, type BurnRecord, type KeyEvent, type SeraiBlock, type SeraiChainState } from './state';

const BLOCK_DOMAIN = utf8ToBytes('serai-simulator-block-v1');

function blake2b256(bytes: Uint8Array): Uint8Array {
  return blake2b(bytes, { dkLen: 32 });
}

const bytes32 = (hex: Hex) => scale.fixedBytes(hexToBytes(hex), 32);

/** What Serai's `Batch` event carries: blake2b-256 of SCALE(Vec<InInstructionWithBalance>). */
export function instructionsHash(instructions: readonly InInstructionWithBalance[]): Hex {
  return bytesToHex(blake2b256(scale.vec(instructions, encodeInInstructionWithBalance)));
}

/** `OutInstructionWithBalance{instruction: OutInstruction{address, data: Option<Data>}, balance}`. */
export function encodeOutInstructionWithBalance(burn: OutInstructionWithBalance): Uint8Array {
  return scale.tuple(
    encodeExternalAddress(burn.instruction.address),
    scale.option(burn.instruction.data, (data) => scale.byteVec(hexToBytes(data))),
    encodeExternalBalance(burn.balance),
  );
}

function encodeKeyEvent({ session, keyPair }: KeyEvent): Uint8Array {
  return scale.tuple(scale.u32(session), bytes32(keyPair.substrate_key), scale.byteVec(hexToBytes(keyPair.network_key)));
}

function encodeBatchRecord(batch: BatchRecord): Uint8Array {
  return scale.tuple(
    scale.u32(batch.id),
    bytes32(batch.externalBlock),
    bytes32(batch.instructionsHash),
    scale.fixedBytes(hexToBytes(batch.signature), 64),
  );
}

function encodeBurnRecord({ from, burn }: BurnRecord): Uint8Array {
  return scale.tuple(bytes32(from), encodeOutInstructionWithBalance(burn));
}

/** Looks up an included Batch by network and id. */
export type BatchLookup = (network: ExternalNetwork, id: number) => BatchRecord;

export function batchLookup(state: Pick<SeraiChainState, 'batches'>): BatchLookup {
  return (network, id) => {
    const record = state.batches[network][id];
    if (record === undefined) throw new RangeError(`no ${network} batch ${id}`);
    return record;
  };
}

function encodeNetworkEvents(network: ExternalNetwork, events: BlockNetworkEvents, batchOf: BatchLookup): Uint8Array {
  return scale.tuple(
    scale.u8(EXTERNAL_NETWORK_IDS[network]),
    bytes32(events.latestFinalizedBlock),
    scale.vec(events.keys, encodeKeyEvent),
    scale.vec(events.batches, (id) => encodeBatchRecord(batchOf(network, id))),
    scale.vec(events.burns, encodeBurnRecord),
  );
}

/** The hash of a block's contents (everything but the hash itself). */
export function blockHash(block: Omit<SeraiBlock, 'hash'>, batchOf: BatchLookup): Hex {
  const networks = EXTERNAL_NETWORKS.flatMap((network) => {
    const events = block.networks[network];
    return events === undefined ? [] : [encodeNetworkEvents(network, events, batchOf)];
  });
  return bytesToHex(
    blake2b256(
      scale.tuple(
        BLOCK_DOMAIN,
        scale.u64(block.number),
        bytes32(block.parent),
        scale.u64(BigInt(block.time)),
        scale.vec(networks, (encoded) => encoded),
      ),
    ),
  );
}
