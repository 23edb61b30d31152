/**
 * What a threshold-signing protocol is to the signing core: how one participant preprocesses,
 * which digest binds its nonces, how it shares, and how every share becomes the signed result.
 * Pure; the key is already decoded. Batches (sr25519 under the Serai key), each network's
 * transactions and later the Router all implement it.
 */
import type { FrostPublic, Key } from '@noble/curves/abstract/frost.js';

export type ProtocolCurve = 'ristretto255' | 'secp256k1' | 'ed25519';

export interface ThresholdProtocol<Message, Signed> {
  /** The curve of the session's key that signs. */
  curve: ProtocolCurve;
  /** Scheme-specific key preparation (a kind offset, a tweak, an encoding); identity otherwise. */
  prepare(key: Key): Key;
  preprocess(key: Key, message: Message): { secret: Uint8Array; commitments: Uint8Array };
  /** The digest the nonces are bound to: it commits to the message and every signer's commitments. */
  binding(pub: FrostPublic, message: Message, commitments: ReadonlyMap<number, Uint8Array>): Uint8Array;
  share(key: Key, nonces: Uint8Array, message: Message, commitments: ReadonlyMap<number, Uint8Array>): Uint8Array;
  /** Throws `InvalidSignatureSharesError` or `MalformedParticipantDataError` naming who is at fault. */
  aggregate(pub: FrostPublic, message: Message, commitments: ReadonlyMap<number, Uint8Array>, shares: ReadonlyMap<number, Uint8Array>): Signed;
}
