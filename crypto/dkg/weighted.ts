/**
 * Weighted validators: a validator of weight w runs w consecutive participants of the DKG. These
 * helpers assign the indices, map a participant back to its validator (for blame), and run each
 * round for all of one validator's participants, verifying the shared round-1 set only once.
 */
import type { CurvePoint } from '@noble/curves/abstract/curve.js';
import type { Key } from '@noble/curves/abstract/frost.js';

import { defaultRng, type Rng } from './arithmetic';
import { MAX_PARTICIPANTS, sessionBinding, validateParams, type DkgContext, type DkgParams } from './context';
import { DkgInputError, DkgStateError } from './errors';
import type { DkgFault, InvalidCommitments } from './faults';
import { round1 } from './round1';
import { expectParticipants, groupPublic, verifyRound1Set } from './round1-set';
import { assertSameRun, round2FromSet } from './round2';
import { round3 } from './round3';
import type { Round1State, Round2State } from './state';
import type { DkgSuite } from './suite';

/** The participants of one validator: first .. first + count - 1. */
export interface ValidatorParticipants {
  readonly validator: number;
  readonly first: number;
  readonly count: number;
}

/** Validators in order, each with its weight, get consecutive participants from 1. */
export function assignParticipants(weights: readonly number[]): ValidatorParticipants[] {
  if (!Array.isArray(weights) || weights.length === 0) throw new DkgInputError('weights', 'expected a non-empty array');
  let next = 1;
  return weights.map((weight, validator) => {
    if (!Number.isInteger(weight) || weight < 1) throw new DkgInputError(`weights[${validator}]`, 'expected a positive integer');
    const assigned = { validator, first: next, count: weight };
    next += weight;
    if (next - 1 > MAX_PARTICIPANTS) throw new DkgInputError('weights', `total weight exceeds ${MAX_PARTICIPANTS} key shares`);
    return assigned;
  });
}

/** The validator (index into the weights) that runs `participant`. */
export function validatorOf(assignment: readonly ValidatorParticipants[], participant: number): number {
  const found = assignment.find((v) => participant >= v.first && participant < v.first + v.count);
  if (found === undefined) throw new DkgInputError('participant', `participant ${participant} belongs to no validator`);
  return found.validator;
}

export function participantsOf(local: ValidatorParticipants): number[] {
  return Array.from({ length: local.count }, (_, k) => local.first + k);
}

function checkLocal(params: DkgParams, local: ValidatorParticipants): number[] {
  const participants = participantsOf(local);
  if (!Number.isInteger(local.first) || local.first < 1 || local.first + local.count - 1 > params.n) {
    throw new DkgInputError('local', `participants ${local.first}..${local.first + local.count - 1} are not within 1..${params.n}`);
  }
  return participants;
}

export function validatorRound1<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  context: DkgContext,
  params: DkgParams,
  local: ValidatorParticipants,
  rng: Rng = defaultRng,
): { messages: Map<number, Uint8Array>; states: Round1State[] } {
  const outputs = checkLocal(validateParams(params), local).map((p) => round1(suite, context, params, p, rng));
  return { messages: new Map(outputs.map((o) => [o.state.participant, o.message])), states: outputs.map((o) => o.state) };
}

function localStates<S extends Round1State | Round2State>(context: DkgContext, states: readonly S[]): { params: DkgParams; ours: Map<number, S> } {
  if (!Array.isArray(states) || states.length === 0) throw new DkgInputError('states', 'expected the states of our participants');
  const first = states[0] as S;
  const ours = new Map<number, S>();
  for (const state of states) {
    assertSameRun(context, state);
    if (state.params.t !== first.params.t || state.params.n !== first.params.n) throw new DkgStateError('local states disagree on t-of-n');
    if (ours.has(state.participant)) throw new DkgInputError('states', `participant ${state.participant} appears twice`);
    ours.set(state.participant, state);
  }
  return { params: first.params, ours };
}

export type ValidatorRound2Output =
  | {
      readonly ok: true;
      /** Local sender -> (recipient -> encrypted share). */
      readonly shares: ReadonlyMap<number, ReadonlyMap<number, Uint8Array>>;
      readonly states: readonly Round2State[];
    }
  | { readonly ok: false; readonly faults: readonly InvalidCommitments[] };

/** @param peers - the round-1 messages of every participant that is not ours. */
export function validatorRound2<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  context: DkgContext,
  states: readonly Round1State[],
  peers: ReadonlyMap<number, Uint8Array>,
  rng: Rng = defaultRng,
): ValidatorRound2Output {
  const { params, ours } = localStates(context, states);
  if ([...ours.values()].some((s) => s.stage !== 'round1')) throw new DkgStateError('round 2 needs round-1 states');
  expectParticipants('peers', peers, params, new Set(ours.keys()));
  const first = states[0] as Round1State;
  const session = sessionBinding(suite.id, first.context, params);
  const all = new Map(peers);
  for (const [p, state] of ours) all.set(p, state.message);
  const verified = verifyRound1Set(suite, session, params, all, new Set(ours.keys()), rng);
  if (!verified.ok) return verified;
  const group = groupPublic(suite, verified.set);
  const outputs = states.map((state) => round2FromSet(suite, state, verified.set, group));
  return {
    ok: true,
    shares: new Map(outputs.map((o) => [o.state.participant, o.shares])),
    states: outputs.map((o) => o.state),
  };
}

export type ValidatorRound3Output = { readonly ok: true; readonly keys: readonly Key[] } | { readonly ok: false; readonly faults: readonly DkgFault[] };

/**
 * @param peers - the round-1 messages of every participant that is not ours, as given to round 2.
 * @param sharesByRecipient - for each of our participants, sender -> the encrypted share it sent.
 */
export function validatorRound3<P extends CurvePoint<bigint, P>>(
  suite: DkgSuite<P>,
  context: DkgContext,
  states: readonly Round2State[],
  peers: ReadonlyMap<number, Uint8Array>,
  sharesByRecipient: ReadonlyMap<number, ReadonlyMap<number, Uint8Array>>,
  rng: Rng = defaultRng,
): ValidatorRound3Output {
  const { ours } = localStates(context, states);
  const keys: Key[] = [];
  const faults: DkgFault[] = [];
  for (const state of states) {
    const others = new Map(peers);
    for (const [p, other] of ours) if (p !== state.participant) others.set(p, other.message);
    const shares = sharesByRecipient.get(state.participant);
    if (shares === undefined) throw new DkgInputError('sharesByRecipient', `missing the shares for participant ${state.participant}`);
    const result = round3(suite, context, state, others, shares, rng);
    if (result.ok) keys.push(result.key);
    else faults.push(...result.faults);
  }
  return faults.length > 0 ? { ok: false, faults } : { ok: true, keys };
}
