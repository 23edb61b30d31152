/**
 * The coordinator <-> processor message protocol: types, runtime schemas, validation, intents,
 * and the SCALE encodings the protocol fixes. Free of Temporal and Node builtins, so workflows
 * may import it.
 */
export { MessageValidationError, type ParseResult } from './errors';
export {
  parseCoordinatorMessage,
  parseProcessorMessage,
  assertCoordinatorMessage,
  assertProcessorMessage,
} from './parse';
export {
  participantContextFromParams,
  type MessageContext,
  type ParticipantContext,
} from './context';
export { coordinatorMessageContextProblem, processorMessageContextProblem } from './contextual';
export { coordinatorMessageIntent, processorMessageIntent } from './intent';

export {
  coordinatorMessageSchema,
  coordinatorMessageSchemas,
  COORDINATOR_MESSAGE_KINDS,
  type CoordinatorMessage,
  type CoordinatorMessageKind,
  type CoordinatorMessageOf,
} from './coordinator';
export {
  processorMessageSchema,
  processorMessageSchemas,
  PROCESSOR_MESSAGE_KINDS,
  type ProcessorMessage,
  type ProcessorMessageKind,
  type ProcessorMessageOf,
} from './processor';

export type {
  KeyGenId,
  ThresholdParams,
  SignId,
  SubstrateSignableId,
  SubstrateSignId,
  SubstrateContext,
  PlanMeta,
  KeyPair,
} from './ids';
export type {
  Balance,
  ExternalBalance,
  OutAddress,
  DexCall,
  InInstruction,
  InInstructionWithBalance,
  Batch,
  SignedBatch,
  OutInstruction,
  OutInstructionWithBalance,
} from './instructions';
export type { Hex, U64String, Participant, ParticipantMap } from './primitives';
export {
  COIN_IDS,
  COIN_NETWORK,
  EXTERNAL_COIN_IDS,
  EXTERNAL_NETWORK_IDS,
  NETWORK_IDS,
  type Coin,
  type ExternalCoin,
  type ExternalNetwork,
  type Network,
} from './networks';
export {
  batchMessage,
  encodeBatch,
  encodeBalance,
  encodeDexCall,
  encodeExternalAddress,
  encodeExternalBalance,
  encodeInInstruction,
  encodeInInstructionWithBalance,
  encodeOutAddress,
} from './batch';
export * as scale from './scale';
export * as limits from './limits';
