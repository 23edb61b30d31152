/**
 * Protocol limits. Where the original protocol fixes a value it is quoted; every other cap is
 * derived here so that no byte field of a message is unbounded.
 */

export const MAX_U16 = 0xffff;
export const MAX_U32 = 0xffff_ffff;
export const MAX_U64 = 0xffff_ffff_ffff_ffffn;

/** `Participant` is a non-zero u16. */
export const MAX_PARTICIPANT = MAX_U16;

/** `MAX_KEY_SHARES_PER_SET`: a set has n <= 150 key shares, hence t <= 150 as well. */
export const MAX_KEY_SHARES_PER_SET = 150;
/** A validator holds between 1 and n of the shares (`shares` of GenerateKey). */
export const MAX_LOCAL_SHARES = MAX_KEY_SHARES_PER_SET;
/** A map of the other participants never holds one of ours, so at most n - 1 entries. */
export const MAX_PEERS = MAX_KEY_SHARES_PER_SET - 1;

/** `MAX_ADDRESS_LEN`: ExternalAddress is a BoundedVec<u8, 196>. */
export const MAX_ADDRESS_LEN = 196;
/** `MAX_DATA_LEN`: InInstruction and OutInstruction data. */
export const MAX_DATA_LEN = 512;
/** `MAX_KEY_LEN`: the network half of a KeyPair is a BoundedVec<u8, 96>. */
export const MAX_KEY_LEN = 96;
/** `MAX_BATCH_SIZE`: the SCALE encoding of a Batch never exceeds 25 000 bytes. */
export const MAX_BATCH_SIZE = 25_000;

/** Sizes of the encodings our curves use: SEC1-compressed secp256k1 points are the largest. */
const POINT_BYTES = 33;
const SCALAR_BYTES = 32;
/** Each key generation runs two DKGs: Ristretto (the Serai key) and the network's curve. */
const DKG_CURVES = 2;
/** Room per curve for identifiers and length prefixes of our own DKG wire format. */
const DKG_FRAMING_BYTES = 64;

/**
 * One participant's DKG commitments blob: per curve, t <= 150 VSS commitment points, a proof of
 * knowledge (R, s), the participant's encryption key, and framing.
 * 2 * (150*33 + 33+32 + 33 + 64) = 10 224 bytes.
 */
export const MAX_DKG_COMMITMENTS_BYTES =
  DKG_CURVES * (MAX_KEY_SHARES_PER_SET * POINT_BYTES + POINT_BYTES + SCALAR_BYTES + POINT_BYTES + DKG_FRAMING_BYTES);
/** The smallest possible commitments blob is a single 32-byte point. */
export const MIN_DKG_COMMITMENTS_BYTES = 32;

/**
 * One encrypted secret share: per curve, the sender's ephemeral key, its proof of possession
 * (R, s), the encrypted scalar, and framing. 2 * (33 + 33+32 + 32 + 64) = 388 bytes.
 */
export const MAX_DKG_SHARE_BYTES = DKG_CURVES * (POINT_BYTES + POINT_BYTES + SCALAR_BYTES + SCALAR_BYTES + DKG_FRAMING_BYTES);

/**
 * A blame proof (EncryptionKeyProof): per curve, the revealed ECDH key and a DLEq proof (c, s),
 * and framing. 2 * (33 + 32+32 + 64) = 322 bytes.
 */
export const MAX_DKG_BLAME_BYTES = DKG_CURVES * (POINT_BYTES + 2 * SCALAR_BYTES + DKG_FRAMING_BYTES);

/**
 * One participant's preprocess for a Bitcoin transaction: a commitment pair (D, E) per input, sent
 * as two uncompressed secp256k1 points (65 bytes each, what the fast signing engine decodes without
 * a square root), MAX_INPUTS = 520, so 520 * 130 = 67 600 bytes. Capped at 80 KiB.
 */
export const MAX_SIGN_PREPROCESS_BYTES = 80 * 1024;
/** One participant's signature shares: 520 inputs * 32 bytes = 16 640 bytes; capped at 32 KiB. */
export const MAX_SIGN_SHARE_BYTES = 32 * 1024;
/** A completion claim (empty for Bitcoin, a hash for Monero, c||s for Ethereum). */
export const MAX_CLAIM_BYTES = 64 * 1024;

/** A Ristretto (sr25519) preprocess is D||E, two 32-byte points. */
export const SUBSTRATE_PREPROCESS_BYTES = 64;
/** A Ristretto signature share is one scalar. */
export const SUBSTRATE_SHARE_BYTES = 32;
/** An sr25519 signature is R||s with the Schnorrkel marker bit (bit 7 of byte 63) set. */
export const SR25519_SIGNATURE_BYTES = 64;

/** A slash report names validators of the set, so no more entries than key shares. */
export const MAX_SLASH_REPORT_ENTRIES = MAX_KEY_SHARES_PER_SET;

/**
 * Burns in one Serai block for one network. Serai does not fix a number; this processor-side
 * bound keeps a SubstrateBlock message finite (a maximal burn is ~1.5 KB of JSON). A coordinator
 * must split larger blocks; the processor rejects them with a typed error.
 */
export const MAX_BURNS_PER_SUBSTRATE_BLOCK = 10_000;
/** Batches acknowledged in one Serai block. Serai includes at most one per network per block. */
export const MAX_BATCHES_PER_SUBSTRATE_BLOCK = 256;
/** Plans created for one Serai block: payments are chunked into plans, so at most one per burn. */
export const MAX_PLANS_PER_SUBSTRATE_BLOCK = MAX_BURNS_PER_SUBSTRATE_BLOCK;

/**
 * InInstructions in one Batch: the smallest InInstructionWithBalance is Transfer (1 + 32 bytes)
 * plus an ExternalBalance (1 + 8 bytes) = 42 bytes, after a header of network (1), id (4),
 * block (32) and a two-byte compact count: (25 000 - 39) / 42 = 594 fit at most. The exact
 * bound is the encoded size, checked separately.
 */
export const MAX_BATCH_INSTRUCTIONS = Math.floor((MAX_BATCH_SIZE - 39) / 42);
