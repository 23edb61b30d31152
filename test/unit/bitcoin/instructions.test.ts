import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { initEccLib, networks, payments } from 'bitcoinjs-lib';
import fc from 'fast-check';
import * as ecc from 'tiny-secp256k1';

import { inInstruction, outInstruction } from '../../../messages/instructions';
import { decodeShorthand, encodeShorthand, type Shorthand } from '../../../messages/shorthand';
import { ScaleDecodeError, ScaleReader } from '../../../messages/scale-decode';
import {
  decodeAddress,
  DEPOSIT_FEE,
  depositOutcome,
  depositOutcomes,
  encodeAddress,
  isRefundableScript,
} from '../../../networks/bitcoin/instructions';
import type { ScannedOutput } from '../../../networks/bitcoin/scan';

initEccLib(ecc);

const fill = (length: number, byte: number): string => byte.toString(16).padStart(2, '0').repeat(length);
const SERAI = fill(32, 0xab);

const fails = (bytes: Uint8Array | string): ScaleDecodeError => {
  const result = decodeShorthand(typeof bytes === 'string' ? hexToBytes(bytes) : bytes);
  if (result.ok) throw new Error(`expected a decoding failure, got ${JSON.stringify(result.shorthand)}`);
  return result.error;
};
const decodes = (hex: string): Shorthand => {
  const result = decodeShorthand(hexToBytes(hex));
  if (!result.ok) throw result.error;
  return result.shorthand;
};

describe('Shorthand SCALE encoding (serai in-instructions primitives at the reference snapshot)', () => {
  // Each expectation is written out from the Rust type definitions: variant index u8, Option tag,
  // compact lengths, u64 LE amounts, coins 4..7, networks 0..3.
  test.each<[string, Shorthand, string]>([
    ['Raw, no origin, Transfer', { kind: 'Raw', origin: null, instruction: { kind: 'Transfer', address: SERAI } }, `00` + `00` + `00${SERAI}`],
    [
      'Raw, 22-byte origin, GenesisLiquidity',
      { kind: 'Raw', origin: fill(22, 0x07), instruction: { kind: 'GenesisLiquidity', address: SERAI } },
      `00` + `01` + `58${fill(22, 0x07)}` + `02${SERAI}`,
    ],
    [
      'Raw, SwapToStakedSRI on Monero',
      { kind: 'Raw', origin: null, instruction: { kind: 'SwapToStakedSRI', address: SERAI, network: 'monero' } },
      `00` + `00` + `03${SERAI}03`,
    ],
    [
      'Raw, Dex Swap to an external address',
      {
        kind: 'Raw',
        origin: null,
        instruction: { kind: 'Dex', call: { kind: 'Swap', minimum: { coin: 'ether', amount: '258' }, to: { kind: 'External', address: '0102' } } },
      },
      `00` + `00` + `01` + `01` + `05` + `0201000000000000` + `01` + `08` + `0102`,
    ],
    [
      'Raw, Dex SwapAndAddLiquidity',
      { kind: 'Raw', origin: null, instruction: { kind: 'Dex', call: { kind: 'SwapAndAddLiquidity', address: SERAI } } },
      `00` + `00` + `01` + `00${SERAI}`,
    ],
    [
      'Swap with data',
      { kind: 'Swap', origin: '99', coin: 'dai', minimum: '1', out: { address: 'aabb', data: 'cc' } },
      `01` + `01` + `0499` + `06` + `0100000000000000` + `08aabb` + `01` + `04cc`,
    ],
    [
      'SwapAndAddLiquidity',
      { kind: 'SwapAndAddLiquidity', origin: null, minimum: '18446744073709551615', gas: '0', address: SERAI },
      `02` + `00` + `ffffffffffffffff` + `0000000000000000` + SERAI,
    ],
  ])('%s', (_name, shorthand, hex) => {
    expect(bytesToHex(encodeShorthand(shorthand))).toBe(hex);
    expect(decodes(hex)).toEqual(shorthand);
  });

  test('decoded instructions satisfy the message schemas', () => {
    const raw = decodes(`0000` + `01` + `01` + `04` + `0a00000000000000` + `00${SERAI}`);
    if (raw.kind !== 'Raw') throw new Error('expected Raw');
    expect(inInstruction.parse(raw.instruction)).toEqual(raw.instruction);
    const swap = decodes(`01` + `00` + `07` + `0100000000000000` + `00` + `00`);
    if (swap.kind !== 'Swap') throw new Error('expected Swap');
    expect(outInstruction.parse(swap.out)).toEqual(swap.out);
  });
});

describe('strict decoding of hostile deposit data', () => {
  const valid = encodeShorthand({ kind: 'Raw', origin: fill(21, 0x01), instruction: { kind: 'Transfer', address: SERAI } });

  test('every truncation is a typed error naming the field, never an exception', () => {
    for (let length = 0; length < valid.length; length++) {
      const error = fails(valid.subarray(0, length));
      expect(error).toBeInstanceOf(ScaleDecodeError);
      expect(error.reason).toMatch(/needs \d+ byte\(s\), \d+ left/);
    }
    expect(fails(valid.subarray(0, 0)).field).toBe('Shorthand');
    expect(fails(valid.subarray(0, 10)).field).toBe('Raw.origin');
    expect(fails(valid.subarray(0, valid.length - 1)).field).toBe('Raw.instruction.Transfer');
  });

  test('trailing bytes are refused', () => {
    const error = fails(Uint8Array.of(...valid, 0));
    expect(error).toMatchObject({ field: 'Shorthand', reason: '1 trailing byte(s)' });
  });

  test.each([
    ['an unknown Shorthand variant', `03${SERAI}`, 'Shorthand', 'unknown variant 3'],
    ['an unknown InInstruction variant', `0000` + `04${SERAI}`, 'Raw.instruction', 'unknown variant 4'],
    ['an unknown DexCall variant', `0000` + `0102${SERAI}`, 'Raw.instruction.Dex', 'unknown variant 2'],
    ['an unknown OutAddress variant', `0000` + `01` + `01` + `04` + fill(8, 0) + `02`, 'Raw.instruction.Dex.Swap.to', 'unknown variant 2'],
    ['an unknown coin', `0000` + `01` + `01` + `03` + fill(8, 0) + `00${SERAI}`, 'Raw.instruction.Dex.Swap.minimum.coin', 'unknown coin id 3'],
    ['an unknown external coin', `01` + `00` + `00` + fill(8, 0) + `0000`, 'Swap.coin', 'unknown external coin id 0'],
    ['an unknown network', `0000` + `03${SERAI}04`, 'Raw.instruction.SwapToStakedSRI.network', 'unknown network id 4'],
    ['an Option tag of 2', `0002` + `00${SERAI}`, 'Raw.origin', 'unknown Option tag 2'],
    ['a non-canonical compact length', `0001` + `0100` + `00${SERAI}`, 'Raw.origin.length', 'non-canonical compact integer'],
    ['an ExternalAddress over 196 bytes', `0001` + `1503` + fill(197, 1) + `00${SERAI}`, 'Raw.origin.length', 'compact integer above 196'],
    ['a length claiming 2^32 bytes, refused before reading', `0001` + `0700000000` + `01`, 'Raw.origin.length', 'compact integer above 196'],
    ['Data over 512 bytes', `01` + `00` + `04` + fill(8, 0) + `00` + `01` + `0508` + fill(513, 0), 'Swap.out.data.length', 'compact integer above 512'],
  ])('%s', (_name, hex, field, reason) => {
    expect(fails(hex)).toMatchObject({ name: 'ScaleDecodeError', field, reason });
  });

  test('any bytes decode to an error or to a value that re-encodes to exactly those bytes', () => {
    const shorthandLike = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      // Mostly-valid prefixes reach deeper fields than uniform bytes do.
      fc.tuple(fc.constantFrom(valid, hexToBytes(`0000` + `01` + `01` + `04` + fill(8, 1) + `01` + `08` + `0102`)), fc.nat(), fc.uint8Array({ maxLength: 4 }))
        .map(([bytes, cut, tail]) => Uint8Array.of(...bytes.subarray(0, cut % (bytes.length + 1)), ...tail)),
    );
    fc.assert(
      fc.property(shorthandLike, (bytes) => {
        const result = decodeShorthand(bytes);
        if (result.ok) expect(bytesToHex(encodeShorthand(result.shorthand))).toBe(bytesToHex(bytes));
        else expect(result.error).toBeInstanceOf(ScaleDecodeError);
      }),
      { numRuns: 3000 },
    );
  });

  test('compact integers: canonical in every mode, refused otherwise', () => {
    const read = (hex: string) => new ScaleReader(hexToBytes(hex)).compact('n', 1n << 64n);
    expect(read('fc')).toBe(63n);
    expect(read('0101')).toBe(64n);
    expect(read('fdff')).toBe(16383n);
    expect(read('02000100')).toBe(16384n);
    expect(read('0300000040')).toBe(1n << 30n);
    expect(read('13ffffffffffffffff')).toBe((1n << 64n) - 1n);
    for (const hex of ['fd00', '02000000', 'feff0000', '03ffffff3f', '0700000000000000']) {
      expect(() => read(hex)).toThrow('n: non-canonical compact integer');
    }
  });
});

describe('Serai Bitcoin address encoding', () => {
  const hash20 = hexToBytes(fill(20, 0x5a));
  const hash32 = hexToBytes(fill(32, 0x6b));
  const xOnly = hexToBytes('79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
  test.each([
    ['P2PKH', 0, payments.p2pkh({ hash: hash20, network: networks.regtest }).output, hash20],
    ['P2SH', 1, payments.p2sh({ hash: hash20, network: networks.regtest }).output, hash20],
    ['P2WPKH', 2, payments.p2wpkh({ hash: hash20, network: networks.regtest }).output, hash20],
    ['P2WSH', 3, payments.p2wsh({ hash: hash32, network: networks.regtest }).output, hash32],
    ['P2TR', 4, payments.p2tr({ pubkey: xOnly, network: networks.regtest }).output, null],
  ] as const)('%s (bitcoinjs-lib builds the script)', (_kind, index, script, program) => {
    if (!script) throw new Error('bitcoinjs-lib returned no script');
    const encoded = encodeAddress(script);
    if (!encoded) throw new Error('expected an encodable script');
    expect(encoded[0]).toBe(index);
    expect(bytesToHex(encoded.subarray(1))).toBe(bytesToHex(program ?? script.subarray(2)));
    expect(bytesToHex(decodeAddress(encoded) ?? new Uint8Array())).toBe(bytesToHex(script));
    expect(isRefundableScript(script)).toBe(true);
  });

  test('scripts Serai cannot name are not refundable', () => {
    const p2pk = payments.p2pk({ pubkey: hexToBytes(`02${bytesToHex(xOnly)}`) }).output ?? new Uint8Array();
    for (const script of [p2pk, Uint8Array.of(0x51), hexToBytes(`5220${fill(32, 1)}`), hexToBytes(`0014${fill(19, 1)}`), new Uint8Array()]) {
      expect(isRefundableScript(script)).toBe(false);
      expect(encodeAddress(script)).toBeNull();
    }
  });

  test('bytes that are not exactly one encoded address decode to null', () => {
    for (const hex of ['', '05' + fill(32, 1), '00' + fill(19, 1), '00' + fill(21, 1), '04' + fill(31, 1)]) {
      expect(decodeAddress(hexToBytes(hex))).toBeNull();
    }
  });
});

describe('deposit outcomes', () => {
  const ORIGIN = `0014${fill(20, 0x33)}`;
  const EXPLICIT = `5120${fill(32, 0x44)}`;
  const explicitOrigin = bytesToHex(encodeAddress(hexToBytes(EXPLICIT)) ?? new Uint8Array());
  const deposit = (overrides: Partial<ScannedOutput>): ScannedOutput => ({
    id: `${fill(32, 0x01)}:0`,
    kind: 'external',
    txid: fill(32, 0x01),
    vout: 0,
    amount: '50000',
    script: `5120${fill(32, 0x02)}`,
    session: 0,
    presumedOrigin: ORIGIN,
    data: null,
    dataStatus: 'absent',
    ...overrides,
  });
  const data = (shorthand: Shorthand) => ({ data: bytesToHex(encodeShorthand(shorthand)), dataStatus: 'present' as const });
  const transfer: Shorthand = { kind: 'Raw', origin: null, instruction: { kind: 'Transfer', address: SERAI } };

  test('a valid instruction credits the amount less twice COST_TO_AGGREGATE; its refund address is the presumed origin', () => {
    expect(DEPOSIT_FEE).toBe(1600n);
    expect(depositOutcome(deposit(data(transfer)))).toEqual({
      kind: 'instruction',
      output: `${fill(32, 0x01)}:0`,
      instruction: { instruction: { kind: 'Transfer', address: SERAI }, balance: { coin: 'bitcoin', amount: '48400' } },
      refundTo: ORIGIN,
    });
  });

  test("an instruction's own origin takes precedence over the presumed one, when it names an address", () => {
    expect(depositOutcome(deposit(data({ ...transfer, origin: explicitOrigin })))).toMatchObject({ kind: 'instruction', refundTo: EXPLICIT });
    expect(depositOutcome(deposit(data({ ...transfer, origin: 'ff' })))).toMatchObject({ kind: 'instruction', refundTo: ORIGIN });
  });

  test.each([
    ['no data', { dataStatus: 'absent' as const }, { reason: 'no-data' }],
    ['oversized data', { dataStatus: 'oversized' as const }, { reason: 'data-too-long' }],
    ['an unparseable OP_RETURN', { dataStatus: 'malformed' as const }, { reason: 'malformed-script' }],
    ['undecodable data', { data: '0500', dataStatus: 'present' as const }, { reason: 'undecodable', field: 'Shorthand', detail: 'unknown variant 5' }],
  ])('%s is refunded in full to the presumed origin', (_name, overrides, invalid) => {
    expect(depositOutcome(deposit(overrides))).toEqual({
      kind: 'refund',
      output: `${fill(32, 0x01)}:0`,
      invalid,
      refund: { address: ORIGIN, amount: '50000' },
    });
  });

  test('a Swap Shorthand (todo!() in the original) is refunded to its own origin', () => {
    const swap: Shorthand = { kind: 'Swap', origin: explicitOrigin, coin: 'ether', minimum: '1', out: { address: '00', data: null } };
    expect(depositOutcome(deposit(data(swap)))).toEqual({
      kind: 'refund',
      output: `${fill(32, 0x01)}:0`,
      invalid: { reason: 'unsupported', shorthand: 'Swap' },
      refund: { address: EXPLICIT, amount: '50000' },
    });
  });

  test('invalid data without any origin is reported as unusable', () => {
    expect(depositOutcome(deposit({ presumedOrigin: null, data: '00', dataStatus: 'present' }))).toEqual({
      kind: 'unusable',
      output: `${fill(32, 0x01)}:0`,
      invalid: { reason: 'undecodable', field: 'Raw.origin', detail: 'needs 1 byte(s), 0 left' },
    });
  });

  test('outputs of other kinds are not deposits', () => {
    const outputs = [deposit({ kind: 'change' }), deposit({ kind: 'branch' }), deposit({ kind: 'forward' }), deposit(data(transfer))];
    expect(outputs.slice(0, 3).map(depositOutcome)).toEqual([null, null, null]);
    expect(depositOutcomes(outputs).map((outcome) => outcome.kind)).toEqual(['instruction']);
  });

  test('an amount below the deposit fee is a RangeError naming the output', () => {
    expect(() => depositOutcome(deposit({ ...data(transfer), amount: '1599' }))).toThrow(`deposit ${fill(32, 0x01)}:0: 1599 sat is below the deposit fee`);
  });
});
