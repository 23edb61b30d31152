/**
 * Encrypted, blame-capable, weighted DKG on noble's FROST (PedPoP with encrypted shares).
 *
 *   round1   -> broadcast message + Round1State (store it before broadcasting)
 *   round2   -> per-recipient encrypted shares + Round2State, or InvalidCommitments faults
 *   round3   -> noble FROST `Key` (identical to noble's DKG.round3), or InvalidShare faults with blame proofs
 *   verifyBlame -> who is at fault for an InvalidShare accusation, from public data only
 */
export { DKG_KEYS, MAX_PARTICIPANTS, type DkgContext, type DkgKeyName, type DkgParams } from './context';
export { DkgDecodeError, DkgError, DkgInputError, DkgProofError, DkgStateError, type DkgEncodingKind } from './errors';
export type { DkgFault, InvalidCommitments, InvalidShare } from './faults';
export { decodeBlameProof, decodeEncryptedShare, decodeRound1, readShareHeader, type BlameProof, type EncryptedShare, type Round1Message } from './messages';
export { checkEncryptedShare, checkRound1Message } from './validate';
export { round1, type Round1Output } from './round1';
export { round2, type Round2Output } from './round2';
export { round3, type Round3Output } from './round3';
export { verifyBlame, type Accusation, type BlameVerdict } from './blame';
export {
  deserializeRound1State,
  deserializeRound2State,
  serializeRound1State,
  serializeRound2State,
  type Round1State,
  type Round2State,
} from './state';
export { ed25519Suite, ristretto255Suite, secp256k1Suite, secp256k1TaprootSuite, type DkgPoint, type DkgSuite, type DkgSuiteId } from './suite';
export {
  assignParticipants,
  participantsOf,
  validatorOf,
  validatorRound1,
  validatorRound2,
  validatorRound3,
  type ValidatorParticipants,
  type ValidatorRound2Output,
  type ValidatorRound3Output,
} from './weighted';
export type { Rng } from './arithmetic';
