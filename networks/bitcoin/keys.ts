/**
 * The Bitcoin scripts and addresses of a threshold key: one Taproot key-path output key per output
 * kind, from the crypto library's BIP340 scheme (the standard BIP341 tweak of a kind-specific key).
 */
import type { FrostPublic } from '@noble/curves/abstract/frost.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { address, initEccLib, networks, type Network as BitcoinJsNetwork } from 'bitcoinjs-lib';
import * as ecc from 'tiny-secp256k1';
import { outputKeyOfGroupKey, schemes, OUTPUT_KINDS } from '../../crypto/suites';
import type { OutputKind, OutputKeySet } from '../network';

initEccLib(ecc);

export type BitcoinChain = 'mainnet' | 'testnet' | 'regtest';

export const BITCOINJS_NETWORKS: Readonly<Record<BitcoinChain, BitcoinJsNetwork>> = {
  mainnet: networks.bitcoin,
  testnet: networks.testnet,
  regtest: networks.regtest,
};

/** The x-only output key (32 bytes) for `kind`. */
export function outputKey(pub: FrostPublic, kind: OutputKind): Uint8Array {
  const scheme = schemes.bip340;
  return scheme.groupKeyEncoding(scheme.preparePublic(pub, kind));
}

/** `OP_1 <32-byte x-only key>`: a Taproot output with key-path spending only. */
export function p2trScript(xOnlyKey: Uint8Array): Uint8Array {
  if (xOnlyKey.length !== 32) throw new RangeError(`a Taproot output key is 32 bytes, got ${xOnlyKey.length}`);
  const script = new Uint8Array(34);
  script[0] = 0x51;
  script[1] = 0x20;
  script.set(xOnlyKey, 2);
  return script;
}

export function addressOf(script: Uint8Array, chain: BitcoinChain): string {
  return address.fromOutputScript(script, BITCOINJS_NETWORKS[chain]);
}

/** Every output script of a key set, as the scanner watches them. */
export function outputKeySet(session: number, pub: FrostPublic): OutputKeySet {
  const scripts = Object.fromEntries(OUTPUT_KINDS.map((kind) => [kind, bytesToHex(p2trScript(outputKey(pub, kind)))])) as Record<OutputKind, string>;
  return { session, scripts };
}

/**
 * Every output script of a key from its network key (the raw group key Serai publishes) alone, the
 * same as `outputKeySet` derives from the key's public data: a key's funds can be followed offline.
 */
export function scriptsOfNetworkKey(networkKey: string): Record<OutputKind, string> {
  const groupKey = hexToBytes(networkKey);
  return Object.fromEntries(OUTPUT_KINDS.map((kind) => [kind, bytesToHex(p2trScript(outputKeyOfGroupKey(groupKey, kind)))])) as Record<OutputKind, string>;
}
