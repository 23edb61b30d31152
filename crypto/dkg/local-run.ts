/**
 * Every participant of one DKG in a single process, round by round, through the same public API a
 * processor uses: for tests, benchmarks and the devnet. Each step returns everything the next one
 * needs, so a caller can tamper with messages in between.
 */
import type { CurvePoint } from '@noble/curves/abstract/curve.js';
import type { Key } from '@noble/curves/abstract/frost.js';

import { defaultRng, type Rng } from './arithmetic';
import type { DkgContext, DkgParams } from './context';
import type { DkgFault, InvalidCommitments } from './faults';
import { round1 } from './round1';
import { round2 } from './round2';
import { round3 } from './round3';
import type { Round1State, Round2State } from './state';
import type { DkgSuite } from './suite';

/** All messages of `all` but the one of `participant`. */
export function othersOf<T>(all: ReadonlyMap<number, T>, participant: number): Map<number, T> {
  return new Map([...all].filter(([p]) => p !== participant));
}

/** sender -> recipient -> share, turned into what `recipient` receives: sender -> share. */
export function sharesTo(bySender: ReadonlyMap<number, ReadonlyMap<number, Uint8Array>>, recipient: number): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (const [sender, shares] of bySender) {
    const share = shares.get(recipient);
    if (share !== undefined) out.set(sender, share);
  }
  return out;
}

export interface LocalRound1 {
  readonly messages: Map<number, Uint8Array>;
  readonly states: Map<number, Round1State>;
}

export function localRound1<P extends CurvePoint<bigint, P>>(suite: DkgSuite<P>, context: DkgContext, params: DkgParams, rng: Rng = defaultRng): LocalRound1 {
  const messages = new Map<number, Uint8Array>();
  const states = new Map<number, Round1State>();
  for (let p = 1; p <= params.n; p++) {
    const out = round1(suite, context, params, p, rng);
    messages.set(p, out.message);
    states.set(p, out.state);
  }
  return { messages, states };
}

export interface LocalRound2 {
  /** sender -> recipient -> encrypted share. */
  readonly shares: Map<number, Map<number, Uint8Array>>;
  readonly states: Map<number, Round2State>;
  /** participant -> the faults its round 2 reported. */
  readonly faults: Map<number, readonly InvalidCommitments[]>;
}

export function localRound2<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  context: DkgContext,
  r1: LocalRound1,
  rng: Rng = defaultRng,
): LocalRound2 {
  const shares = new Map<number, Map<number, Uint8Array>>();
  const states = new Map<number, Round2State>();
  const faults = new Map<number, readonly InvalidCommitments[]>();
  for (const [p, state] of r1.states) {
    const out = round2(suite, context, state, othersOf(r1.messages, p), rng);
    if (out.ok) {
      shares.set(p, new Map(out.shares));
      states.set(p, out.state);
    } else {
      faults.set(p, out.faults);
    }
  }
  return { shares, states, faults };
}

export interface LocalRound3 {
  readonly keys: Map<number, Key>;
  readonly faults: Map<number, readonly DkgFault[]>;
}

export function localRound3<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  context: DkgContext,
  r1: LocalRound1,
  r2: LocalRound2,
  rng: Rng = defaultRng,
): LocalRound3 {
  const keys = new Map<number, Key>();
  const faults = new Map<number, readonly DkgFault[]>();
  for (const [p, state] of r2.states) {
    const out = round3(suite, context, state, othersOf(r1.messages, p), sharesTo(r2.shares, p), rng);
    if (out.ok) keys.set(p, out.key);
    else faults.set(p, out.faults);
  }
  return { keys, faults };
}
