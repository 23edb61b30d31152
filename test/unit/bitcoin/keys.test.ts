import { schnorr_FROST } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { address, networks } from 'bitcoinjs-lib';
import { OUTPUT_KINDS } from '../../../crypto/suites';
import { addressOf, outputKey, outputKeySet, p2trScript, scriptsOfNetworkKey } from '../../../networks/bitcoin/keys';

const dealt = schnorr_FROST.trustedDealer({ min: 3, max: 4 });

test('each output kind has its own deterministic Taproot key, script and regtest address', () => {
  const keys = OUTPUT_KINDS.map((kind) => bytesToHex(outputKey(dealt.public, kind)));
  expect(new Set(keys).size).toBe(4);
  expect(OUTPUT_KINDS.map((kind) => bytesToHex(outputKey(dealt.public, kind)))).toEqual(keys);
  const set = outputKeySet(7, dealt.public);
  expect(set.session).toBe(7);
  for (const [i, kind] of OUTPUT_KINDS.entries()) {
    expect(set.scripts[kind]).toBe(`5120${keys[i]}`);
    const addr = addressOf(p2trScript(outputKey(dealt.public, kind)), 'regtest');
    expect(addr).toMatch(/^bcrt1p[02-9ac-hj-np-z]{58}$/);
    expect(bytesToHex(address.toOutputScript(addr, networks.regtest))).toBe(set.scripts[kind]);
  }
  expect(addressOf(p2trScript(outputKey(dealt.public, 'external')), 'mainnet')).toMatch(/^bc1p/);
});

test('a key that is not 32 bytes is refused', () => {
  expect(() => p2trScript(new Uint8Array(33))).toThrow('a Taproot output key is 32 bytes, got 33');
});

test("a key's scripts follow from its network key alone, the same as from its public data, for keys of either parity", () => {
  for (let i = 0; i < 16; i++) {
    const { public: pub } = schnorr_FROST.trustedDealer({ min: 2, max: 3 });
    expect(scriptsOfNetworkKey(bytesToHex(pub.commitments[0]!))).toEqual(outputKeySet(0, pub).scripts);
  }
});
