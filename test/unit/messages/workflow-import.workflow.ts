// A workflow that uses the message layer, to prove it bundles into Temporal's sandbox.
import { coordinatorMessageIntent, parseCoordinatorMessage } from '../../../messages';

export async function validateMessage(input: unknown): Promise<string> {
  const result = parseCoordinatorMessage(input);
  return result.ok ? coordinatorMessageIntent(result.message) : result.error.message;
}
