/**
 * RFC 9591's hashes (H1/H2/H3 to scalars, H4/H5 to bytes) on Node's OpenSSL SHA-2.
 *
 * noble's SHA-256 is correct but, as loaded by tsx and jest (transpiled to CommonJS), one call
 * on a 129-byte input took ~33 µs against ~1.5 µs for OpenSSL; a 67-signer session hashes ~200
 * times, which made hashing alone ~8 ms of a share. Outputs are byte-identical to noble's
 * (`secp256k1_hasher.hashToScalar`, and SHA-512(dst || msg) mod L); tests check both.
 */
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, bytesToNumberLE } from '@noble/curves/utils.js';

const secpFn = secp256k1.Point.Fn;
const edwardsFn = ed25519.Point.Fn;

function digest(algorithm: 'sha256' | 'sha512', parts: readonly Uint8Array[]): Uint8Array {
  const hash = createHash(algorithm);
  for (const part of parts) hash.update(part);
  const out = hash.digest();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

export const sha256 = (msg: Uint8Array): Uint8Array => digest('sha256', [msg]);
export const sha512 = (msg: Uint8Array): Uint8Array => digest('sha512', [msg]);

const MAX_DST = 255;
const OVERSIZE_DST_PREFIX = new TextEncoder().encode('H2C-OVERSIZE-DST-');

/** RFC 9380 section 5.3.1 expand_message_xmd with SHA-256 (b = 32, s = 64 bytes). */
export function expandMessageXmdSha256(msg: Uint8Array, dst: Uint8Array, lengthInBytes: number): Uint8Array {
  const DST = dst.length > MAX_DST ? digest('sha256', [OVERSIZE_DST_PREFIX, dst]) : dst;
  const ell = Math.ceil(lengthInBytes / 32);
  if (ell > 255 || lengthInBytes > 0xffff) throw new RangeError('expand_message_xmd: requested length too large');
  const dstPrime = Uint8Array.of(...DST, DST.length);
  const zPad = new Uint8Array(64);
  const lengthBytes = Uint8Array.of(lengthInBytes >> 8, lengthInBytes & 0xff);
  const b0 = digest('sha256', [zPad, msg, lengthBytes, Uint8Array.of(0), dstPrime]);
  const out = new Uint8Array(ell * 32);
  let previous = digest('sha256', [b0, Uint8Array.of(1), dstPrime]);
  out.set(previous, 0);
  for (let i = 2; i <= ell; i++) {
    const mixed = b0.map((byte, j) => byte ^ previous[j]!);
    previous = digest('sha256', [mixed, Uint8Array.of(i), dstPrime]);
    out.set(previous, (i - 1) * 32);
  }
  return out.subarray(0, lengthInBytes);
}

/** hash_to_field(msg, 1) into Z/nZ of secp256k1: 48 bytes of expand_message_xmd, reduced (k = 128). */
export function secp256k1HashToScalar(msg: Uint8Array, dst: Uint8Array): bigint {
  return secpFn.create(bytesToNumberBE(expandMessageXmdSha256(msg, dst, 48)));
}

/** SHA-512(dst || msg) as a little-endian integer mod L (RFC 9591 ristretto255 / Ed25519). */
export function sha512HashToScalar(msg: Uint8Array, dst: Uint8Array): bigint {
  return edwardsFn.create(bytesToNumberLE(digest('sha512', [dst, msg])));
}
