/**
 * Intents: the idempotency key of a message, `[sender, type, sub] || SCALE(id fields)`, as hex.
 * A message re-sent with the same intent (after a crash, a retried activity) is a duplicate.
 *
 * Layout per reference section 2, with one deliberate change: `coordinator.SignedSlashReport`
 * carries SCALE(session) instead of nothing. The original's constant intent `[1, 4, 7]` lets only
 * one slash report ever pass deduplication (reference section 6, item 15).
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

import type { CoordinatorMessage } from './coordinator';
import type { KeyGenId, SignId, SubstrateSignableId, SubstrateSignId } from './ids';
import { EXTERNAL_NETWORK_IDS, type ExternalNetwork } from './networks';
import type { ProcessorMessage } from './processor';
import * as scale from './scale';

const COORDINATOR = 0;
const PROCESSOR = 1;

const KEY_GEN = 2;
const SIGN = 3;
const COORDINATION = 4;
const SUBSTRATE = 5;

function keyGenId(id: KeyGenId): Uint8Array {
  return scale.tuple(scale.u32(id.session), scale.u32(id.attempt));
}

function signId(id: SignId): Uint8Array {
  return scale.tuple(scale.u32(id.session), scale.fixedBytes(hexToBytes(id.id), 32), scale.u32(id.attempt));
}

function substrateSignableId(id: SubstrateSignableId): Uint8Array {
  switch (id.kind) {
    case 'CosigningSubstrateBlock':
      return scale.variant(0, scale.fixedBytes(hexToBytes(id.block), 32));
    case 'Batch':
      return scale.variant(1, scale.u32(id.id));
    case 'SlashReport':
      return scale.variant(2);
  }
}

function substrateSignId(id: SubstrateSignId): Uint8Array {
  return scale.tuple(scale.u32(id.session), substrateSignableId(id.id), scale.u32(id.attempt));
}

function batchKey(network: ExternalNetwork, id: number): Uint8Array {
  return scale.tuple(scale.u8(EXTERNAL_NETWORK_IDS[network]), scale.u32(id));
}

function intent(sender: number, type: number, sub: number, id: Uint8Array): string {
  return bytesToHex(scale.tuple(new Uint8Array([sender, type, sub]), id));
}

export function coordinatorMessageIntent(message: CoordinatorMessage): string {
  const from = (type: number, sub: number, id: Uint8Array) => intent(COORDINATOR, type, sub, id);
  switch (message.kind) {
    case 'key_gen.GenerateKey':
      return from(KEY_GEN, 0, keyGenId(message.id));
    case 'key_gen.Commitments':
      return from(KEY_GEN, 1, keyGenId(message.id));
    case 'key_gen.Shares':
      return from(KEY_GEN, 2, keyGenId(message.id));
    case 'key_gen.VerifyBlame':
      return from(KEY_GEN, 3, keyGenId(message.id));
    case 'sign.Preprocesses':
      return from(SIGN, 0, signId(message.id));
    case 'sign.Shares':
      return from(SIGN, 1, signId(message.id));
    case 'sign.Reattempt':
      return from(SIGN, 2, signId(message.id));
    case 'sign.Completed':
      return from(SIGN, 3, scale.tuple(scale.fixedBytes(hexToBytes(message.id), 32), scale.byteVec(hexToBytes(message.tx))));
    case 'coordinator.CosignSubstrateBlock':
      return from(COORDINATION, 0, substrateSignId(message.id));
    case 'coordinator.SignSlashReport':
      return from(COORDINATION, 1, substrateSignId(message.id));
    case 'coordinator.SubstratePreprocesses':
      return from(COORDINATION, 2, substrateSignId(message.id));
    case 'coordinator.SubstrateShares':
      return from(COORDINATION, 3, substrateSignId(message.id));
    case 'coordinator.BatchReattempt':
      return from(COORDINATION, 4, substrateSignId(message.id));
    case 'substrate.ConfirmKeyPair':
      return from(SUBSTRATE, 0, scale.u32(message.session));
    case 'substrate.SubstrateBlock':
      return from(SUBSTRATE, 1, scale.u64(BigInt(message.block)));
  }
}

export function processorMessageIntent(message: ProcessorMessage): string {
  const from = (type: number, sub: number, id: Uint8Array) => intent(PROCESSOR, type, sub, id);
  switch (message.kind) {
    case 'key_gen.Commitments':
      return from(KEY_GEN, 0, keyGenId(message.id));
    case 'key_gen.InvalidCommitments':
      return from(KEY_GEN, 1, keyGenId(message.id));
    case 'key_gen.Shares':
      return from(KEY_GEN, 2, keyGenId(message.id));
    case 'key_gen.InvalidShare':
      return from(KEY_GEN, 3, keyGenId(message.id));
    case 'key_gen.GeneratedKeyPair':
      return from(KEY_GEN, 4, keyGenId(message.id));
    case 'key_gen.Blame':
      return from(KEY_GEN, 5, keyGenId(message.id));
    case 'sign.InvalidParticipant':
      return from(SIGN, 0, signId(message.id));
    case 'sign.Preprocess':
      return from(SIGN, 1, signId(message.id));
    case 'sign.Share':
      return from(SIGN, 2, signId(message.id));
    case 'sign.Completed':
      return from(SIGN, 3, scale.fixedBytes(hexToBytes(message.id), 32));
    case 'coordinator.SubstrateBlockAck':
      return from(COORDINATION, 0, scale.u64(BigInt(message.block)));
    case 'coordinator.InvalidParticipant':
      return from(COORDINATION, 1, substrateSignId(message.id));
    case 'coordinator.CosignPreprocess':
      return from(COORDINATION, 2, substrateSignId(message.id));
    case 'coordinator.BatchPreprocess':
      return from(COORDINATION, 3, substrateSignId(message.id));
    case 'coordinator.SlashReportPreprocess':
      return from(COORDINATION, 4, substrateSignId(message.id));
    case 'coordinator.SubstrateShare':
      return from(COORDINATION, 5, substrateSignId(message.id));
    case 'coordinator.CosignedBlock':
      return from(COORDINATION, 6, scale.fixedBytes(hexToBytes(message.block), 32));
    case 'coordinator.SignedSlashReport':
      return from(COORDINATION, 7, scale.u32(message.session));
    case 'substrate.Batch':
      return from(SUBSTRATE, 0, batchKey(message.batch.network, message.batch.id));
    case 'substrate.SignedBatch':
      return from(SUBSTRATE, 1, batchKey(message.batch.batch.network, message.batch.batch.id));
  }
}
