import { parseCoordinatorMessage, type CoordinatorMessage, type MessageContext } from '../messages';

/**
 * A relayed coordinator message as a workflow takes it: parsed against the workflow's context, or
 * recorded in `rejected` with why (never thrown: a bad message must not fail the workflow task).
 */
export function intake(raw: unknown, context: MessageContext, rejected: string[]): CoordinatorMessage | undefined {
  const parsed = parseCoordinatorMessage(raw, context);
  if (parsed.ok) return parsed.message;
  rejected.push(`${String((raw as { kind?: unknown })?.kind)}: ${parsed.error.message}`);
  return undefined;
}
