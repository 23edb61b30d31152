/**
 * `Shorthand`: the instruction a depositor attaches to a deposit (Serai
 * `substrate/in-instructions/primitives/src/shorthand.rs` at the reference snapshot):
 *
 *   enum Shorthand {
 *     Raw(RefundableInInstruction { origin: Option<ExternalAddress>, instruction: InInstruction }),
 *     Swap { origin: Option<ExternalAddress>, coin: ExternalCoin, minimum: Amount, out: OutInstruction },
 *     SwapAndAddLiquidity { origin: Option<ExternalAddress>, minimum: Amount, gas: Amount, address: SeraiAddress },
 *   }
 *
 * Deposit data is hostile input: `decodeShorthand` is strict (exact length, known variants, every
 * length bounded by its protocol cap) and returns a result instead of throwing.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

import { encodeExternalAddress, encodeInInstruction } from './batch';
import type { Balance, DexCall, InInstruction, OutAddress, OutInstruction } from './instructions';
import { MAX_ADDRESS_LEN, MAX_DATA_LEN } from './limits';
import { COIN_IDS, EXTERNAL_COIN_IDS, NETWORK_IDS, type Coin, type ExternalCoin, type Network } from './networks';
import type { Hex, U64String } from './primitives';
import * as scale from './scale';
import { ScaleDecodeError, ScaleReader } from './scale-decode';

/** An InInstruction with the address to refund to should Serai not execute it. */
export interface RefundableInInstruction {
  /** An `ExternalAddress` (the network's own address encoding), hex; null when absent. */
  origin: Hex | null;
  instruction: InInstruction;
}

export type Shorthand =
  | ({ kind: 'Raw' } & RefundableInInstruction)
  | { kind: 'Swap'; origin: Hex | null; coin: ExternalCoin; minimum: U64String; out: OutInstruction }
  | { kind: 'SwapAndAddLiquidity'; origin: Hex | null; minimum: U64String; gas: U64String; address: Hex };

export type ShorthandDecodeResult = { ok: true; shorthand: Shorthand } | { ok: false; error: ScaleDecodeError };

const SHORTHAND_VARIANTS = 3;
const IN_INSTRUCTION_VARIANTS = 4;
const DEX_CALL_VARIANTS = 2;
const OUT_ADDRESS_VARIANTS = 2;

const byId = <K extends string>(ids: Readonly<Record<K, number>>): ReadonlyMap<number, K> =>
  new Map(Object.entries(ids).map(([name, id]) => [id as number, name as K]));
const COIN_BY_ID = byId<Coin>(COIN_IDS);
const EXTERNAL_COIN_BY_ID = byId<ExternalCoin>(EXTERNAL_COIN_IDS);
const NETWORK_BY_ID = byId<Network>(NETWORK_IDS);

function optionalExternalAddress(origin: Hex | null): Uint8Array {
  return scale.option(origin, encodeExternalAddress);
}

function encodeOutInstruction(out: OutInstruction): Uint8Array {
  return scale.tuple(
    encodeExternalAddress(out.address),
    scale.option(out.data, (data) => {
      const bytes = hexToBytes(data);
      if (bytes.length > MAX_DATA_LEN) throw new RangeError(`Data: ${bytes.length} bytes`);
      return scale.byteVec(bytes);
    }),
  );
}

/** The SCALE encoding of a Shorthand (what a depositor puts in the deposit's data). */
export function encodeShorthand(shorthand: Shorthand): Uint8Array {
  switch (shorthand.kind) {
    case 'Raw':
      return scale.variant(0, optionalExternalAddress(shorthand.origin), encodeInInstruction(shorthand.instruction));
    case 'Swap':
      return scale.variant(
        1,
        optionalExternalAddress(shorthand.origin),
        scale.u8(EXTERNAL_COIN_IDS[shorthand.coin]),
        scale.u64(BigInt(shorthand.minimum)),
        encodeOutInstruction(shorthand.out),
      );
    case 'SwapAndAddLiquidity':
      return scale.variant(
        2,
        optionalExternalAddress(shorthand.origin),
        scale.u64(BigInt(shorthand.minimum)),
        scale.u64(BigInt(shorthand.gas)),
        scale.fixedBytes(hexToBytes(shorthand.address), 32),
      );
  }
}

/** Decodes deposit data; never throws. */
export function decodeShorthand(data: Uint8Array): ShorthandDecodeResult {
  try {
    const reader = new ScaleReader(data);
    const shorthand = readShorthand(reader);
    reader.end('Shorthand');
    return { ok: true, shorthand };
  } catch (error) {
    if (error instanceof ScaleDecodeError) return { ok: false, error };
    throw error;
  }
}

function readShorthand(reader: ScaleReader): Shorthand {
  switch (reader.variant('Shorthand', SHORTHAND_VARIANTS)) {
    case 0:
      return {
        kind: 'Raw',
        origin: readOrigin(reader, 'Raw.origin'),
        instruction: readInInstruction(reader, 'Raw.instruction'),
      };
    case 1:
      return {
        kind: 'Swap',
        origin: readOrigin(reader, 'Swap.origin'),
        coin: readExternalCoin(reader, 'Swap.coin'),
        minimum: readAmount(reader, 'Swap.minimum'),
        out: readOutInstruction(reader, 'Swap.out'),
      };
    default:
      return {
        kind: 'SwapAndAddLiquidity',
        origin: readOrigin(reader, 'SwapAndAddLiquidity.origin'),
        minimum: readAmount(reader, 'SwapAndAddLiquidity.minimum'),
        gas: readAmount(reader, 'SwapAndAddLiquidity.gas'),
        address: readSeraiAddress(reader, 'SwapAndAddLiquidity.address'),
      };
  }
}

function readOrigin(reader: ScaleReader, field: string): Hex | null {
  return reader.option(field, (some) => readExternalAddress(some, field));
}

function readExternalAddress(reader: ScaleReader, field: string): Hex {
  return bytesToHex(reader.byteVec(field, MAX_ADDRESS_LEN));
}

function readSeraiAddress(reader: ScaleReader, field: string): Hex {
  return bytesToHex(reader.fixedBytes(field, 32));
}

function readAmount(reader: ScaleReader, field: string): U64String {
  return reader.u64(field).toString();
}

function readNamed<K>(reader: ScaleReader, field: string, names: ReadonlyMap<number, K>, what: string): K {
  const id = reader.u8(field);
  const name = names.get(id);
  if (name === undefined) throw new ScaleDecodeError(field, `unknown ${what} id ${id}`);
  return name;
}

function readExternalCoin(reader: ScaleReader, field: string): ExternalCoin {
  return readNamed(reader, field, EXTERNAL_COIN_BY_ID, 'external coin');
}

function readBalance(reader: ScaleReader, field: string): Balance {
  return { coin: readNamed(reader, `${field}.coin`, COIN_BY_ID, 'coin'), amount: readAmount(reader, `${field}.amount`) };
}

function readOutAddress(reader: ScaleReader, field: string): OutAddress {
  if (reader.variant(field, OUT_ADDRESS_VARIANTS) === 0) {
    return { kind: 'Serai', address: readSeraiAddress(reader, `${field}.Serai`) };
  }
  return { kind: 'External', address: readExternalAddress(reader, `${field}.External`) };
}

function readDexCall(reader: ScaleReader, field: string): DexCall {
  if (reader.variant(field, DEX_CALL_VARIANTS) === 0) {
    return { kind: 'SwapAndAddLiquidity', address: readSeraiAddress(reader, `${field}.SwapAndAddLiquidity`) };
  }
  return {
    kind: 'Swap',
    minimum: readBalance(reader, `${field}.Swap.minimum`),
    to: readOutAddress(reader, `${field}.Swap.to`),
  };
}

function readInInstruction(reader: ScaleReader, field: string): InInstruction {
  switch (reader.variant(field, IN_INSTRUCTION_VARIANTS)) {
    case 0:
      return { kind: 'Transfer', address: readSeraiAddress(reader, `${field}.Transfer`) };
    case 1:
      return { kind: 'Dex', call: readDexCall(reader, `${field}.Dex`) };
    case 2:
      return { kind: 'GenesisLiquidity', address: readSeraiAddress(reader, `${field}.GenesisLiquidity`) };
    default:
      return {
        kind: 'SwapToStakedSRI',
        address: readSeraiAddress(reader, `${field}.SwapToStakedSRI.address`),
        network: readNamed(reader, `${field}.SwapToStakedSRI.network`, NETWORK_BY_ID, 'network'),
      };
  }
}

function readOutInstruction(reader: ScaleReader, field: string): OutInstruction {
  return {
    address: readExternalAddress(reader, `${field}.address`),
    data: reader.option(`${field}.data`, (some) => bytesToHex(some.byteVec(`${field}.data`, MAX_DATA_LEN))),
  };
}
