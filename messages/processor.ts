/** Processor -> coordinator messages (section 2 of the reference), as they travel in JSON. */
import { z } from 'zod';

import { keyGenId, planMeta, signId, substrateSignId } from './ids';
import { batch, signedBatch } from './instructions';
import {
  MAX_CLAIM_BYTES,
  MAX_DKG_BLAME_BYTES,
  MAX_DKG_COMMITMENTS_BYTES,
  MAX_DKG_SHARE_BYTES,
  MAX_KEY_LEN,
  MAX_LOCAL_SHARES,
  MAX_PLANS_PER_SUBSTRATE_BLOCK,
  MAX_SIGN_PREPROCESS_BYTES,
  MAX_SIGN_SHARE_BYTES,
  MIN_DKG_COMMITMENTS_BYTES,
  SR25519_SIGNATURE_BYTES,
  SUBSTRATE_PREPROCESS_BYTES,
  SUBSTRATE_SHARE_BYTES,
} from './limits';
import { boundedArray, hex32, hexBytes, participant, participantMap, session, u64 } from './primitives';

/** One entry per local share, in the order of our participant indices. */
function perLocalShare<T extends z.ZodType>(item: T) {
  return boundedArray(item, 1, MAX_LOCAL_SHARES);
}

const substratePreprocesses = perLocalShare(hexBytes(SUBSTRATE_PREPROCESS_BYTES));

export const processorMessageSchemas = {
  'key_gen.Commitments': z.strictObject({
    kind: z.literal('key_gen.Commitments'),
    id: keyGenId,
    commitments: perLocalShare(hexBytes(MIN_DKG_COMMITMENTS_BYTES, MAX_DKG_COMMITMENTS_BYTES)),
  }),
  'key_gen.InvalidCommitments': z.strictObject({
    kind: z.literal('key_gen.InvalidCommitments'),
    id: keyGenId,
    faulty: participant,
  }),
  /** One map per local share: recipient -> the encrypted share for it. */
  'key_gen.Shares': z.strictObject({
    kind: z.literal('key_gen.Shares'),
    id: keyGenId,
    shares: perLocalShare(participantMap(hexBytes(1, MAX_DKG_SHARE_BYTES))),
  }),
  'key_gen.InvalidShare': z.strictObject({
    kind: z.literal('key_gen.InvalidShare'),
    id: keyGenId,
    accuser: participant,
    faulty: participant,
    blame: hexBytes(1, MAX_DKG_BLAME_BYTES).nullable(),
  }),
  'key_gen.GeneratedKeyPair': z.strictObject({
    kind: z.literal('key_gen.GeneratedKeyPair'),
    id: keyGenId,
    substrate_key: hex32,
    network_key: hexBytes(1, MAX_KEY_LEN),
  }),
  'key_gen.Blame': z.strictObject({ kind: z.literal('key_gen.Blame'), id: keyGenId, participant }),
  'sign.InvalidParticipant': z.strictObject({ kind: z.literal('sign.InvalidParticipant'), id: signId, participant }),
  'sign.Preprocess': z.strictObject({
    kind: z.literal('sign.Preprocess'),
    id: signId,
    preprocesses: perLocalShare(hexBytes(1, MAX_SIGN_PREPROCESS_BYTES)),
  }),
  'sign.Share': z.strictObject({
    kind: z.literal('sign.Share'),
    id: signId,
    shares: perLocalShare(hexBytes(1, MAX_SIGN_SHARE_BYTES)),
  }),
  'sign.Completed': z.strictObject({
    kind: z.literal('sign.Completed'),
    session,
    id: hex32,
    tx: hexBytes(0, MAX_CLAIM_BYTES),
  }),
  'coordinator.SubstrateBlockAck': z.strictObject({
    kind: z.literal('coordinator.SubstrateBlockAck'),
    block: u64,
    plans: boundedArray(planMeta, 0, MAX_PLANS_PER_SUBSTRATE_BLOCK),
  }),
  'coordinator.InvalidParticipant': z.strictObject({
    kind: z.literal('coordinator.InvalidParticipant'),
    id: substrateSignId,
    participant,
  }),
  'coordinator.CosignPreprocess': z.strictObject({
    kind: z.literal('coordinator.CosignPreprocess'),
    id: substrateSignId,
    preprocesses: substratePreprocesses,
  }),
  /** `block` is the external block the Batch reports. */
  'coordinator.BatchPreprocess': z.strictObject({
    kind: z.literal('coordinator.BatchPreprocess'),
    id: substrateSignId,
    block: hex32,
    preprocesses: substratePreprocesses,
  }),
  'coordinator.SlashReportPreprocess': z.strictObject({
    kind: z.literal('coordinator.SlashReportPreprocess'),
    id: substrateSignId,
    preprocesses: substratePreprocesses,
  }),
  'coordinator.SubstrateShare': z.strictObject({
    kind: z.literal('coordinator.SubstrateShare'),
    id: substrateSignId,
    shares: perLocalShare(hexBytes(SUBSTRATE_SHARE_BYTES)),
  }),
  'coordinator.CosignedBlock': z.strictObject({
    kind: z.literal('coordinator.CosignedBlock'),
    block_number: u64,
    block: hex32,
    signature: hexBytes(SR25519_SIGNATURE_BYTES),
  }),
  'coordinator.SignedSlashReport': z.strictObject({
    kind: z.literal('coordinator.SignedSlashReport'),
    session,
    signature: hexBytes(SR25519_SIGNATURE_BYTES),
  }),
  'substrate.Batch': z.strictObject({ kind: z.literal('substrate.Batch'), batch }),
  'substrate.SignedBatch': z.strictObject({ kind: z.literal('substrate.SignedBatch'), batch: signedBatch }),
} as const;

export const processorMessageSchema = z.discriminatedUnion('kind', [
  processorMessageSchemas['key_gen.Commitments'],
  processorMessageSchemas['key_gen.InvalidCommitments'],
  processorMessageSchemas['key_gen.Shares'],
  processorMessageSchemas['key_gen.InvalidShare'],
  processorMessageSchemas['key_gen.GeneratedKeyPair'],
  processorMessageSchemas['key_gen.Blame'],
  processorMessageSchemas['sign.InvalidParticipant'],
  processorMessageSchemas['sign.Preprocess'],
  processorMessageSchemas['sign.Share'],
  processorMessageSchemas['sign.Completed'],
  processorMessageSchemas['coordinator.SubstrateBlockAck'],
  processorMessageSchemas['coordinator.InvalidParticipant'],
  processorMessageSchemas['coordinator.CosignPreprocess'],
  processorMessageSchemas['coordinator.BatchPreprocess'],
  processorMessageSchemas['coordinator.SlashReportPreprocess'],
  processorMessageSchemas['coordinator.SubstrateShare'],
  processorMessageSchemas['coordinator.CosignedBlock'],
  processorMessageSchemas['coordinator.SignedSlashReport'],
  processorMessageSchemas['substrate.Batch'],
  processorMessageSchemas['substrate.SignedBatch'],
]);

export type ProcessorMessage = z.output<typeof processorMessageSchema>;
export type ProcessorMessageKind = ProcessorMessage['kind'];
export type ProcessorMessageOf<K extends ProcessorMessageKind> = Extract<ProcessorMessage, { kind: K }>;
export const PROCESSOR_MESSAGE_KINDS = Object.keys(processorMessageSchemas) as ProcessorMessageKind[];
