/** Batches as a threshold-signing protocol: sr25519 (Schnorrkel context `substrate`) under the session's Serai key. */
import { bytesToHex } from '@noble/hashes/utils.js';
import type { ThresholdProtocol } from '../crypto/sign/protocol';
import { singleMessageProtocol } from '../crypto/sign/single-message';
import { schemes } from '../crypto/suites';
import { batchMessage } from './batch';
import type { Batch } from './instructions';

export interface SignedBatchSignature {
  /** The sr25519 signature of `batchMessage(batch)`, hex. */
  signature: string;
}

export const batchSigning: ThresholdProtocol<Batch, SignedBatchSignature> = singleMessageProtocol({
  scheme: schemes.sr25519,
  curve: 'ristretto255',
  message: batchMessage,
  signed: (_batch, signature) => ({ signature: bytesToHex(signature) }),
});
