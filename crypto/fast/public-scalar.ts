/**
 * Scalars that may be handed to variable-time arithmetic.
 *
 * The MSMs of crypto/fast (and the noble-backed `GroupEngine`s and DKG helpers beside them) run in
 * time and memory-access patterns that depend on the scalar: wNAF recoding, tables sized by the
 * largest digit, skipped zero scalars. That is fine for challenges, binding factors, Lagrange
 * coefficients of public indices, proof responses, signature (share) scalars and random batch
 * weights, and fatal for a key share, a nonce or anything derived from them.
 *
 * `PublicScalar` is a `bigint` that carries that promise in its type. Those functions accept only
 * `PublicScalar`, so a plain `bigint` (such as a secret share or a nonce) does not typecheck; the
 * only way to make one is `publicScalar(value)`, whose every call site is an explicit claim to be
 * reviewed. Arithmetic on a `PublicScalar` yields a plain `bigint` again, so a derived value must
 * be re-asserted where it is used. Secret scalars go to noble's constant-time `Point.multiply`.
 *
 * At run time it is the bigint itself: the brand exists only for the type checker.
 */

declare const publicScalarBrand: unique symbol;

/** A scalar the caller has asserted is public (safe for variable-time multiplication). */
export type PublicScalar = bigint & { readonly [publicScalarBrand]: true };

/**
 * The caller asserts this value is public: known to, or harmless to reveal to, everyone who can
 * time this process. Never wrap a secret share, a nonce or anything computed from either.
 */
export function publicScalar(value: bigint): PublicScalar {
  if (typeof value !== 'bigint') throw new TypeError('publicScalar: expected a bigint');
  return value as PublicScalar;
}

/** `publicScalar` for each value: the caller asserts every one of them is public. */
export function publicScalars(values: readonly bigint[]): PublicScalar[] {
  return values.map(publicScalar);
}
