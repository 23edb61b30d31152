import { parseProcessorMessage, type ExternalNetwork, type ProcessorMessage } from '../../messages';

/**
 * A processor message as a coordinator workflow takes it: parsed for the workflow's network, or
 * recorded in `rejected` under its sender with why (never thrown into the workflow task).
 */
export function intakeProcessorMessage(from: string, raw: unknown, network: ExternalNetwork, rejected: string[]): ProcessorMessage | undefined {
  const parsed = parseProcessorMessage(raw, { network });
  if (parsed.ok) return parsed.message;
  rejected.push(`${from}: ${parsed.error.message}`);
  return undefined;
}
