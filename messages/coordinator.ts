/** Coordinator -> processor messages (section 2 of the reference), as they travel in JSON. */
import { z } from 'zod';

import { keyGenId, keyPair, signId, substrateContext, substrateSignId, thresholdParams } from './ids';
import { outInstructionWithBalance } from './instructions';
import {
  MAX_BATCHES_PER_SUBSTRATE_BLOCK,
  MAX_BURNS_PER_SUBSTRATE_BLOCK,
  MAX_CLAIM_BYTES,
  MAX_DKG_BLAME_BYTES,
  MAX_DKG_COMMITMENTS_BYTES,
  MAX_DKG_SHARE_BYTES,
  MAX_LOCAL_SHARES,
  MAX_SIGN_PREPROCESS_BYTES,
  MAX_SIGN_SHARE_BYTES,
  MAX_SLASH_REPORT_ENTRIES,
  MIN_DKG_COMMITMENTS_BYTES,
  SUBSTRATE_PREPROCESS_BYTES,
  SUBSTRATE_SHARE_BYTES,
} from './limits';
import { boundedArray, hex32, hexBytes, participant, participantMap, session, u16, u32, u64 } from './primitives';

const dkgCommitments = hexBytes(MIN_DKG_COMMITMENTS_BYTES, MAX_DKG_COMMITMENTS_BYTES);
const dkgShare = hexBytes(1, MAX_DKG_SHARE_BYTES);

export const coordinatorMessageSchemas = {
  /** Start key generation: we hold participants i .. i + shares - 1 of a t-of-n key. */
  'key_gen.GenerateKey': z.strictObject({
    kind: z.literal('key_gen.GenerateKey'),
    id: keyGenId,
    params: thresholdParams,
    shares: u16,
  }),
  /** The commitments of every other participant. */
  'key_gen.Commitments': z.strictObject({
    kind: z.literal('key_gen.Commitments'),
    id: keyGenId,
    commitments: participantMap(dkgCommitments),
  }),
  /** One map per local share: sender -> the encrypted share it sent to that local index. */
  'key_gen.Shares': z.strictObject({
    kind: z.literal('key_gen.Shares'),
    id: keyGenId,
    shares: boundedArray(participantMap(dkgShare), 1, MAX_LOCAL_SHARES),
  }),
  /** Judge `accuser`'s claim that `share` (from `accused`) is invalid. */
  'key_gen.VerifyBlame': z.strictObject({
    kind: z.literal('key_gen.VerifyBlame'),
    id: keyGenId,
    accuser: participant,
    accused: participant,
    share: dkgShare,
    blame: hexBytes(1, MAX_DKG_BLAME_BYTES).nullable(),
  }),
  'sign.Preprocesses': z.strictObject({
    kind: z.literal('sign.Preprocesses'),
    id: signId,
    preprocesses: participantMap(hexBytes(1, MAX_SIGN_PREPROCESS_BYTES)),
  }),
  'sign.Shares': z.strictObject({
    kind: z.literal('sign.Shares'),
    id: signId,
    shares: participantMap(hexBytes(1, MAX_SIGN_SHARE_BYTES)),
  }),
  'sign.Reattempt': z.strictObject({ kind: z.literal('sign.Reattempt'), id: signId }),
  /** Another validator completed plan `id`; `tx` is its claim. */
  'sign.Completed': z.strictObject({
    kind: z.literal('sign.Completed'),
    session,
    id: hex32,
    tx: hexBytes(0, MAX_CLAIM_BYTES),
  }),
  'coordinator.CosignSubstrateBlock': z.strictObject({
    kind: z.literal('coordinator.CosignSubstrateBlock'),
    id: substrateSignId,
    block_number: u64,
  }),
  'coordinator.SignSlashReport': z.strictObject({
    kind: z.literal('coordinator.SignSlashReport'),
    id: substrateSignId,
    report: boundedArray(z.strictObject({ validator: hex32, points: u32 }), 0, MAX_SLASH_REPORT_ENTRIES),
  }),
  'coordinator.SubstratePreprocesses': z.strictObject({
    kind: z.literal('coordinator.SubstratePreprocesses'),
    id: substrateSignId,
    preprocesses: participantMap(hexBytes(SUBSTRATE_PREPROCESS_BYTES)),
  }),
  'coordinator.SubstrateShares': z.strictObject({
    kind: z.literal('coordinator.SubstrateShares'),
    id: substrateSignId,
    shares: participantMap(hexBytes(SUBSTRATE_SHARE_BYTES)),
  }),
  'coordinator.BatchReattempt': z.strictObject({ kind: z.literal('coordinator.BatchReattempt'), id: substrateSignId }),
  /** Serai set the session's keys. */
  'substrate.ConfirmKeyPair': z.strictObject({
    kind: z.literal('substrate.ConfirmKeyPair'),
    context: substrateContext,
    session,
    key_pair: keyPair,
  }),
  /** Serai block `block` included `batches` of ours and burned coins of our network. */
  'substrate.SubstrateBlock': z.strictObject({
    kind: z.literal('substrate.SubstrateBlock'),
    context: substrateContext,
    block: u64,
    burns: boundedArray(outInstructionWithBalance, 0, MAX_BURNS_PER_SUBSTRATE_BLOCK),
    batches: boundedArray(u32, 0, MAX_BATCHES_PER_SUBSTRATE_BLOCK),
  }),
} as const;

export const coordinatorMessageSchema = z.discriminatedUnion('kind', [
  coordinatorMessageSchemas['key_gen.GenerateKey'],
  coordinatorMessageSchemas['key_gen.Commitments'],
  coordinatorMessageSchemas['key_gen.Shares'],
  coordinatorMessageSchemas['key_gen.VerifyBlame'],
  coordinatorMessageSchemas['sign.Preprocesses'],
  coordinatorMessageSchemas['sign.Shares'],
  coordinatorMessageSchemas['sign.Reattempt'],
  coordinatorMessageSchemas['sign.Completed'],
  coordinatorMessageSchemas['coordinator.CosignSubstrateBlock'],
  coordinatorMessageSchemas['coordinator.SignSlashReport'],
  coordinatorMessageSchemas['coordinator.SubstratePreprocesses'],
  coordinatorMessageSchemas['coordinator.SubstrateShares'],
  coordinatorMessageSchemas['coordinator.BatchReattempt'],
  coordinatorMessageSchemas['substrate.ConfirmKeyPair'],
  coordinatorMessageSchemas['substrate.SubstrateBlock'],
]);

export type CoordinatorMessage = z.output<typeof coordinatorMessageSchema>;
export type CoordinatorMessageKind = CoordinatorMessage['kind'];
export type CoordinatorMessageOf<K extends CoordinatorMessageKind> = Extract<CoordinatorMessage, { kind: K }>;
export const COORDINATOR_MESSAGE_KINDS = Object.keys(coordinatorMessageSchemas) as CoordinatorMessageKind[];
