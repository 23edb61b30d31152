/**
 * A threshold-signing protocol for anything signed as one message under one scheme (a Batch under
 * the Serai key; later the Router's `execute`): the subject is mapped to its message, signed with
 * the scheme, checked with the scheme's independent verifier, and handed back in its final form.
 */
import type { FrostPublic } from '@noble/curves/abstract/frost.js';
import { aggregate, commit, prepareKey, signShare, signingDigest } from '../signing';
import type { Scheme } from '../suites/types';
import type { ProtocolCurve, ThresholdProtocol } from './protocol';

export class AggregateVerificationError extends Error {
  override readonly name = 'AggregateVerificationError';
}

export function singleMessageProtocol<Subject, Signed>(options: {
  scheme: Scheme;
  curve: ProtocolCurve;
  message(subject: Subject): Uint8Array;
  signed(subject: Subject, signature: Uint8Array, pub: FrostPublic): Signed;
}): ThresholdProtocol<Subject, Signed> {
  const { scheme, curve, message } = options;
  return {
    curve,
    prepare: (key) => prepareKey(scheme, key),
    preprocess(key) {
      const pre = commit(scheme, key.secret);
      return { secret: pre.nonces, commitments: pre.commitments };
    },
    binding: (pub, subject, commitments) => signingDigest(scheme, pub, commitments, message(subject)),
    share: (key, nonces, subject, commitments) => signShare(scheme, key, nonces, commitments, message(subject)),
    aggregate(pub, subject, commitments, shares) {
      const msg = message(subject);
      const signature = aggregate(scheme, pub, commitments, msg, shares);
      if (!scheme.verify(signature, msg, scheme.groupKeyEncoding(pub))) throw new AggregateVerificationError('aggregate signature does not verify');
      return options.signed(subject, signature, pub);
    },
  };
}
