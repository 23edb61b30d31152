import { schnorr_FROST, schnorr } from '@noble/curves/secp256k1.js';

test('ESM-only @noble/curves loads under jest', () => {
  expect(typeof schnorr_FROST).toBe('object');
  expect(typeof schnorr.verify).toBe('function');
});
