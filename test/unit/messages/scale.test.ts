import { compactToU8a, u8aToHex } from '@polkadot/util';
import { bytesToHex } from '@noble/hashes/utils.js';

import { scale } from '../../../messages';

const hex = (bytes: Uint8Array) => bytesToHex(bytes);

describe('fixed-width integers are little-endian', () => {
  test('u8, u16, u32, u64', () => {
    expect(hex(scale.u8(0xfe))).toBe('fe');
    expect(hex(scale.u16(0x1234))).toBe('3412');
    expect(hex(scale.u32(1))).toBe('01000000');
    expect(hex(scale.u32(0xdeadbeef))).toBe('efbeadde');
    expect(hex(scale.u64(0x0102030405060708n))).toBe('0807060504030201');
    expect(hex(scale.u64(0xffff_ffff_ffff_ffffn))).toBe('ffffffffffffffff');
  });

  test('out-of-range values are refused', () => {
    expect(() => scale.u8(256)).toThrow(RangeError);
    expect(() => scale.u16(1.5)).toThrow(RangeError);
    expect(() => scale.u32(-1)).toThrow(RangeError);
    expect(() => scale.u32(2 ** 32)).toThrow(RangeError);
    expect(() => scale.u64(1n << 64n)).toThrow(RangeError);
  });
});

describe('compact integers', () => {
  // Worked examples of the SCALE specification (docs.substrate.io, "SCALE codec").
  test.each([
    [0, '00'],
    [1, '04'],
    [42, 'a8'],
    [63, 'fc'],
    [64, '0101'],
    [69, '1501'],
    [16383, 'fdff'],
    [16384, '02000100'],
    [65535, 'feff0300'],
    [2 ** 30 - 1, 'feffffff'],
    [2 ** 30, '0300000040'],
    [100000000000000n, '0b00407a10f35a'],
    [0xffff_ffff_ffff_ffffn, '13ffffffffffffffff'],
  ] as const)('%s -> %s', (value, expected) => {
    expect(hex(scale.compact(value))).toBe(expected);
  });

  test('agrees with polkadot-js at every mode boundary', () => {
    const values = [0n, 1n, 63n, 64n, 16383n, 16384n, (1n << 30n) - 1n, 1n << 30n, (1n << 32n) - 1n, 1n << 32n, (1n << 64n) - 1n, 1n << 64n, (1n << 128n) - 1n];
    for (const value of values) {
      expect(`0x${hex(scale.compact(value))}`).toBe(u8aToHex(compactToU8a(value)));
    }
  });

  test('negative values are refused', () => {
    expect(() => scale.compact(-1)).toThrow(RangeError);
  });
});

describe('composites', () => {
  test('Vec<u8> is a compact length then the bytes', () => {
    expect(hex(scale.byteVec(new Uint8Array()))).toBe('00');
    expect(hex(scale.byteVec(new Uint8Array([1, 2, 3])))).toBe('0c010203');
  });

  test('Vec<T> is a compact count then each item', () => {
    expect(hex(scale.vec([1, 2], scale.u32))).toBe('08' + '01000000' + '02000000');
  });

  test('Option is 00 for None, 01 then the value for Some', () => {
    expect(hex(scale.option(null, scale.u32))).toBe('00');
    expect(hex(scale.option(7, scale.u32))).toBe('0107000000');
  });

  test('an enum variant is its u8 index then its fields', () => {
    expect(hex(scale.variant(2))).toBe('02');
    expect(hex(scale.variant(1, scale.u32(7), scale.u8(9)))).toBe('010700000009');
  });

  test('[u8; N] must have exactly N bytes', () => {
    expect(hex(scale.fixedBytes(new Uint8Array(32).fill(0xab), 32))).toBe('ab'.repeat(32));
    expect(() => scale.fixedBytes(new Uint8Array(31), 32)).toThrow(RangeError);
  });
});
