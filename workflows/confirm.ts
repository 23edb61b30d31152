import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import type { CoordinatorMessageOf, ExternalNetwork } from '../messages';
import { keyConfirmation } from './activity-options';
import { keygenEndSignal, keygenWorkflowId } from './keygen-defs';

export interface ConfirmInput {
  network: ExternalNetwork;
  message: CoordinatorMessageOf<'substrate.ConfirmKeyPair'>;
}

export function confirmWorkflowId(network: ExternalNetwork, session: number): string {
  return `confirm-keypair-${network}-${session}`;
}

/**
 * Serai confirmed the session's key pair: activate it for the network if (and only if) it is a pair
 * this processor generated; a pair half of which is ours fails loudly and activates nothing. A pair
 * of a set this validator is not in (neither key generated here in any attempt) activates nothing
 * either: its scanner follows the key without a share (`attempt: null`).
 */
export async function confirmKeyPair(input: ConfirmInput): Promise<{ attempt: number | null }> {
  const { network, message } = input;
  const { attempt } = await keyConfirmation.confirmKeyPair({
    network,
    session: message.session,
    substrateKey: message.key_pair.substrate_key,
    networkKey: message.key_pair.network_key,
  });
  if (attempt === null) {
    log.info('Serai confirmed a key of a set this validator is not in: followed, never signed with', { session: message.session });
    return { attempt };
  }
  try {
    await getExternalWorkflowHandle(keygenWorkflowId(network, message.session, attempt)).signal(keygenEndSignal, { end: 'confirmed' });
  } catch (err) {
    // The attempt's workflow may already have ended (idle timeout); the key is active either way.
    log.info('keygen workflow not signalled', { attempt, reason: err instanceof Error ? err.message : String(err) });
  }
  return { attempt };
}
