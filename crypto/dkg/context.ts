/**
 * The context of one DKG run and its parameters. Their canonical encoding (`sessionBinding`) is
 * hashed into every proof, key derivation and transcript of the run, so nothing produced for one
 * run (network, session, attempt, key, suite, t, n) verifies in another.
 */
import { DkgInputError } from './errors';
import type { DkgSuiteId } from './suite';

export const DKG_KEYS = ['substrate', 'network'] as const;
export type DkgKeyName = (typeof DKG_KEYS)[number];

export interface DkgContext {
  /** The external network this key set serves, e.g. "bitcoin". */
  readonly network: string;
  /** The validator-set session. */
  readonly session: number;
  /** The attempt of this key generation within the session. */
  readonly attempt: number;
  /** Which of the two keys of a key pair is generated. */
  readonly key: DkgKeyName;
}

/** t-of-n: any `t` of the `n` participants (1..n) can sign. */
export interface DkgParams {
  readonly t: number;
  readonly n: number;
}

/** Mirrors the processor's limit: a set has at most 150 key shares. */
export const MAX_PARTICIPANTS = 150;
const NETWORK_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const U32_MAX = 0xffff_ffff;
const DOMAIN = 'custody-processor DKG v1';

function integerIn(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new DkgInputError(field, `expected an integer in [${min}, ${max}]`);
  }
  return value;
}

export function validateContext(context: DkgContext): DkgContext {
  if (typeof context !== 'object' || context === null) throw new DkgInputError('context', 'expected an object');
  if (typeof context.network !== 'string' || !NETWORK_PATTERN.test(context.network)) {
    throw new DkgInputError('context.network', `expected a lowercase name matching ${NETWORK_PATTERN}`);
  }
  integerIn('context.session', context.session, 0, U32_MAX);
  integerIn('context.attempt', context.attempt, 0, U32_MAX);
  if (!(DKG_KEYS as readonly unknown[]).includes(context.key)) {
    throw new DkgInputError('context.key', `expected one of ${DKG_KEYS.join(', ')}`);
  }
  return { network: context.network, session: context.session, attempt: context.attempt, key: context.key };
}

export function validateParams(params: DkgParams): DkgParams {
  if (typeof params !== 'object' || params === null) throw new DkgInputError('params', 'expected an object');
  const n = integerIn('params.n', params.n, 2, MAX_PARTICIPANTS);
  // noble's FROST refuses 1-of-n (it is plain single-signer mode).
  const t = integerIn('params.t', params.t, 2, n);
  return { t, n };
}

export function validateParticipant(params: DkgParams, participant: number, field = 'participant'): number {
  return integerIn(field, participant, 1, params.n);
}

/**
 * Everything that identifies a run, as bytes: domain, suite, context, t, n. Lengths are fixed or
 * prefixed, so two different runs never share an encoding.
 */
export function sessionBinding(suiteId: DkgSuiteId, context: DkgContext, params: DkgParams): Uint8Array {
  const ctx = validateContext(context);
  const { t, n } = validateParams(params);
  const text = new TextEncoder();
  const domain = text.encode(DOMAIN);
  const suiteBytes = text.encode(suiteId);
  const network = text.encode(ctx.network);
  const out = new Uint8Array(1 + domain.length + 1 + suiteBytes.length + 1 + network.length + 4 + 4 + 1 + 2 + 2);
  const view = new DataView(out.buffer);
  let at = 0;
  const put = (bytes: Uint8Array) => {
    out[at++] = bytes.length;
    out.set(bytes, at);
    at += bytes.length;
  };
  put(domain);
  put(suiteBytes);
  put(network);
  view.setUint32(at, ctx.session);
  view.setUint32(at + 4, ctx.attempt);
  out[at + 8] = DKG_KEYS.indexOf(ctx.key);
  view.setUint16(at + 9, t);
  view.setUint16(at + 11, n);
  return out;
}
