/**
 * A whole signing session run in one process, for tests, benchmarks and tooling: dealer keys,
 * every signer's preprocess and share, aggregation. Production runs these steps in separate
 * activities with the nonce ledger in between.
 */
import type { Key } from '@noble/curves/abstract/frost.js';
import { aggregate, commit, prepareKey, signShare } from '../signing';
import type { OutputKind, Scheme } from '../suites/types';

/** Trusted-dealer keys for participants 1..n (raw, unprepared), keyed by participant. */
export function dealKeys(scheme: Scheme, t: number, n: number): Map<number, Key> {
  const deal = scheme.frost.trustedDealer({ min: t, max: n });
  const keys = new Map<number, Key>();
  for (let participant = 1; participant <= n; participant++) {
    const secret = deal.secretShares[scheme.backend.identifierOf(participant)]!;
    keys.set(participant, { public: deal.public, secret });
  }
  return keys;
}

export interface SigningRun {
  readonly keys: Map<number, Key>;
  readonly nonces: Map<number, Uint8Array>;
  readonly commitments: Map<number, Uint8Array>;
  readonly shares: Map<number, Uint8Array>;
}

/** Prepares the signers' keys for `kind`, then commits and signs `msg` with each of them. */
export function signAll(
  scheme: Scheme,
  rawKeys: ReadonlyMap<number, Key>,
  signers: readonly number[],
  msg: Uint8Array,
  kind?: OutputKind,
): SigningRun {
  const keys = new Map(signers.map((p) => [p, prepareKey(scheme, rawKeys.get(p)!, kind)]));
  const nonces = new Map<number, Uint8Array>();
  const commitments = new Map<number, Uint8Array>();
  for (const p of signers) {
    const preprocess = commit(scheme, keys.get(p)!.secret);
    nonces.set(p, preprocess.nonces);
    commitments.set(p, preprocess.commitments);
  }
  const shares = new Map(signers.map((p) => [p, signShare(scheme, keys.get(p)!, nonces.get(p)!, commitments, msg)]));
  return { keys, nonces, commitments, shares };
}

/** `signAll`, then the aggregate signature and the prepared public package it verifies under. */
export function signWithThreshold(
  scheme: Scheme,
  rawKeys: ReadonlyMap<number, Key>,
  signers: readonly number[],
  msg: Uint8Array,
  kind?: OutputKind,
): SigningRun & { signature: Uint8Array; publicPackage: Key['public'] } {
  const run = signAll(scheme, rawKeys, signers, msg, kind);
  const publicPackage = run.keys.get(signers[0]!)!.public;
  return { ...run, publicPackage, signature: aggregate(scheme, publicPackage, run.commitments, msg, run.shares) };
}
