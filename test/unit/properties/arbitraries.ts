/**
 * Shared generators and run settings for the property tests of the pure core (deposits, Shorthand,
 * the scanner core and the scheduler behind it). Not a test file: the `*.properties.test.ts` files
 * of this folder import it.
 *
 * Run settings (read once, by every property of this folder):
 * - `PROPERTY_SCALE=<k>`: every property runs k times its default number of runs (the long version:
 *   `PROPERTY_SCALE=20 npx jest test/unit/properties`, a few minutes);
 * - `PROPERTY_RUNS=<n>`: every property runs exactly n times (for one property, with `-t`);
 * - `PROPERTY_SEED=<seed>` and `PROPERTY_PATH=<path>`: replay the failure fast-check printed
 *   (`{ seed: <seed>, path: "<path>", endOnFailure: true }`); with the path only the failing case
 *   runs, so add `-t '<test name>'` to replay one property;
 * - `PROPERTY_STATS=1`: the scanner-core properties print what their runs reached.
 */
import fc from 'fast-check';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

import type { InInstruction, OutAddress, DexCall } from '../../../messages/instructions';
import { MAX_ADDRESS_LEN, MAX_DATA_LEN, MAX_U64 } from '../../../messages/limits';
import type { Coin, ExternalCoin, Network } from '../../../messages/networks';
import { encodeShorthand, type Shorthand } from '../../../messages/shorthand';
import { DEPOSIT_FEE, decodeAddress, encodeAddress } from '../../../networks/bitcoin/instructions';
import type { DataStatus } from '../../../networks/bitcoin/scan';
import type { OutputKind } from '../../../networks/network';
import { BITCOIN_LIMITS } from '../../../scheduler';

// ---------------------------------------------------------------------------------------------
// Run settings

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

const RUNS_OVERRIDE = envInt('PROPERTY_RUNS');
const SCALE = envInt('PROPERTY_SCALE') ?? 1;
const SEED = process.env.PROPERTY_SEED;
const PATH = process.env.PROPERTY_PATH;

/** fast-check parameters for a property whose default run count is `defaultRuns`. */
export function runParameters(defaultRuns: number): fc.Parameters<unknown> {
  const parameters: fc.Parameters<unknown> = { numRuns: RUNS_OVERRIDE ?? defaultRuns * SCALE };
  if (SEED !== undefined && SEED !== '') {
    const seed = Number(SEED);
    if (!Number.isSafeInteger(seed)) throw new Error(`PROPERTY_SEED must be an integer, got ${SEED}`);
    parameters.seed = seed;
    if (PATH !== undefined && PATH !== '') parameters.path = PATH;
  }
  return parameters;
}

/** A jest timeout for a property whose default run takes about `defaultMs`, scaled with PROPERTY_RUNS. */
export function timeoutFor(defaultRuns: number, defaultMs: number): number {
  const runs = RUNS_OVERRIDE ?? defaultRuns * SCALE;
  // Room for shrinking a failure too.
  return Math.max(120_000, Math.ceil((defaultMs * 4 * runs) / defaultRuns));
}

// ---------------------------------------------------------------------------------------------
// Constants

export const DUST = BigInt(BITCOIN_LIMITS.dust);
export const MAX_AMOUNT = BigInt(BITCOIN_LIMITS.maxAmount);
export { DEPOSIT_FEE };

export const hash = (label: string): string => bytesToHex(sha256(utf8ToBytes(label)));

/** Our key's four Taproot output scripts (the scanner test's, so they are plainly recognisable). */
export const OUR_SCRIPTS: Record<OutputKind, string> = {
  external: `5120${'11'.repeat(32)}`,
  branch: `5120${'22'.repeat(32)}`,
  change: `5120${'33'.repeat(32)}`,
  forward: `5120${'44'.repeat(32)}`,
};
export const OUR_SCRIPT_LIST: readonly string[] = Object.values(OUR_SCRIPTS);

export const encodedAddressOf = (script: string): string => {
  const encoded = encodeAddress(hexToBytes(script));
  if (encoded === null) throw new Error(`test setup: ${script} is not encodable`);
  return bytesToHex(encoded);
};

// ---------------------------------------------------------------------------------------------
// Scripts and addresses

const hexOf = (length: number) => fc.uint8Array({ minLength: length, maxLength: length }).map(bytesToHex);

/** A script Serai can name as an address (any of the five kinds), never one of ours. */
export const payableScript: fc.Arbitrary<string> = fc
  .oneof(
    hexOf(20).map((p) => `76a914${p}88ac`),
    hexOf(20).map((p) => `a914${p}87`),
    hexOf(20).map((p) => `0014${p}`),
    hexOf(32).map((p) => `0020${p}`),
    hexOf(32).map((p) => `5120${p}`),
  )
  .filter((script) => !OUR_SCRIPT_LIST.includes(script));

/** One of our own four scripts. */
export const ourScript: fc.Arbitrary<string> = fc.constantFrom(...OUR_SCRIPT_LIST);

/** A script Serai cannot name as an address: near misses of each kind, OP_RETURN, random bytes. */
export const unencodableScript: fc.Arbitrary<string> = fc.oneof(
  hexOf(31).map((p) => `5120${p}`),
  hexOf(32).map((p) => `5220${p}`),
  hexOf(21).map((p) => `0014${p}`),
  hexOf(20).map((p) => `76a914${p}88ad`),
  hexOf(20).map((p) => `a914${p}88`),
  fc.uint8Array({ maxLength: 40 }).map((d) => `6a${bytesToHex(d)}`),
  fc.uint8Array({ minLength: 1, maxLength: 60 }).map(bytesToHex).filter((s) => !/^(76a914.{40}88ac|a914.{40}87|0014.{40}|0020.{64}|5120.{64})$/.test(s)),
);

/** Bytes that are not exactly one encoded Bitcoin address (what `decodeAddress` must refuse). */
export const malformedAddressBytes: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  // The raw script rather than its encoding.
  payableScript,
  // A valid encoding with a byte more or a byte less.
  fc.tuple(payableScript, fc.uint8Array({ minLength: 1, maxLength: 3 })).map(([s, extra]) => encodedAddressOf(s) + bytesToHex(extra)),
  payableScript.map((s) => encodedAddressOf(s).slice(0, -2)),
  // An unknown address variant.
  fc.tuple(fc.integer({ min: 5, max: 255 }), hexOf(32)).map(([v, p]) => v.toString(16).padStart(2, '0') + p),
  // Random bytes up to Serai's ExternalAddress bound.
  fc.uint8Array({ maxLength: MAX_ADDRESS_LEN }).map(bytesToHex),
).filter((bytes) => decodeAddress(hexToBytes(bytes)) === null);

/** An origin a Shorthand may carry: the encoded ExternalAddress and the script it names (null: none). */
export interface OriginChoice {
  readonly label: 'none' | 'payable' | 'ours' | 'unencodable';
  /** The `origin` field of the Shorthand (hex of an ExternalAddress), or null when absent. */
  readonly encoded: string | null;
  /** The script the origin names when it names one. */
  readonly script: string | null;
}

export const shorthandOrigin: fc.Arbitrary<OriginChoice> = fc.oneof(
  fc.constant<OriginChoice>({ label: 'none', encoded: null, script: null }),
  payableScript.map((script): OriginChoice => ({ label: 'payable', encoded: encodedAddressOf(script), script })),
  ourScript.map((script): OriginChoice => ({ label: 'ours', encoded: encodedAddressOf(script), script })),
  fc
    .oneof(unencodableScript, malformedAddressBytes)
    .filter((bytes) => decodeAddress(hexToBytes(bytes)) === null)
    .map((bytes): OriginChoice => ({ label: 'unencodable', encoded: bytes.slice(0, 2 * MAX_ADDRESS_LEN), script: null })),
);

/** A deposit's presumed origin as the scanner reports it (only scripts Serai can name, or null). */
export const presumedOrigin: fc.Arbitrary<string | null> = fc.oneof(fc.constant(null), payableScript, ourScript);

// ---------------------------------------------------------------------------------------------
// Amounts

/** A u64 amount (decimal) anywhere in range, with the edges overrepresented. */
export const u64Amount: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom(0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, MAX_AMOUNT, MAX_U64 - 1n, MAX_U64),
    fc.bigInt(0n, MAX_U64),
  )
  .map(String);

const DEPOSIT_EDGES = [DUST, DUST + 1n, DUST + DEPOSIT_FEE - 1n, DUST + DEPOSIT_FEE, DUST + DEPOSIT_FEE + 1n, 2n * DUST - 1n, 2n * DUST, 2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + 1n];

/** A deposit amount the scanner passes on: at least dust, at most 21e6 BTC, every limit and its neighbours overrepresented. */
export const depositAmount: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...DEPOSIT_EDGES, 2n ** 50n, MAX_AMOUNT - 1n, MAX_AMOUNT) },
  { weight: 2, arbitrary: fc.bigInt(DUST, DUST + 5_000n) },
  { weight: 4, arbitrary: fc.bigInt(DUST, 100_000_000n) },
  { weight: 1, arbitrary: fc.bigInt(DUST, MAX_AMOUNT) },
);

/**
 * The same for runs of many deposits, where all of them together cannot exceed the 21e6 BTC in
 * existence: amounts near the supply are rare (a run holding one has room for little else).
 */
export const depositAmountInRun: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...DEPOSIT_EDGES) },
  { weight: 1, arbitrary: fc.constantFrom(MAX_AMOUNT - 1n, MAX_AMOUNT) },
  { weight: 10, arbitrary: fc.bigInt(DUST, DUST + 5_000n) },
  { weight: 30, arbitrary: fc.bigInt(DUST, 100_000_000n) },
  { weight: 3, arbitrary: fc.bigInt(DUST, 1_000_000_000_000n) },
);

// ---------------------------------------------------------------------------------------------
// Shorthand

const seraiAddress = hexOf(32);
const coin: fc.Arbitrary<Coin> = fc.constantFrom('serai', 'bitcoin', 'ether', 'dai', 'monero');
const externalCoin: fc.Arbitrary<ExternalCoin> = fc.constantFrom('bitcoin', 'ether', 'dai', 'monero');
const network: fc.Arbitrary<Network> = fc.constantFrom('serai', 'bitcoin', 'ethereum', 'monero');
const externalAddress = fc.oneof(
  payableScript.map(encodedAddressOf),
  fc.uint8Array({ maxLength: MAX_ADDRESS_LEN }).map(bytesToHex),
);
const outData = fc.option(
  fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ minLength: 81, maxLength: MAX_DATA_LEN })).map(bytesToHex),
);

const outAddress: fc.Arbitrary<OutAddress> = fc.oneof(
  seraiAddress.map((address): OutAddress => ({ kind: 'Serai', address })),
  externalAddress.map((address): OutAddress => ({ kind: 'External', address })),
);
const dexCall: fc.Arbitrary<DexCall> = fc.oneof(
  seraiAddress.map((address): DexCall => ({ kind: 'SwapAndAddLiquidity', address })),
  fc.record({ coin, amount: u64Amount, to: outAddress }).map(({ coin, amount, to }): DexCall => ({ kind: 'Swap', minimum: { coin, amount }, to })),
);

export const inInstruction: fc.Arbitrary<InInstruction> = fc.oneof(
  { weight: 4, arbitrary: seraiAddress.map((address): InInstruction => ({ kind: 'Transfer', address })) },
  { weight: 2, arbitrary: dexCall.map((call): InInstruction => ({ kind: 'Dex', call })) },
  { weight: 1, arbitrary: seraiAddress.map((address): InInstruction => ({ kind: 'GenesisLiquidity', address })) },
  { weight: 1, arbitrary: fc.tuple(seraiAddress, network).map(([address, network]): InInstruction => ({ kind: 'SwapToStakedSRI', address, network })) },
);

/** A valid Shorthand with the origin it carries (Raw most often: only Raw is credited). */
export const shorthand: fc.Arbitrary<{ shorthand: Shorthand; origin: OriginChoice }> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(shorthandOrigin, inInstruction).map(([origin, instruction]) => ({ origin, shorthand: { kind: 'Raw', origin: origin.encoded, instruction } as Shorthand })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(shorthandOrigin, externalCoin, u64Amount, externalAddress, outData)
      .map(([origin, coin, minimum, address, data]) => ({ origin, shorthand: { kind: 'Swap', origin: origin.encoded, coin, minimum, out: { address, data } } as Shorthand })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(shorthandOrigin, u64Amount, u64Amount, seraiAddress)
      .map(([origin, minimum, gas, address]) => ({ origin, shorthand: { kind: 'SwapAndAddLiquidity', origin: origin.encoded, minimum, gas, address } as Shorthand })),
  },
);

/** What a deposit transaction carried, as the scanner reports it: data and its status. */
export type DepositData =
  | { readonly source: 'valid'; readonly data: string; readonly status: 'present'; readonly shorthand: Shorthand; readonly origin: OriginChoice }
  | { readonly source: 'bytes' | 'truncated' | 'extended' | 'mutated' | 'long'; readonly data: string; readonly status: 'present' }
  | { readonly source: 'none'; readonly data: null; readonly status: Exclude<DataStatus, 'present'> };

const validEncoding = shorthand.map(({ shorthand, origin }) => ({ shorthand, origin, bytes: encodeShorthand(shorthand) }));

/**
 * Deposit data: valid Shorthands (with every kind of origin), random bytes, truncated, extended
 * and mutated valid encodings, data over 80 bytes, and no data at all (absent, oversized, malformed).
 */
export const depositData: fc.Arbitrary<DepositData> = fc.oneof(
  { weight: 6, arbitrary: validEncoding.map(({ shorthand, origin, bytes }): DepositData => ({ source: 'valid', data: bytesToHex(bytes), status: 'present', shorthand, origin })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 2, maxLength: 80 }).map((b): DepositData => ({ source: 'bytes', data: bytesToHex(b), status: 'present' })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(validEncoding, fc.nat())
      .map(([{ bytes }, cut]): DepositData => ({ source: 'truncated', data: bytesToHex(bytes.subarray(0, cut % bytes.length)), status: 'present' })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(validEncoding, fc.uint8Array({ minLength: 1, maxLength: 8 }))
      .map(([{ bytes }, tail]): DepositData => ({ source: 'extended', data: bytesToHex(bytes) + bytesToHex(tail), status: 'present' })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(validEncoding, fc.nat(), fc.integer({ min: 1, max: 255 }))
      .map(([{ bytes }, at, xor]): DepositData => {
        const copy = Uint8Array.from(bytes);
        copy[at % copy.length] = (copy[at % copy.length] ?? 0) ^ xor;
        return { source: 'mutated', data: bytesToHex(copy), status: 'present' };
      }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 81, maxLength: MAX_DATA_LEN }).map((b): DepositData => ({ source: 'long', data: bytesToHex(b), status: 'present' })) },
  { weight: 2, arbitrary: fc.constantFrom<DataStatus>('absent', 'oversized', 'malformed').map((status): DepositData => ({ source: 'none', data: null, status: status as Exclude<DataStatus, 'present'> })) },
);

/** The bytes of a Shorthand-like value: for the decoder's own robustness. */
export const shorthandLikeBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  depositData.map((d) => (d.data === null ? new Uint8Array() : hexToBytes(d.data))),
  fc.uint8Array({ maxLength: 700 }),
);
