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
 * this processor generated; a different pair fails loudly and activates nothing.
 */
export async function confirmKeyPair(input: ConfirmInput): Promise<{ attempt: number }> {
  const { network, message } = input;
  const { attempt } = await keyConfirmation.confirmKeyPair({
    network,
    session: message.session,
    substrateKey: message.key_pair.substrate_key,
    networkKey: message.key_pair.network_key,
  });
  try {
    await getExternalWorkflowHandle(keygenWorkflowId(network, message.session, attempt)).signal(keygenEndSignal, { end: 'confirmed' });
  } catch (err) {
    // The attempt's workflow may already have ended (idle timeout); the key is active either way.
    log.info('keygen workflow not signalled', { attempt, reason: err instanceof Error ? err.message : String(err) });
  }
  return { attempt };
}
