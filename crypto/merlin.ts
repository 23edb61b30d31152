/**
 * Merlin transcripts (https://merlin.cool), byte-compatible with the merlin crate: the Fiat-Shamir
 * construction behind Schnorrkel (sr25519) challenges.
 */
import { Strobe128 } from './strobe';

const MERLIN_PROTOCOL_LABEL = 'Merlin v1.0';
const MAX_U32 = 0xffff_ffff;

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
type Bytes = Uint8Array | string;
const toBytes = (data: Bytes): Uint8Array => (typeof data === 'string' ? utf8(data) : data);

function le32(length: number, what: string): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_U32) {
    throw new RangeError(`${what} must be a u32 length, got ${length}`);
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, length, true);
  return out;
}

export class MerlinTranscript {
  private readonly strobe: Strobe128;

  /** `new Transcript(label)`: a STROBE-128 "Merlin v1.0" instance with `dom-sep` = label. */
  constructor(label: Bytes) {
    this.strobe = new Strobe128(utf8(MERLIN_PROTOCOL_LABEL));
    this.appendMessage('dom-sep', label);
  }

  appendMessage(label: Bytes, message: Bytes): this {
    const bytes = toBytes(message);
    this.strobe.metaAd(toBytes(label), false);
    this.strobe.metaAd(le32(bytes.length, 'message length'), true);
    this.strobe.ad(bytes, false);
    return this;
  }

  appendU64(label: Bytes, value: bigint): this {
    if (value < 0n || value >= 1n << 64n) throw new RangeError(`appendU64 expects a u64, got ${value}`);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, value, true);
    return this.appendMessage(label, bytes);
  }

  challengeBytes(label: Bytes, length: number): Uint8Array {
    this.strobe.metaAd(toBytes(label), false);
    this.strobe.metaAd(le32(length, 'challenge length'), true);
    return this.strobe.prf(length, false);
  }

  /** Zeroes the transcript state; the transcript must not be used afterwards. */
  wipe(): void {
    this.strobe.wipe();
  }
}
