import { z } from 'zod';

import { MAX_ADDRESS_LEN, MAX_KEY_LEN } from '../messages/limits';
import { expecting, hexBytes } from '../messages/primitives';
import { SchedulerError, fieldPath } from './errors';

/** Output and payment ids: Bitcoin's are 36 bytes (txid || vout); other networks fit in 64. */
export const MAX_ID_BYTES = 64;
/** Longer than any sum of amounts this system can hold, short enough to parse cheaply. */
const MAX_DECIMAL_DIGITS = 40;
export const MAX_LIMIT = 100_000;
const MAX_INTERNAL_ADDRESSES = 16;

function decimalString(pattern: RegExp, expectation: string) {
  return z
    .string({ error: expecting(expectation) })
    .max(MAX_DECIMAL_DIGITS, { error: `${expectation}, got too many digits` })
    .regex(pattern, { error: expectation });
}

export const amount = decimalString(/^(0|[1-9][0-9]*)$/, 'expected a decimal amount without sign or leading zeros');
export const signedAmount = decimalString(/^(0|-?[1-9][0-9]*)$/, 'expected a signed decimal without leading zeros');
export const outputId = hexBytes(1, MAX_ID_BYTES);
export const paymentId = hexBytes(1, MAX_ID_BYTES);
export const address = hexBytes(1, MAX_ADDRESS_LEN);
export const branchId = hexBytes(32);
export const planId = hexBytes(32);

const kindExpectation = 'expected one of external, branch, change, forward';
export const outputKind = z.enum(['external', 'branch', 'change', 'forward'], { error: expecting(kindExpectation) });

export const spendableOutput = z.strictObject({ id: outputId, kind: outputKind, amount });

export const receivedOutput = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ id: outputId, kind: z.literal('branch'), amount, branch: branchId }),
    z.strictObject({ id: outputId, kind: z.enum(['external', 'change', 'forward']), amount }),
  ],
  { error: expecting(kindExpectation) },
);

export const payment = z.strictObject({ id: paymentId, address, amount });

function limit(min: number) {
  const expectation = `expected an integer ${min}..${MAX_LIMIT}`;
  return z
    .int({ error: expecting(expectation) })
    .min(min, { error: expectation })
    .max(MAX_LIMIT, { error: expectation });
}

export const config = z.strictObject({
  network: z
    .string({ error: expecting('expected a lowercase network name') })
    .regex(/^[a-z][a-z0-9-]{0,31}$/, { error: 'expected a lowercase network name of at most 32 characters' }),
  key: hexBytes(1, MAX_KEY_LEN),
  maxInputs: limit(1),
  // A branch must hold at least two outputs, or the tree could not shrink the payments.
  maxOutputs: limit(2),
  dust: amount,
  maxAmount: amount,
  internalAddresses: z
    .array(address, { error: expecting('expected an array of addresses') })
    .max(MAX_INTERNAL_ADDRESSES, { error: `expected at most ${MAX_INTERNAL_ADDRESSES} addresses` }),
});

export const pendingBranch = z.strictObject({
  id: branchId,
  amount,
  payments: z.array(payment, { error: expecting('expected an array of payments') }).min(2, {
    error: 'expected at least two payments',
  }),
  output: spendableOutput.nullable(),
});

const list = <T extends z.ZodType>(item: T) => z.array(item, { error: expecting('expected an array') });

export const state = z.strictObject({
  version: z.literal(1, { error: 'expected version 1' }),
  config,
  outputs: list(spendableOutput),
  payments: list(payment),
  branches: list(pendingBranch),
  operatingCosts: signedAmount,
  changeTo: address.optional(),
  retiring: z.literal(true, { error: 'expected true or absent' }).optional(),
});

export const handover = z.strictObject({ payments: list(payment), operatingCosts: signedAmount });

export const planOutput = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('payment'), payment: paymentId, address, amount }),
    z.strictObject({ kind: z.literal('branch'), branch: branchId, amount }),
  ],
  { error: expecting('expected a payment or branch output') },
);

export const plan = z.strictObject({
  id: planId,
  network: config.shape.network,
  key: config.shape.key,
  kind: z.enum(['payments', 'branch', 'aggregation', 'sweep', 'forward'], { error: expecting('expected payments, branch, aggregation, sweep or forward') }),
  inputs: list(spendableOutput).min(1, { error: 'expected at least one input' }),
  outputs: list(planOutput),
  change: amount.nullable(),
  fee: amount,
  operatingCost: amount,
  changeTo: address.optional(),
});

/** Parses untrusted JSON with `schema`, or throws a SchedulerError naming the first bad field under `root`. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, root: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new SchedulerError('invalid-input', root, 'is invalid');
  return invalid(fieldPath(root, issue.path), issue.message);
}

export function invalid(field: string, reason: string): never {
  throw new SchedulerError('invalid-input', field, reason);
}
