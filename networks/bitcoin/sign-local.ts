/**
 * A whole Bitcoin signing session in one process, for tests, benchmarks and tooling: every
 * signer's preprocess, signing message and shares, then completion. Production runs these steps
 * in separate activities with the nonce ledger in between (sign.ts).
 */
import type { FrostPublic, Key } from '@noble/curves/abstract/frost.js';
import { complete, preprocess, share, signingMessage, type SignedTransaction } from './sign';
import type { SignableTransaction } from './transaction';

export interface SigningTimes {
  readonly preprocessMs: number;
  readonly shareMs: number;
  readonly aggregateMs: number;
  readonly totalMs: number;
}

/** Signs `signable` with the raw keys of `signers`; `pub` is the key set's (raw) public package. */
export function signInProcess(
  keys: ReadonlyMap<number, Key>,
  signers: readonly number[],
  pub: FrostPublic,
  signable: SignableTransaction,
): { signed: SignedTransaction; times: SigningTimes } {
  const keyOf = (participant: number): Key => {
    const key = keys.get(participant);
    if (key === undefined) throw new RangeError(`signers: no key for participant ${participant}`);
    return key;
  };
  const started = performance.now();
  const commitments = new Map<number, Uint8Array>();
  const secrets = new Map<number, Uint8Array>();
  for (const participant of signers) {
    const generated = preprocess(keyOf(participant), signable);
    secrets.set(participant, generated.secret);
    commitments.set(participant, generated.commitments);
  }
  const preprocessed = performance.now();
  const shares = new Map<number, Uint8Array>();
  for (const participant of signers) {
    // What each signer's nonce ledger binds its nonces to before it signs.
    signingMessage(keyOf(participant).public, signable, commitments);
    const nonces = secrets.get(participant)!;
    shares.set(participant, share(keyOf(participant), nonces, signable, commitments));
    nonces.fill(0);
  }
  const shared = performance.now();
  const signed = complete(pub, signable, commitments, shares);
  const done = performance.now();
  return {
    signed,
    times: { preprocessMs: preprocessed - started, shareMs: shared - preprocessed, aggregateMs: done - shared, totalMs: done - started },
  };
}
