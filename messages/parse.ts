/**
 * The boundary: untrusted input in, a typed message or a MessageValidationError out. The parse
 * functions never throw; the `assert` variants throw MessageValidationError for activities.
 */
import type { z } from 'zod';

import type { Problem } from './checks';
import { contextProblem, type MessageContext } from './context';
import { coordinatorMessageContextProblem, processorMessageContextProblem } from './contextual';
import { coordinatorMessageSchema, type CoordinatorMessage } from './coordinator';
import { fieldName, MessageValidationError, type ParseResult } from './errors';
import { processorMessageSchema, type ProcessorMessage } from './processor';
import { coordinatorMessageProblem, processorMessageProblem } from './semantics';

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Reasons for the issues no field schema describes itself (structure, unions, extra keys). */
function describeIssue(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `expected ${issue.expected}`;
    case 'invalid_union': {
      const discriminator = 'discriminator' in issue ? issue.discriminator : undefined;
      if (typeof discriminator !== 'string') return 'matches none of the expected forms';
      if (isRecord(issue.input) && issue.input[discriminator] === undefined) return 'is required';
      const options = 'options' in issue && Array.isArray(issue.options) ? issue.options.join(', ') : '';
      return `unknown ${discriminator}, expected one of ${options}`;
    }
    case 'invalid_value':
      return `expected ${issue.values.map(String).join(' or ')}`;
    default:
      return undefined;
  }
}

function errorFromIssue(issue: Issue): MessageValidationError {
  if (issue.code === 'unrecognized_keys') {
    return new MessageValidationError(fieldName([...issue.path, issue.keys[0] ?? '']), 'unexpected field');
  }
  return new MessageValidationError(fieldName(issue.path), issue.message);
}

interface Direction<T> {
  schema: z.ZodType<T>;
  intrinsicProblem: (message: T) => Problem;
  contextualProblem: (message: T, context: MessageContext) => Problem;
}

function parseWith<T>(direction: Direction<T>, input: unknown, context: MessageContext | undefined): ParseResult<T> {
  try {
    const badContext = context === undefined ? undefined : contextProblem(context);
    if (badContext !== undefined) return { ok: false, error: badContext };
    const parsed = direction.schema.safeParse(input, { error: describeIssue });
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const error = first === undefined ? new MessageValidationError('message', 'is invalid') : errorFromIssue(first);
      return { ok: false, error };
    }
    const found =
      direction.intrinsicProblem(parsed.data) ??
      (context === undefined ? undefined : direction.contextualProblem(parsed.data, context));
    return found === undefined ? { ok: true, message: parsed.data } : { ok: false, error: found };
  } catch {
    // Hostile input (a throwing getter, a proxy) must not take the caller down; the exception's
    // text is deliberately not forwarded since it may quote the input.
    return { ok: false, error: new MessageValidationError('message', 'could not be inspected') };
  }
}

const coordinatorDirection: Direction<CoordinatorMessage> = {
  schema: coordinatorMessageSchema,
  intrinsicProblem: coordinatorMessageProblem,
  contextualProblem: coordinatorMessageContextProblem,
};

const processorDirection: Direction<ProcessorMessage> = {
  schema: processorMessageSchema,
  intrinsicProblem: processorMessageProblem,
  contextualProblem: processorMessageContextProblem,
};

/** Validates a coordinator -> processor message: shape, its own consistency, and `context`. */
export function parseCoordinatorMessage(input: unknown, context?: MessageContext): ParseResult<CoordinatorMessage> {
  return parseWith(coordinatorDirection, input, context);
}

/** Validates a processor -> coordinator message: shape, its own consistency, and `context`. */
export function parseProcessorMessage(input: unknown, context?: MessageContext): ParseResult<ProcessorMessage> {
  return parseWith(processorDirection, input, context);
}

/** As parseCoordinatorMessage, throwing MessageValidationError (for activities). */
export function assertCoordinatorMessage(input: unknown, context?: MessageContext): CoordinatorMessage {
  const result = parseCoordinatorMessage(input, context);
  if (!result.ok) throw result.error;
  return result.message;
}

/** As parseProcessorMessage, throwing MessageValidationError (for activities). */
export function assertProcessorMessage(input: unknown, context?: MessageContext): ProcessorMessage {
  const result = parseProcessorMessage(input, context);
  if (!result.ok) throw result.error;
  return result.message;
}
