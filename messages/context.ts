import { MessageValidationError } from './errors';
import type { ThresholdParams } from './ids';
import { MAX_KEY_SHARES_PER_SET } from './limits';
import type { ExternalNetwork } from './networks';
import type { Participant } from './primitives';

/** The participants of the key a message concerns, as this processor knows them. */
export interface ParticipantContext {
  /** Threshold of the key. */
  readonly t: number;
  /** Key shares in the set; every participant index lies within 1..n. */
  readonly n: number;
  /** Our own participant indices (i .. i + shares - 1). */
  readonly own: readonly Participant[];
  /**
   * When given, a map of peer contributions must hold exactly these participants (for example
   * the signing set fixed by the preprocesses). Key-generation maps always expect every other
   * participant, so this is only needed for signing rounds.
   */
  readonly expectedPeers?: readonly Participant[];
}

/** What the validation layer needs to check a message beyond its own content. */
export interface MessageContext {
  /** The external network this processor serves: burns and batches must be of it. */
  readonly network?: ExternalNetwork;
  readonly participants?: ParticipantContext;
}

/** The participant context of a key generation from its GenerateKey parameters. */
export function participantContextFromParams(params: ThresholdParams, shares: number): ParticipantContext {
  return { t: params.t, n: params.n, own: Array.from({ length: shares }, (_, k) => params.i + k) };
}

function isIndexWithin(value: number, n: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= n;
}

/** A malformed context is the caller's bug; it is still reported, not thrown. */
export function contextProblem(context: MessageContext): MessageValidationError | undefined {
  const participants = context.participants;
  if (participants === undefined) return undefined;
  const { t, n, own, expectedPeers } = participants;
  const field = (name: string) => `context.participants.${name}`;
  if (!isIndexWithin(n, MAX_KEY_SHARES_PER_SET)) {
    return new MessageValidationError(field('n'), `expected 1..${MAX_KEY_SHARES_PER_SET}`);
  }
  if (!isIndexWithin(t, n)) return new MessageValidationError(field('t'), `expected 1..${n}`);
  if (own.length === 0) return new MessageValidationError(field('own'), 'expected at least one index');
  if (!own.every((index) => isIndexWithin(index, n)) || new Set(own).size !== own.length) {
    return new MessageValidationError(field('own'), `expected distinct indices within 1..${n}`);
  }
  if (expectedPeers !== undefined) {
    const valid = expectedPeers.every((index) => isIndexWithin(index, n) && !own.includes(index));
    if (!valid || new Set(expectedPeers).size !== expectedPeers.length) {
      return new MessageValidationError(field('expectedPeers'), `expected distinct indices within 1..${n}, none of ours`);
    }
  }
  return undefined;
}
