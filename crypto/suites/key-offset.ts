/**
 * Affine re-keying of a secp256k1 FROST key set: every share becomes `±s + offset`.
 *
 * Because the Lagrange coefficients of any signer set sum to one, the same map on the group key
 * (`±P + offset·G`), on every verifying share and on every share keeps the set consistent: any t
 * prepared shares interpolate to the prepared group secret. This is how BIP341 tweaks and the
 * Router's key offset reach every participant without interaction.
 */
import type { FrostPublic, FrostSecret } from '@noble/curves/abstract/frost.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { shiftCompressedPoints } from '../fast/secp256k1-batch';

const Point = secp256k1.Point;
const Fn = Point.Fn;
type SecpPoint = typeof Point.BASE;

/** `s ↦ (negate ? −s : s) + offset`, applied to shares, verifying shares and the group key. */
export interface KeyOffset {
  readonly negate: boolean;
  readonly offset: bigint;
}

/** The map that applies `first`, then `second`. */
export function composeOffsets(first: KeyOffset, second: KeyOffset): KeyOffset {
  const carried = second.negate ? Fn.neg(first.offset) : first.offset;
  return { negate: first.negate !== second.negate, offset: Fn.add(carried, second.offset) };
}

/** The image of a point under the map (the offset enters as `offset·G`). */
export function offsetPoint(point: SecpPoint, map: KeyOffset): SecpPoint {
  const signed = map.negate ? point.negate() : point;
  return map.offset === 0n ? signed : signed.add(Point.BASE.multiply(map.offset));
}

export function offsetPublic(pub: FrostPublic, map: KeyOffset): FrostPublic {
  const shift = map.offset === 0n ? null : Point.BASE.multiply(map.offset);
  const ids = Object.keys(pub.verifyingShares);
  // The group key and every verifying share move; the other coefficients only flip sign.
  const moved = shiftCompressedPoints([pub.commitments[0]!, ...ids.map((id) => pub.verifyingShares[id]!)], map.negate, shift);
  const flipped = shiftCompressedPoints(pub.commitments.slice(1), map.negate, null);
  return {
    signers: { min: pub.signers.min, max: pub.signers.max },
    commitments: [moved[0]!, ...flipped],
    verifyingShares: Object.fromEntries(ids.map((id, i) => [id, moved[i + 1]!])),
  } as FrostPublic;
}

export function offsetSecret(secret: FrostSecret, map: KeyOffset): FrostSecret {
  const share = Fn.fromBytes(secret.signingShare);
  const signed = map.negate ? Fn.neg(share) : share;
  return { identifier: secret.identifier, signingShare: Fn.toBytes(Fn.add(signed, map.offset)) } as FrostSecret;
}
