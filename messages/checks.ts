/** Small checks shared by the semantic validation of both message directions. */
import type { ParticipantContext } from './context';
import { MessageValidationError } from './errors';
import type { ParticipantMap } from './primitives';

export type Problem = MessageValidationError | undefined;

export function problem(field: string, reason: string): MessageValidationError {
  return new MessageValidationError(field, reason);
}

/** The first of `checks` that reports a problem. */
export function firstProblem(...checks: (() => Problem)[]): Problem {
  for (const check of checks) {
    const found = check();
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The first repeated value of a list, by a key. */
export function duplicateIn<T>(field: string, items: readonly T[], key: (item: T) => string | number, what: string): Problem {
  const seen = new Set<string | number>();
  for (const [index, item] of items.entries()) {
    const value = key(item);
    if (seen.has(value)) return problem(`${field}.${index}`, `duplicate ${what}`);
    seen.add(value);
  }
  return undefined;
}

/** A participant of the set: within 1..n. */
export function participantWithin(field: string, index: number, context: ParticipantContext): Problem {
  return index > context.n ? problem(field, `expected a participant index 1..${context.n}`) : undefined;
}

/** Another participant of the set: within 1..n and none of our own indices. */
export function peerWithin(field: string, index: number, context: ParticipantContext): Problem {
  return firstProblem(
    () => participantWithin(field, index, context),
    () => (context.own.includes(index) ? problem(field, 'is one of our own participant indices') : undefined),
  );
}

/** One entry per local share. */
export function onePerLocalShare(field: string, entries: number, context: ParticipantContext): Problem {
  const expected = context.own.length;
  return entries === expected ? undefined : problem(field, `expected one entry per local share (${expected}), got ${entries}`);
}

/** Every other participant of the set, in ascending order. */
export function othersOf(context: ParticipantContext): number[] {
  return Array.from({ length: context.n }, (_, k) => k + 1).filter((index) => !context.own.includes(index));
}

/**
 * A map of peer contributions: keys are other participants of the set; when `expected` is
 * known the keys are exactly those, otherwise there must be at least `minEntries` of them.
 */
export function peerMapProblem(
  field: string,
  map: ParticipantMap<unknown>,
  context: ParticipantContext,
  expected: readonly number[] | undefined,
  minEntries = 0,
): Problem {
  const present = Object.keys(map).map(Number);
  for (const index of present) {
    const found = peerWithin(`${field}.${index}`, index, context);
    if (found !== undefined) return found;
    if (expected !== undefined && !expected.includes(index)) return problem(`${field}.${index}`, 'is not an expected participant');
  }
  if (expected !== undefined) {
    const missing = expected.find((index) => !present.includes(index));
    return missing === undefined ? undefined : problem(`${field}.${missing}`, 'is missing');
  }
  return present.length >= minEntries
    ? undefined
    : problem(field, `expected at least ${minEntries} participants, got ${present.length}`);
}
