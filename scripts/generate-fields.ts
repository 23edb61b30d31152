/**
 * Generates crypto/fast/secp256k1-field.ts and crypto/fast/ed25519-field.ts: arithmetic modulo
 * p = 2^256 − 2^32 − 977 and p = 2^255 − 19 on eleven 24-bit limbs held in float64 (radix 2^24,
 * 264 bits), fully unrolled, and the point formulas the MSMs use.
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
 * Run: npx tsx scripts/generate-fields.ts   (a test checks the files are current)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LIMBS = 11;
const RADIX = 1n << 24n;
const EXACT = 1n << 53n;
/** Invariant of every stored limb: 0 ≤ limb ≤ LIMB_MAX. Proven below for every operation's output. */
export const LIMB_MAX = (1n << 24n) + (1n << 14n) - 1n;

/** A prime p = 2^topBits − c with small c. */
export interface FieldSpec {
  readonly name: string;
  readonly p: bigint;
  readonly topBits: number;
  readonly c: bigint;
}
export const SECP256K1_FIELD: FieldSpec = { name: 'secp256k1', p: (1n << 256n) - (1n << 32n) - 977n, topBits: 256, c: (1n << 32n) + 977n };
export const ED25519_FIELD: FieldSpec = { name: 'ed25519', p: (1n << 255n) - 19n, topBits: 255, c: 19n };

interface Value {
  readonly expr: string;
  readonly lo: bigint;
  readonly hi: bigint;
}

class Emitter {
  private readonly lines: string[] = [];

  constructor(readonly p: bigint) {}

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
    this.line(`c = floor(${from} * ${INV_RADIX}); ${from} -= c * ${RADIX}; ${to} += c;`);
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
function foldDigits(p: bigint, position: number): bigint[] {
  let rest = (1n << (24n * BigInt(position))) % p;
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
  foldDigits(e.p, from).forEach((digit, k) => {
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

function genMul(spec: FieldSpec): string {
  const e = new Emitter(spec.p);
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

function genSqr(spec: FieldSpec): string {
  const e = new Emitter(spec.p);
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

function genAdd(spec: FieldSpec): string {
  const e = new Emitter(spec.p);
  loadLimbs(e, 'a', 'a');
  loadLimbs(e, 'b', 'b');
  e.line('let c: number;');
  for (let k = 0; k < LIMBS; k++) e.define('let', `t${k}`, [limb('a', k), limb('b', k)]);
  normalize(e);
  store(e);
  return `/** o = a + b mod p (o may alias a or b). */\nexport function feAdd(a: Fe, b: Fe, o: Fe): void {\n${e.text()}\n}`;
}

function genSub(spec: FieldSpec): string {
  const e = new Emitter(spec.p);
  // a + bias − b with bias ≡ 0 (mod p) and every bias limb ≥ LIMB_MAX: non-negative limbs.
  const bias = biasFor(spec.p, Array<bigint>(LIMBS).fill(LIMB_MAX));
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
function genMulSmall(spec: FieldSpec): string {
  const e = new Emitter(spec.p);
  loadLimbs(e, 'a', 'a');
  e.line(`if (!(k >= 0 && k <= ${MAX_SMALL} && Number.isInteger(k))) throw new RangeError('feMulSmall: k must be an integer 0..${MAX_SMALL}');`);
  e.line('let c: number;');
  for (let k = 0; k < LIMBS; k++) e.define('let', `t${k}`, [{ expr: `a${k} * k`, lo: 0n, hi: LIMB_MAX * MAX_SMALL }]);
  normalize(e);
  store(e);
  return `/** o = k·a mod p for a small integer k (o may alias a). */\nexport function feMulSmall(a: Fe, k: number, o: Fe): void {\n${e.text()}\n}`;
}

/**
 * The canonical representative (< p = 2^k − c). Each round clears the bits at and above k of the
 * value (2^k ≡ c); two rounds bring any invariant value below 2^k (the first leaves at most
 * 2^k + 2^(k−14), the second less than 2^k), a third is a no-op kept as a margin. Below 2^k < 2p
 * one conditional subtraction remains: v ≥ p iff v + c ≥ 2^k.
 * The bound tracker proves exactness; the "< p" argument is checked by the edge-case tests.
 */
function genCanonical(spec: FieldSpec): string {
  const e = new Emitter(spec.p);
  const shift = BigInt(spec.topBits - 240); // bit k sits at this bit of limb 10
  const top = 1n << shift;
  const cDigits: bigint[] = [];
  for (let rest = spec.c; rest > 0n; rest >>= 24n) cDigits.push(rest & (RADIX - 1n));
  const addC = (factor: string, bound: bigint, into: 't' | 'u') =>
    cDigits.forEach((digit, k) => {
      if (digit === 0n) return;
      e.line(`${into}${k} += ${factor === '1' ? '' : `${factor} * `}${digit};`);
      e.set(`${into}${k}`, 0n, e.bound(`${into}${k}`)[1] + bound * digit);
    });
  loadLimbs(e, 'a', 'a');
  e.line('let c: number;');
  for (let k = 0; k < LIMBS; k++) e.define('let', `t${k}`, [limb('a', k)]);
  for (let round = 0; round < 3; round++) {
    const hHi = e.bound('t10')[1] >> shift;
    e.line(`c = floor(t10 * ${2 ** -Number(shift)}); t10 -= c * ${top};`);
    e.set('t10', 0n, top - 1n);
    addC('c', hHi, 't');
    for (let k = 0; k < LIMBS - 1; k++) e.carry(`t${k}`, `t${k + 1}`);
  }
  e.line(`let ${Array.from({ length: LIMBS }, (_, k) => `u${k} = t${k}`).join(', ')};`);
  for (let k = 0; k < LIMBS; k++) e.set(`u${k}`, 0n, e.bound(`t${k}`)[1]);
  addC('1', 1n, 'u');
  for (let k = 0; k < LIMBS - 1; k++) e.carry(`u${k}`, `u${k + 1}`);
  const assign = (from: string, topAdjust: string) =>
    Array.from({ length: LIMBS }, (_, k) => `o[${k}] = ${from}${k}${k === LIMBS - 1 ? topAdjust : ''};`).join(' ');
  e.line(`if (u10 >= ${top}) {`);
  e.line(`  ${assign('u', ` - ${top}`)}`);
  e.line('} else {');
  e.line(`  ${assign('t', '')}`);
  e.line('}');
  return `/** o = the canonical limbs of a: value < p, limbs < 2^24 (o may alias a). */\nexport function feCanonical(a: Fe, o: Fe): void {\n${e.text()}\n}`;
}

/**
 * A bias of the form (a multiple of p) whose limbs are at least `need[k]`, so a + bias − b keeps
 * non-negative limbs whenever b's limbs are at most `need`. Standard digits of 2^m·p, then units
 * borrowed from each next limb; the smallest m that works.
 */
function biasFor(p: bigint, need: readonly bigint[]): bigint[] {
  for (let m = 1n; m <= 24n; m++) {
    const multiple = p << m;
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
    if (total % p !== 0n) throw new Error('bias is not a multiple of p');
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
  readonly e: Emitter;
  private next = 0;

  constructor(p: bigint) {
    this.e = new Emitter(p);
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
    const bias = biasFor(this.e.p, B.map((v) => v.hi));
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
function genParts(spec: FieldSpec, name: string, doc: string, params: string[], parts: ((f: Formula) => void)[]): string {
  const chunks = parts.map((part, i) => {
    const f = new Formula(spec.p);
    part(f);
    const body = f.e.text();
    const declared = params.map((p) => (new RegExp(`\\b${p}\\b`).test(body) ? `${p}: Fe` : `_${p}: Fe`));
    return `function ${name}Part${i}(${declared.join(', ')}): void {\n${body}\n}`;
  });
  const call = params.join(', ');
  const body = parts.map((_, i) => `  ${name}Part${i}(${call});`).join('\n');
  return `${chunks.join('\n\n')}\n\n/** ${doc} */\nexport function ${name}(${params.map((p) => `${p}: Fe`).join(', ')}): void {\n${body}\n}`;
}

/** p ← 2p in Jacobian coordinates (dbl-2009-l, a = 0); s0..s3 are scratch elements. */
function genJacobianDouble(spec: FieldSpec): string {
  return genParts(spec, 'jacobianDouble', '(x, y, z) ← 2·(x, y, z), Jacobian, a = 0 (dbl-2009-l); s0..s3 scratch.', ['x', 'y', 'z', 's0', 's1', 's2', 's3'], [
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
function genJacobianAddAffine(spec: FieldSpec): string {
  return genParts(
    spec,
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
function genAffineAdd(spec: FieldSpec): string {
  const f = new Formula(spec.p);
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
function genAffineDouble(spec: FieldSpec): string {
  const f = new Formula(spec.p);
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

/**
 * (x, y, z, t) ← 2·(x, y, z, t) on a twisted Edwards curve with a = −1 (dbl-2008-hwcd):
 * A = X², B = Y², C = 2Z², E = (X+Y)² − A − B, G = B − A, and with F = G − C, H = −A − B the
 * result (EF, GH, FG, EH). It is computed as (−EF, −GH, −FG, −EH) with F′ = C − G, H′ = A + B,
 * the same projective point, which saves two negations.
 */
function genEdwardsDouble(spec: FieldSpec): string {
  return genParts(spec, 'edwardsDouble', '(x, y, z, t) ← 2·(x, y, z, t), extended twisted Edwards, a = −1; s0..s3 scratch.', ['x', 'y', 'z', 't', 's0', 's1', 's2', 's3'], [
    (f) => {
      const X = f.load('x');
      const Y = f.load('y');
      const A = f.sqr(X);
      const B = f.sqr(Y);
      const C = f.small(f.sqr(f.load('z')), 2n);
      f.store(f.sub(f.sub(f.sqr(f.add(X, Y)), A), B), 's0'); // E
      const G = f.sub(B, A);
      f.store(G, 's1');
      f.store(f.sub(C, G), 's2'); // F′
      f.store(f.add(A, B), 's3'); // H′
    },
    (f) => {
      const E = f.load('s0');
      const G = f.load('s1');
      const F = f.load('s2');
      const H = f.load('s3');
      f.store(f.mul(E, F), 'x');
      f.store(f.mul(G, H), 'y');
      f.store(f.mul(F, G), 'z');
      f.store(f.mul(E, H), 't');
    },
  ]);
}

/**
 * (x, y, z, t) ← (x, y, z, t) + Q for Q in cached form (Y+X, Y−X, 2Z, 2d·T), a = −1
 * (add-2008-hwcd-3). Complete: no exceptional inputs on ed25519.
 */
function genEdwardsAddCached(spec: FieldSpec): string {
  return genParts(
    spec,
    'edwardsAddCached',
    '(x, y, z, t) ← (x, y, z, t) + (ypx, ymx, z2, t2d), extended + cached, a = −1 (add-2008-hwcd-3); s0..s3 scratch.',
    ['x', 'y', 'z', 't', 'ypx', 'ymx', 'z2', 't2d', 's0', 's1', 's2', 's3'],
    [
      (f) => {
        const X1 = f.load('x');
        const Y1 = f.load('y');
        const A = f.mul(f.sub(Y1, X1), f.load('ymx'));
        const B = f.mul(f.add(Y1, X1), f.load('ypx'));
        const C = f.mul(f.load('t'), f.load('t2d'));
        const D = f.mul(f.load('z'), f.load('z2'));
        f.store(f.sub(B, A), 's0'); // E
        f.store(f.sub(D, C), 's1'); // F
        f.store(f.add(D, C), 's2'); // G
        f.store(f.add(B, A), 's3'); // H
      },
      (f) => {
        const E = f.load('s0');
        const F = f.load('s1');
        const G = f.load('s2');
        const H = f.load('s3');
        f.store(f.mul(E, F), 'x');
        f.store(f.mul(G, H), 'y');
        f.store(f.mul(F, G), 'z');
        f.store(f.mul(E, H), 't');
      },
    ],
  );
}

/** The cached form (Y+X, Y−X, 2Z, 2d·T, −2d·T) of an extended point; d2 holds 2d. */
function genEdwardsToCached(spec: FieldSpec): string {
  const f = new Formula(spec.p);
  const X = f.load('x');
  const Y = f.load('y');
  const T2d = f.mul(f.load('t'), f.load('d2'));
  f.store(f.add(Y, X), 'ypx');
  f.store(f.sub(Y, X), 'ymx');
  f.store(f.small(f.load('z'), 2n), 'z2');
  f.store(T2d, 't2d');
  f.store(f.sub(f.load('zero'), T2d), 'negT2d');
  return `/** Cached form of (x, y, z, t): ypx = y + x, ymx = y − x, z2 = 2z, t2d = 2d·t, negT2d = −2d·t (d2 = 2d, zero = 0). */\nexport function edwardsToCached(x: Fe, y: Fe, z: Fe, t: Fe, d2: Fe, zero: Fe, ypx: Fe, ymx: Fe, z2: Fe, t2d: Fe, negT2d: Fe): void {\n${f.e.text()}\n}`;
}

function generateField(spec: FieldSpec, description: string, formulas: string[]): string {
  return [
    '// GENERATED by scripts/generate-fields.ts: do not edit; regenerate instead.',
    `// ${description}`,
    '',
    '/** A field element: eleven limbs, limb k weighted 2^(24k), each in [0, LIMB_MAX]. */',
    'export type Fe = Float64Array;',
    '// Bound once: under jest a global `Math.floor` lookup per call costs ~30× the operation.',
    'const floor = Math.floor;',
    `export const LIMB_MAX = ${LIMB_MAX};`,
    '',
    genMul(spec),
    '',
    genSqr(spec),
    '',
    genAdd(spec),
    '',
    genSub(spec),
    '',
    genMulSmall(spec),
    '',
    genCanonical(spec),
    '',
    ...formulas.flatMap((formula) => [formula, '']),
  ].join('\n');
}

export function generateSecp256k1Field(): string {
  const spec = SECP256K1_FIELD;
  return generateField(spec, 'Arithmetic mod 2^256 − 2^32 − 977 on eleven 24-bit float64 limbs, every value proven below 2^53.', [
    genJacobianDouble(spec),
    genJacobianAddAffine(spec),
    genAffineAdd(spec),
    genAffineDouble(spec),
  ]);
}

export function generateEd25519Field(): string {
  const spec = ED25519_FIELD;
  return generateField(spec, 'Arithmetic mod 2^255 − 19 on eleven 24-bit float64 limbs, every value proven below 2^53.', [
    genEdwardsDouble(spec),
    genEdwardsAddCached(spec),
    genEdwardsToCached(spec),
  ]);
}

if (require.main === module) {
  const out = join(__dirname, '..', 'crypto', 'fast');
  writeFileSync(join(out, 'secp256k1-field.ts'), generateSecp256k1Field());
  writeFileSync(join(out, 'ed25519-field.ts'), generateEd25519Field());
}
