import { z } from 'zod';

import { MAX_KEY_LEN } from './limits';
import { attempt, hex32, hexBytes, session, u16, u32, u64 } from './primitives';

/** `KeyGenId`: one attempt of the key generation for a session. */
export const keyGenId = z.strictObject({ session, attempt });

/** `ThresholdParams` as the coordinator sends them; `i` is our first participant index. */
export const thresholdParams = z.strictObject({ t: u16, n: u16, i: u16 });

/** `SignId`: one attempt at signing the plan `id` (32 bytes) with the session's key. */
export const signId = z.strictObject({ session, id: hex32, attempt });

/** `SubstrateSignableId`: what the Serai (Ristretto) key signs. */
export const substrateSignableId = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('CosigningSubstrateBlock'), block: hex32 }),
  z.strictObject({ kind: z.literal('Batch'), id: u32 }),
  z.strictObject({ kind: z.literal('SlashReport') }),
]);

export const substrateSignId = z.strictObject({ session, id: substrateSignableId, attempt });

/** `SubstrateContext`: Serai's time (seconds) and the latest external block it has finalized. */
export const substrateContext = z.strictObject({ serai_time: u64, network_latest_finalized_block: hex32 });

/** `PlanMeta`. */
export const planMeta = z.strictObject({ session, id: hex32 });

/** `KeyPair(Public, ExternalKey)`: the Serai key and the network key (at most 96 bytes). */
export const keyPair = z.strictObject({ substrate_key: hex32, network_key: hexBytes(1, MAX_KEY_LEN) });

export type KeyGenId = z.output<typeof keyGenId>;
export type ThresholdParams = z.output<typeof thresholdParams>;
export type SignId = z.output<typeof signId>;
export type SubstrateSignableId = z.output<typeof substrateSignableId>;
export type SubstrateSignId = z.output<typeof substrateSignId>;
export type SubstrateContext = z.output<typeof substrateContext>;
export type PlanMeta = z.output<typeof planMeta>;
export type KeyPair = z.output<typeof keyPair>;
