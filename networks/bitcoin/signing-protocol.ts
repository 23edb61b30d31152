/** A Bitcoin plan's transaction as a threshold-signing protocol: FROST-BIP340 over every input's BIP341 sighash. */
import type { ThresholdProtocol } from '../../crypto/sign/protocol';
import { complete, preprocess, share, signingMessage, type SignedTransaction } from './sign';
import type { SignableTransaction } from './transaction';

export const bitcoinTransactionSigning: ThresholdProtocol<SignableTransaction, SignedTransaction> = {
  curve: 'secp256k1',
  prepare: (key) => key,
  preprocess: (key, signable) => preprocess(key, signable),
  binding: (pub, signable, commitments) => signingMessage(pub, signable, commitments),
  share: (key, nonces, signable, commitments) => share(key, nonces, signable, commitments),
  aggregate: (pub, signable, commitments, shares) => {
    const signed = complete(pub, signable, commitments, shares);
    return { txid: signed.txid, hex: signed.hex };
  },
};
