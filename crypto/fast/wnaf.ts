/** Width-6 non-adjacent form of scalars below 2^256, shared by the Straus MSMs. */
import type { PublicScalar } from './public-scalar';

const WINDOW = 6;
const MAX_DIGIT = (1 << (WINDOW - 1)) - 1;
export const POSITIONS = 257;
const HEX_DIGITS = '0123456789abcdef';

/** A scalar's width-6 NAF: odd digits in [−31, 31], at least 5 zeros after each non-zero one. */
export interface Naf {
  readonly digits: Int8Array;
  /** Largest |digit|, 0 for k = 0. */
  readonly largest: number;
  /** Highest non-zero position, −1 for k = 0. */
  readonly top: number;
}

/** Variable time (digit positions and magnitudes follow k's bits): public scalars only. */
export function wnaf(k: PublicScalar): Naf {
  const bits = new Uint8Array(POSITIONS + WINDOW + 1);
  const hex = k.toString(16).padStart(64, '0');
  for (let nibble = 0; nibble < 64; nibble++) {
    const value = HEX_DIGITS.indexOf(hex[63 - nibble]!);
    for (let b = 0; b < 4; b++) bits[nibble * 4 + b] = (value >> b) & 1;
  }
  const digits = new Int8Array(POSITIONS);
  let largest = 0;
  let top = -1;
  for (let i = 0; i < POSITIONS; ) {
    if (bits[i] === 0) {
      i += 1;
      continue;
    }
    let value = 0;
    for (let b = 0; b < WINDOW; b++) value |= bits[i + b]! << b;
    if (value > MAX_DIGIT) {
      value -= 1 << WINDOW;
      let j = i + WINDOW;
      while (bits[j] === 1) bits[j++] = 0;
      bits[j] = 1;
    }
    digits[i] = value;
    const magnitude = value < 0 ? -value : value;
    if (magnitude > largest) largest = magnitude;
    top = i;
    i += WINDOW;
  }
  return { digits, largest, top };
}

/** Non-zero digits grouped by position: `index << 6 | (digit + 32)`. */
export function digitsByPosition(nafs: readonly Naf[], top: number): number[][] {
  const byPosition: number[][] = Array.from({ length: top + 1 }, () => []);
  nafs.forEach((naf, index) => {
    for (let position = 0; position <= naf.top; position++) {
      const d = naf.digits[position]!;
      if (d !== 0) byPosition[position]!.push((index << 6) | (d + 32));
    }
  });
  return byPosition;
}

/** The points whose scalars are non-zero, each scalar's NAF, and the highest non-zero position over all (−1 if none). */
export function recodeNonZero<P>(points: readonly P[], scalars: readonly PublicScalar[], curve: string): { used: P[]; nafs: Naf[]; top: number } {
  if (points.length !== scalars.length) throw new Error(`${curve} MSM: points and scalars differ in length`);
  const used: P[] = [];
  const nafs: Naf[] = [];
  let top = -1;
  for (let i = 0; i < points.length; i++) {
    if (scalars[i] === 0n) continue;
    const naf = wnaf(scalars[i]!);
    used.push(points[i]!);
    nafs.push(naf);
    top = Math.max(top, naf.top);
  }
  return { used, nafs, top };
}
