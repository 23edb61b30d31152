/**
 * The subset of STROBE-128 (v1.0.2) that Merlin transcripts use: meta-AD, AD, PRF and KEY.
 * Spec: https://strobe.sourceforge.io/specs/ ; state layout and framing follow the merlin crate's
 * `strobe.rs`, which is the reference every Merlin implementation is tested against.
 */
import { keccakP } from '@noble/hashes/sha3.js';
import { swap32IfBE, u32 } from '@noble/hashes/utils.js';

/** Rate of Keccak-f[1600] at the 128-bit security level (168 bytes) minus the two framing bytes. */
const STROBE_R = 166;

const FLAG_I = 1;
const FLAG_A = 1 << 1;
const FLAG_C = 1 << 2;
const FLAG_T = 1 << 3;
const FLAG_M = 1 << 4;
const FLAG_K = 1 << 5;

export class Strobe128 {
  private readonly state = new Uint8Array(200);
  private readonly lanes = u32(this.state);
  private pos = 0;
  private posBegin = 0;
  private curFlags = 0;

  constructor(protocolLabel: Uint8Array) {
    this.state.set([1, STROBE_R + 2, 1, 0, 1, 96], 0);
    this.state.set(new TextEncoder().encode('STROBEv1.0.2'), 6);
    this.permute();
    this.metaAd(protocolLabel, false);
  }

  metaAd(data: Uint8Array, more: boolean): void {
    this.beginOp(FLAG_M | FLAG_A, more);
    this.absorb(data);
  }

  ad(data: Uint8Array, more: boolean): void {
    this.beginOp(FLAG_A, more);
    this.absorb(data);
  }

  prf(length: number, more: boolean): Uint8Array {
    this.beginOp(FLAG_I | FLAG_A | FLAG_C, more);
    return this.squeeze(length);
  }

  key(data: Uint8Array, more: boolean): void {
    this.beginOp(FLAG_A | FLAG_C, more);
    this.overwrite(data);
  }

  /** Zeroes the sponge state; the object must not be used afterwards. */
  wipe(): void {
    this.state.fill(0);
    this.pos = 0;
    this.posBegin = 0;
    this.curFlags = 0;
  }

  private permute(): void {
    swap32IfBE(this.lanes);
    keccakP(this.lanes);
    swap32IfBE(this.lanes);
  }

  private runF(): void {
    this.state[this.pos]! ^= this.posBegin;
    this.state[this.pos + 1]! ^= 0x04;
    this.state[STROBE_R + 1]! ^= 0x80;
    this.permute();
    this.pos = 0;
    this.posBegin = 0;
  }

  private absorb(data: Uint8Array): void {
    for (const byte of data) {
      this.state[this.pos]! ^= byte;
      this.pos += 1;
      if (this.pos === STROBE_R) this.runF();
    }
  }

  private overwrite(data: Uint8Array): void {
    for (const byte of data) {
      this.state[this.pos] = byte;
      this.pos += 1;
      if (this.pos === STROBE_R) this.runF();
    }
  }

  private squeeze(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      out[i] = this.state[this.pos]!;
      this.state[this.pos] = 0;
      this.pos += 1;
      if (this.pos === STROBE_R) this.runF();
    }
    return out;
  }

  private beginOp(flags: number, more: boolean): void {
    if (more) {
      // A continued operation must keep the flags of the one it continues (STROBE section 6.1).
      if (flags !== this.curFlags) throw new Error('STROBE: continued operation changed its flags');
      return;
    }
    if ((flags & FLAG_T) !== 0) throw new Error('STROBE: transport operations are not supported');
    const oldBegin = this.posBegin;
    this.posBegin = this.pos + 1;
    this.curFlags = flags;
    this.absorb(Uint8Array.of(oldBegin, flags));
    const forceF = (flags & (FLAG_C | FLAG_K)) !== 0;
    if (forceF && this.pos !== 0) this.runF();
  }
}
