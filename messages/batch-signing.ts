/** Batches as a threshold-signing protocol: sr25519 (Schnorrkel context `substrate`) under the session's Serai key. */
import { bytesToHex } from '@noble/hashes/utils.js';
import type { ThresholdProtocol } from '../crypto/sign/protocol';
import { aggregate, commit, prepareKey, signShare, signingDigest } from '../crypto/signing';
import { schemes } from '../crypto/suites';
import { batchMessage } from './batch';
import type { Batch } from './instructions';

const scheme = schemes.sr25519;

export interface SignedBatchSignature {
  /** The sr25519 signature of `batchMessage(batch)`, hex. */
  signature: string;
}

export const batchSigning: ThresholdProtocol<Batch, SignedBatchSignature> = {
  curve: 'ristretto255',
  prepare: (key) => prepareKey(scheme, key),
  preprocess(key) {
    const pre = commit(scheme, key.secret);
    return { secret: pre.nonces, commitments: pre.commitments };
  },
  binding: (pub, batch, commitments) => signingDigest(scheme, pub, commitments, batchMessage(batch)),
  share: (key, nonces, batch, commitments) => signShare(scheme, key, nonces, commitments, batchMessage(batch)),
  aggregate(pub, batch, commitments, shares) {
    const msg = batchMessage(batch);
    const signature = aggregate(scheme, pub, commitments, msg, shares);
    if (!scheme.verify(signature, msg, scheme.groupKeyEncoding(pub))) throw new Error('aggregate signature does not verify');
    return { signature: bytesToHex(signature) };
  },
};
