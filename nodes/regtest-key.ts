import { secp256k1 } from '@noble/curves/secp256k1.js';
import { networks, payments } from 'bitcoinjs-lib';

/** A throwaway regtest key and its P2WPKH address, e.g. to receive coinbase rewards in tests. */
export interface RegtestKey {
  secretKey: Uint8Array;
  /** 33-byte compressed public key. */
  publicKey: Uint8Array;
  /** bech32 `bcrt1q...` address. */
  address: string;
  outputScript: Uint8Array;
}

export function newRegtestKey(): RegtestKey {
  const secretKey = secp256k1.utils.randomSecretKey();
  const publicKey = secp256k1.getPublicKey(secretKey, true);
  const payment = payments.p2wpkh({ pubkey: publicKey, network: networks.regtest });
  if (!payment.address || !payment.output) throw new Error('bitcoinjs-lib p2wpkh returned no address');
  return { secretKey, publicKey, address: payment.address, outputScript: payment.output };
}
