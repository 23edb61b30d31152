/**
 * Generates crypto/fast/secp256k1-field.ts: arithmetic modulo p = 2^256 − 2^32 − 977 on eleven
 * 24-bit limbs held in float64 (radix 2^24, 264 bits), fully unrolled.
 *
 * Why floats: a float64 represents every integer below 2^53 exactly, and +, −, × and
 * floor(x·2^-24) of such integers are exact as long as results stay below 2^53. A limb product is
 * below 2^48.01 and a column of eleven sums below 2^51.5, so a field multiplication is ~180 exact
 * float operations (about 85 ns here) instead of a BigInt multiply and division (~300 ns).
 *
 * Exactness is not assumed: the generator tracks an interval [lo, hi] for every value it emits
 * and refuses to generate code in which any value could leave [0, 2^53), or in which an output
 * limb could exceed the input invariant LIMB_MAX. The emitted code is therefore exact for every
 * input satisfying the invariant, which the field module maintains (all outputs satisfy it).
 *
 * Run: npx tsx crypto/fast/generate-secp256k1-field.ts   (a test checks the file is current)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LIMBS = 11;
const RADIX = 1n << 24n;
const EXACT = 1n << 53n;
/** Invariant of every stored limb: 0 ≤ limb ≤ LIMB_MAX. Proven below for every operation's output. */
export const LIMB_MAX = (1n << 24n) + (1n << 14n) - 1n;
export const P = (1n << 256n) - (1n << 32n) - 977n;

interface Value {
  readonly expr: string;
  readonly lo: bigint;
  readonly hi: bigint;
}

class Emitter {
  private readonly lines: string[] = [];
  private readonly bounds = new Map<string, [bigint, bigint]>();

  line(text: string): void {
    this.lines.push('  ' + text);
  }

  private check(name: string, lo: bigint, hi: bigint): void {
    if (lo < 0n || hi >= EXACT) throw new Error(`${name} may leave [0, 2^53): [${lo}, ${hi}]`);
  }

  /** `const|let name = sum of terms`; every partial sum is non-negative, so the total bounds them all. */
  define(keyword: 'const' | 'let', name: string, terms: Value[]): void {
    const lo = terms.reduce((s, t) => s + t.lo, 0n);
    const hi = terms.reduce((s, t) => s + t.hi, 0n);
    for (const t of terms) this.check(`${name} term ${t.expr}`, t.lo, t.hi);
    this.check(name, lo, hi);
    this.bounds.set(name, [lo, hi]);
    this.line(`${keyword} ${name} = ${terms.length === 0 ? '0' : terms.map((t) => t.expr).join(' + ')};`);
  }

  value(name: string): Value {
    const b = this.bounds.get(name);
    if (b === undefined) throw new Error(`unknown ${name}`);
    return { expr: name, lo: b[0], hi: b[1] };
  }

  /** name += terms */
  addTo(name: string, terms: Value[]): void {
    const [lo0, hi0] = this.bounds.get(name)!;
    const lo = terms.reduce((s, t) => s + t.lo, lo0);
    const hi = terms.reduce((s, t) => s + t.hi, hi0);
    for (const t of terms) this.check(`${name} += ${t.expr}`, t.lo, t.hi);
    this.check(name, lo, hi);
    this.bounds.set(name, [lo, hi]);
    this.line(`${name} += ${terms.map((t) => t.expr).join(' + ')};`);
  }

  set(name: string, lo: bigint, hi: bigint): void {
    this.check(name, lo, hi);
    this.bounds.set(name, [lo, hi]);
  }

  /** Moves everything above 24 bits of `from` into `to`: from ∈ [0, 2^24), to += carry. */
  carry(from: string, to: string): void {
    const [lo, hi] = this.bounds.get(from)!;
    this.check(from, lo, hi);
    const cLo = lo / RADIX;
    const cHi = hi / RADIX;
    this.line(`c = Math.floor(${from} * ${INV_RADIX}); ${from} -= c * ${RADIX}; ${to} += c;`);
    this.bounds.set(from, [cHi === cLo ? lo - cLo * RADIX : 0n, cHi === cLo ? hi - cHi * RADIX : RADIX - 1n]);
    const [tLo, tHi] = this.bounds.get(to)!;
    this.set(to, tLo + cLo, tHi + cHi);
  }

  bound(name: string): [bigint, bigint] {
    return this.bounds.get(name)!;
  }

  text(): string {
    return this.lines.join('\n');
  }
}

const INV_RADIX = '5.9604644775390625e-8'; // 2^-24, exact in float64
const limb = (array: string, i: number): Value => ({ expr: `${array}${i}`, lo: 0n, hi: LIMB_MAX });
const times = (v: Value, k: bigint): Value => ({ expr: `${v.expr} * ${k}`, lo: v.lo * k, hi: v.hi * k });
const product = (a: Value, b: Value, k = 1n): Value => ({
  expr: k === 1n ? `${a.expr} * ${b.expr}` : `${k} * ${a.expr} * ${b.expr}`,
  lo: k * a.lo * b.lo,
  hi: k * a.hi * b.hi,
});

function loadLimbs(e: Emitter, array: string, name: string): void {
  e.line(`const ${Array.from({ length: LIMBS }, (_, i) => `${name}${i} = ${array}[${i}]!`).join(', ')};`);
}

/** Carries upward from t0 wherever a limb may exceed LIMB_MAX, so every limb ends within the invariant. */
function settle(e: Emitter, t = 't'): void {
  for (let k = 0; k < LIMBS - 1; k++) if (e.bound(`${t}${k}`)[1] > LIMB_MAX) e.carry(`${t}${k}`, `${t}${k + 1}`);
}

/** The base-2^24 digits of 2^(24·position) mod p: how a limb at `position` ≥ 11 folds onto limbs 0..10. */
function foldDigits(position: number): bigint[] {
  let rest = (1n << (24n * BigInt(position))) % P;
  const digits: bigint[] = [];
  while (rest > 0n) {
    digits.push(rest & (RADIX - 1n));
    rest >>= 24n;
  }
  return digits;
}

/** Folds limb `from` (≥ 11) onto limbs 0..10 with the digits of 2^(24·from) mod p, then clears it. */
function fold(e: Emitter, from: number, t = 't'): void {
  const top = e.value(`${t}${from}`);
  foldDigits(from).forEach((digit, k) => {
    if (digit !== 0n) e.addTo(`${t}${k}`, [times(top, digit)]);
  });
  e.set(`${t}${from}`, 0n, 0n);
}

/** Reduces t0..t10 (sums of a few invariant limbs) to the invariant: carry through, fold t11, settle. */
function normalize(e: Emitter, t = 't'): void {
  e.define('let', `${t}11`, []);
  for (let k = 0; k < LIMBS; k++) e.carry(`${t}${k}`, `${t}${k + 1}`);
  fold(e, 11, t);
  settle(e, t);
}

function store(e: Emitter): void {
  for (let k = 0; k < LIMBS; k++) {
    const [lo, hi] = e.bound(`t${k}`);
    if (lo < 0n || hi > LIMB_MAX) throw new Error(`output limb ${k} may break the invariant: [${lo}, ${hi}]`);
    e.line(`o[${k}] = t${k};`);
  }
}

/**
 * Columns t0..t20 of a product to eleven invariant limbs: carry the high columns t11..t20 (t21
 * takes the overflow), fold t11..t21 onto t0..t10 with the digits of 2^(24j) mod p, carry
 * t0..t10 into t11, fold it, settle.
 */
function reduceProduct(e: Emitter, t = 't'): void {
  e.define('let', `${t}21`, []);
  for (let k = 11; k <= 20; k++) e.carry(`${t}${k}`, `${t}${k + 1}`);
  for (let k = 11; k <= 21; k++) fold(e, k, t);
  e.line(`${t}11 = 0;`);
  for (let k = 0; k < LIMBS; k++) e.carry(`${t}${k}`, `${t}${k + 1}`);
  fold(e, 11, t);
  settle(e, t);
}

function genMul(): string {
  const e = new Emitter();
  loadLimbs(e, 'a', 'a');
  loadLimbs(e, 'b', 'b');
  e.line('let c: number;');
  for (let k = 0; k <= 20; k++) {
    const terms: Value[] = [];
    for (let i = Math.max(0, k - 10); i <= Math.min(10, k); i++) terms.push(product(limb('a', i), limb('b', k - i)));
    e.define('let', `t${k}`, terms);
  }
  reduceProduct(e);
  store(e);
  return `/** o = a·b mod p (o may alias a or b). */\nexport function feMul(a: Fe, b: Fe, o: Fe): void {\n${e.text()}\n}`;
}

function genSqr(): string {
  const e = new Emitter();
  loadLimbs(e, 'a', 'a');
  e.line('let c: number;');
  for (let k = 0; k <= 20; k++) {
    const terms: Value[] = [];
    for (let i = Math.max(0, k - 10); i <= Math.min(10, k); i++) {
      const j = k - i;
      if (i < j) terms.push(product(limb('a', i), limb('a', j), 2n));
      else if (i === j) terms.push(product(limb('a', i), limb('a', i)));
    }
    e.define('let', `t${k}`, terms);
  }
  reduceProduct(e);
  store(e);
  return `/** o = a² mod p (o may alias a). */\nexport function feSqr(a: Fe, o: Fe): void {\n${e.text()}\n}`;
}

function genAdd(): string {
  const e = new Emitter();
  loadLimbs(e, 'a', 'a');
  loadLimbs(e, 'b', 'b');
  e.line('let c: number;');
  for (let k = 0; k < LIMBS; k++) e.define('let', `t${k}`, [limb('a', k), limb('b', k)]);
  normalize(e);
  store(e);
  return `/** o = a + b mod p (o may alias a or b). */\nexport function feAdd(a: Fe, b: Fe, o: Fe): void {\n${e.text()}\n}`;
}

/**
 * 2^9·p written with every limb at least LIMB_MAX (borrowing 2 units of each next limb), so
 * a + SUB_BIAS − b has non-negative limbs for any invariant a, b.
 */
export function subtractionBias(): bigint[] {
  const multiple = P << 9n;
  const limbs: bigint[] = [];
  for (let k = 0; k < LIMBS - 1; k++) limbs.push((multiple >> (24n * BigInt(k))) & (RADIX - 1n));
  limbs.push(multiple >> (24n * BigInt(LIMBS - 1)));
  const borrow = 2n * RADIX;
  for (let k = 0; k < LIMBS - 1; k++) {
    limbs[k]! += borrow;
    limbs[k + 1]! -= 2n;
  }
  const total = limbs.reduce((s, l, k) => s + (l << (24n * BigInt(k))), 0n);
  if (total !== multiple || total % P !== 0n) throw new Error('subtraction bias is not a multiple of p');
  for (const l of limbs) if (l < LIMB_MAX) throw new Error('subtraction bias limb below LIMB_MAX');
  return limbs;
}

function genSub(): string {
  const e = new Emitter();
  const bias = subtractionBias();
  loadLimbs(e, 'a', 'a');
  loadLimbs(e, 'b', 'b');
  e.line('let c: number;');
  for (let k = 0; k < LIMBS; k++) {
    const b = limb('b', k);
    // a_k + bias_k − b_k, bounded as a_k + (bias_k − b_k) with bias_k − b_k ∈ [bias_k − LIMB_MAX, bias_k].
    e.set(`t${k}`, 0n, 0n);
    const lo = bias[k]! - LIMB_MAX;
    const hi = bias[k]! + LIMB_MAX;
    if (lo < 0n) throw new Error('negative subtraction limb');
    e.line(`let t${k} = a${k} + ${bias[k]} - ${b.expr};`);
    e.set(`t${k}`, lo, hi);
  }
  normalize(e);
  store(e);
  return `/** o = a − b mod p (o may alias a or b). */\nexport function feSub(a: Fe, b: Fe, o: Fe): void {\n${e.text()}\n}`;
}

const MAX_SMALL = 8n;
function genMulSmall(): string {
  const e = new Emitter();
  loadLimbs(e, 'a', 'a');
  e.line(`if (!(k >= 0 && k <= ${MAX_SMALL} && Number.isInteger(k))) throw new RangeError('feMulSmall: k must be an integer 0..${MAX_SMALL}');`);
  e.line('let c: number;');
  for (let k = 0; k < LIMBS; k++) e.define('let', `t${k}`, [{ expr: `a${k} * k`, lo: 0n, hi: LIMB_MAX * MAX_SMALL }]);
  normalize(e);
  store(e);
  return `/** o = k·a mod p for a small integer k (o may alias a). */\nexport function feMulSmall(a: Fe, k: number, o: Fe): void {\n${e.text()}\n}`;
}

/**
 * The canonical representative (< p). Each round clears the bits above 256 of the value
 * (2^256 ≡ 2^32 + 977); two rounds bring any invariant value below 2^256 (the first leaves at
 * most 2^256 + 2^241, the second then less than 2^256), a third is a no-op kept as a margin.
 * Below 2^256 < 2p one conditional subtraction remains: v ≥ p iff v + 2^32 + 977 ≥ 2^256.
 * The bound tracker proves exactness; the "< p" argument above is checked by the edge-case tests.
 */
function genCanonical(): string {
  const e = new Emitter();
  loadLimbs(e, 'a', 'a');
  e.line('let c: number;');
  for (let k = 0; k < LIMBS; k++) e.define('let', `t${k}`, [limb('a', k)]);
  for (let round = 0; round < 3; round++) {
    const [, hi10] = e.bound('t10');
    const hHi = hi10 >> 16n;
    e.line('c = Math.floor(t10 * 1.52587890625e-5); t10 -= c * 65536; t0 += c * 977; t1 += c * 256;');
    e.set('t10', 0n, 65535n);
    e.set('t0', 0n, e.bound('t0')[1] + hHi * 977n);
    e.set('t1', 0n, e.bound('t1')[1] + hHi * 256n);
    for (let k = 0; k < LIMBS - 1; k++) e.carry(`t${k}`, `t${k + 1}`);
  }
  e.line('let u0 = t0 + 977, u1 = t1 + 256, u2 = t2, u3 = t3, u4 = t4, u5 = t5, u6 = t6, u7 = t7, u8 = t8, u9 = t9, u10 = t10;');
  for (let k = 0; k < LIMBS; k++) e.set(`u${k}`, 0n, e.bound(`t${k}`)[1] + (k === 0 ? 977n : k === 1 ? 256n : 0n));
  for (let k = 0; k < LIMBS - 1; k++) e.carry(`u${k}`, `u${k + 1}`);
  e.line('if (u10 >= 65536) {');
  e.line('  o[0] = u0; o[1] = u1; o[2] = u2; o[3] = u3; o[4] = u4; o[5] = u5; o[6] = u6; o[7] = u7; o[8] = u8; o[9] = u9; o[10] = u10 - 65536;');
  e.line('} else {');
  e.line('  o[0] = t0; o[1] = t1; o[2] = t2; o[3] = t3; o[4] = t4; o[5] = t5; o[6] = t6; o[7] = t7; o[8] = t8; o[9] = t9; o[10] = t10;');
  e.line('}');
  return `/** o = the canonical limbs of a: value < p, limbs < 2^24, top limb < 2^16 (o may alias a). */\nexport function feCanonical(a: Fe, o: Fe): void {\n${e.text()}\n}`;
}

/**
 * A bias of the form (a multiple of p) whose limbs are at least `need[k]`, so a + bias − b keeps
 * non-negative limbs whenever b's limbs are at most `need`. Standard digits of 2^m·p, then units
 * borrowed from each next limb; the smallest m that works.
 */
function biasFor(need: readonly bigint[]): bigint[] {
  for (let m = 1n; m <= 24n; m++) {
    const multiple = P << m;
    const limbs: bigint[] = [];
    for (let k = 0; k < LIMBS - 1; k++) limbs.push((multiple >> (24n * BigInt(k))) & (RADIX - 1n));
    limbs.push(multiple >> (24n * BigInt(LIMBS - 1)));
    for (let k = 0; k < LIMBS - 1; k++) {
      if (limbs[k]! < need[k]!) {
        const units = (need[k]! - limbs[k]! + RADIX - 1n) / RADIX;
        limbs[k]! += units * RADIX;
        limbs[k + 1]! -= units;
      }
    }
    if (limbs[LIMBS - 1]! < need[LIMBS - 1]!) continue;
    const total = limbs.reduce((acc, l, k) => acc + (l << (24n * BigInt(k))), 0n);
    if (total % P !== 0n) throw new Error('bias is not a multiple of p');
    return limbs;
  }
  throw new Error('no bias large enough');
}

/**
 * Straight-line formulas over field elements kept in local variables (an element is a name
 * prefix of eleven limb variables). Additions and subtractions are lazy (no carries); before a
 * multiplication an input is normalized only when the tracked bounds say a column could reach
 * 2^53. Every emitted value is bound-checked by the Emitter.
 */
class Formula {
  readonly e = new Emitter();
  private next = 0;

  constructor() {
    this.e.line('let c: number;');
  }

  private fresh(tag: string): string {
    return `${tag}${this.next++}_`;
  }

  private limbs(x: string): Value[] {
    return Array.from({ length: LIMBS }, (_, k) => this.e.value(`${x}${k}`));
  }

  private maxLimb(x: string): bigint {
    return this.limbs(x).reduce((m, v) => (v.hi > m ? v.hi : m), 0n);
  }

  load(array: string): string {
    const x = this.fresh('in');
    loadLimbs(this.e, array, x);
    for (let k = 0; k < LIMBS; k++) this.e.set(`${x}${k}`, 0n, LIMB_MAX);
    return x;
  }

  private columnsFit(a: string, b: string): boolean {
    const A = this.limbs(a);
    const B = this.limbs(b);
    for (let k = 0; k <= 20; k++) {
      let sum = 0n;
      for (let i = Math.max(0, k - 10); i <= Math.min(10, k); i++) sum += A[i]!.hi * B[k - i]!.hi;
      if (sum >= EXACT) return false;
    }
    return true;
  }

  private product(a: string, b: string, square: boolean): string {
    while (!this.columnsFit(a, b)) {
      if (square || this.maxLimb(a) >= this.maxLimb(b)) {
        a = this.normalize(a);
        if (square) b = a;
      } else {
        b = this.normalize(b);
      }
    }
    const t = this.fresh(square ? 'sq' : 'mu');
    const A = this.limbs(a);
    const B = this.limbs(b);
    for (let k = 0; k <= 20; k++) {
      const terms: Value[] = [];
      for (let i = Math.max(0, k - 10); i <= Math.min(10, k); i++) {
        const j = k - i;
        if (!square) terms.push(product(A[i]!, B[j]!));
        else if (i < j) terms.push(product(A[i]!, A[j]!, 2n));
        else if (i === j) terms.push(product(A[i]!, A[i]!));
      }
      this.e.define('let', `${t}${k}`, terms);
    }
    reduceProduct(this.e, t);
    return t;
  }

  mul(a: string, b: string): string {
    return this.product(a, b, false);
  }

  sqr(a: string): string {
    return this.product(a, a, true);
  }

  add(a: string, b: string): string {
    const s = this.fresh('ad');
    const A = this.limbs(a);
    const B = this.limbs(b);
    for (let k = 0; k < LIMBS; k++) this.e.define('const', `${s}${k}`, [A[k]!, B[k]!]);
    return s;
  }

  sub(a: string, b: string): string {
    const d = this.fresh('sb');
    const A = this.limbs(a);
    const B = this.limbs(b);
    const bias = biasFor(B.map((v) => v.hi));
    for (let k = 0; k < LIMBS; k++) {
      const lo = A[k]!.lo + bias[k]! - B[k]!.hi;
      const hi = A[k]!.hi + bias[k]! - B[k]!.lo;
      if (lo < 0n || hi >= EXACT) throw new Error(`${d}${k} out of range`);
      this.e.line(`const ${d}${k} = ${A[k]!.expr} + ${bias[k]} - ${B[k]!.expr};`);
      this.e.set(`${d}${k}`, lo, hi);
    }
    return d;
  }

  small(a: string, factor: bigint): string {
    const s = this.fresh('sm');
    this.limbs(a).forEach((v, k) => this.e.define('const', `${s}${k}`, [times(v, factor)]));
    return s;
  }

  normalize(a: string): string {
    const n = this.fresh('nm');
    this.limbs(a).forEach((v, k) => this.e.define('let', `${n}${k}`, [v]));
    normalize(this.e, n);
    return n;
  }

  store(a: string, array: string): void {
    const fits = this.limbs(a).every((v) => v.lo >= 0n && v.hi <= LIMB_MAX);
    const x = fits ? a : this.normalize(a);
    const X = this.limbs(x);
    for (let k = 0; k < LIMBS; k++) {
      if (X[k]!.lo < 0n || X[k]!.hi > LIMB_MAX) throw new Error('stored limb breaks the invariant');
      this.e.line(`${array}[${k}] = ${X[k]!.expr};`);
    }
  }
}

/**
 * A formula split into functions small enough for V8's optimizing compiler (it declines
 * functions above ~60 KB of bytecode, and an unoptimized formula runs ~15× slower). Values cross
 * between parts through the caller-provided scratch elements, normalized.
 */
function genParts(name: string, doc: string, params: string[], parts: ((f: Formula) => void)[]): string {
  const chunks = parts.map((part, i) => {
    const f = new Formula();
    part(f);
    return `function ${name}Part${i}(${params.map((p) => `${p}: Fe`).join(', ')}): void {\n${f.e.text()}\n}`;
  });
  const call = params.join(', ');
  const body = parts.map((_, i) => `  ${name}Part${i}(${call});`).join('\n');
  return `${chunks.join('\n\n')}\n\n/** ${doc} */\nexport function ${name}(${params.map((p) => `${p}: Fe`).join(', ')}): void {\n${body}\n}`;
}

/** p ← 2p in Jacobian coordinates (dbl-2009-l, a = 0); s0..s3 are scratch elements. */
function genDouble(): string {
  return genParts('jacobianDouble', '(x, y, z) ← 2·(x, y, z), Jacobian, a = 0 (dbl-2009-l); s0..s3 scratch.', ['x', 'y', 'z', 's0', 's1', 's2', 's3'], [
    (f) => {
      const X = f.load('x');
      const Y = f.load('y');
      const A = f.sqr(X);
      const B = f.sqr(Y);
      f.store(f.sqr(B), 's0'); // C
      f.store(f.small(f.sub(f.sub(f.sqr(f.add(X, B)), A), f.load('s0')), 2n), 's1'); // D
      f.store(f.small(A, 3n), 's2'); // E
      f.store(f.small(f.mul(Y, f.load('z')), 2n), 'z'); // Z3 = 2·Y·Z
    },
    (f) => {
      const C = f.load('s0');
      const D = f.load('s1');
      const E = f.load('s2');
      const X3 = f.sub(f.sqr(E), f.small(D, 2n));
      f.store(X3, 'x');
      f.store(f.sub(f.mul(E, f.sub(D, X3)), f.small(C, 8n)), 'y');
    },
  ]);
}

/**
 * p ← p + q for Jacobian p and affine q (madd-2007-bl), without the exceptional-case check:
 * p = ±q gives Z = 0, which the caller detects. s0..s3 are scratch elements.
 */
function genAddAffine(): string {
  return genParts(
    'jacobianAddAffine',
    '(x, y, z) ← (x, y, z) + (qx, qy), Jacobian + affine (madd-2007-bl), unchecked; s0..s3 scratch.',
    ['x', 'y', 'z', 'qx', 'qy', 's0', 's1', 's2', 's3'],
    [
      (f) => {
        const Z1 = f.load('z');
        const Z1Z1 = f.sqr(Z1);
        f.store(Z1Z1, 's0');
        f.store(f.sub(f.mul(f.load('qx'), Z1Z1), f.load('x')), 's1'); // H = U2 − X1
        const S2 = f.mul(f.load('qy'), f.mul(Z1, Z1Z1));
        f.store(f.small(f.sub(S2, f.load('y')), 2n), 's2'); // r = 2(S2 − Y1)
      },
      (f) => {
        const H = f.load('s1');
        const HH = f.sqr(H);
        // Z3 = (Z1 + H)² − Z1Z1 − HH, written last: z is still read above
        f.store(f.sub(f.sub(f.sqr(f.add(f.load('z'), H)), f.load('s0')), HH), 'z');
        const I = f.small(HH, 4n);
        f.store(f.mul(H, I), 's3'); // J
        f.store(f.mul(f.load('x'), I), 's0'); // V
      },
      (f) => {
        const r = f.load('s2');
        const J = f.load('s3');
        const V = f.load('s0');
        const X3 = f.sub(f.sub(f.sqr(r), J), f.small(V, 2n));
        const Y3 = f.sub(f.mul(r, f.sub(V, X3)), f.small(f.mul(f.load('y'), J), 2n));
        f.store(X3, 'x');
        f.store(Y3, 'y');
      },
    ],
  );
}

/** Affine p + q given inv = 1/(px − qx): λ = (py − qy)·inv, x = λ² − px − qx, y = λ(qx − x) − qy. */
function genAffineAdd(): string {
  const f = new Formula();
  const PX = f.load('px');
  const PY = f.load('py');
  const QX = f.load('qx');
  const QY = f.load('qy');
  const INV = f.load('inv');
  const lambda = f.mul(f.sub(PY, QY), INV);
  const X = f.sub(f.sub(f.sqr(lambda), PX), QX);
  const Y = f.sub(f.mul(lambda, f.sub(QX, X)), QY);
  f.store(X, 'ox');
  f.store(Y, 'oy');
  return `/** (ox, oy) ← (px, py) + (qx, qy), affine, with inv = 1/(px − qx). */\nexport function affineAdd(px: Fe, py: Fe, qx: Fe, qy: Fe, inv: Fe, ox: Fe, oy: Fe): void {\n${f.e.text()}\n}`;
}

/** Affine 2p given inv = 1/(2py): λ = 3px²·inv, x = λ² − 2px, y = λ(px − x) − py. */
function genAffineDouble(): string {
  const f = new Formula();
  const PX = f.load('px');
  const PY = f.load('py');
  const INV = f.load('inv');
  const lambda = f.mul(f.small(f.sqr(PX), 3n), INV);
  const X = f.sub(f.sqr(lambda), f.small(PX, 2n));
  const Y = f.sub(f.mul(lambda, f.sub(PX, X)), PY);
  f.store(X, 'ox');
  f.store(Y, 'oy');
  return `/** (ox, oy) ← 2·(px, py), affine, with inv = 1/(2·py). */\nexport function affineDouble(px: Fe, py: Fe, inv: Fe, ox: Fe, oy: Fe): void {\n${f.e.text()}\n}`;
}

export function generateSecp256k1Field(): string {
  return [
    '// GENERATED by crypto/fast/generate-secp256k1-field.ts: do not edit; regenerate instead.',
    '// secp256k1 field arithmetic on eleven 24-bit limbs in float64, every value proven below 2^53.',
    '/* eslint-disable */',
    '',
    '/** A field element: eleven limbs, limb k weighted 2^(24k), each in [0, LIMB_MAX]. */',
    'export type Fe = Float64Array;',
    `export const LIMB_MAX = ${LIMB_MAX};`,
    '',
    genMul(),
    '',
    genSqr(),
    '',
    genAdd(),
    '',
    genSub(),
    '',
    genMulSmall(),
    '',
    genCanonical(),
    '',
    genDouble(),
    '',
    genAddAffine(),
    '',
    genAffineAdd(),
    '',
    genAffineDouble(),
    '',
  ].join('\n');
}

if (require.main === module) {
  writeFileSync(join(__dirname, 'secp256k1-field.ts'), generateSecp256k1Field());
}
