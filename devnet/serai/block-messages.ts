/**
 * What a coordinator tells each network's processors about one Serai block, as Serai's
 * coordinator does (`handle_key_gen`, `handle_batch_and_burns`): `substrate.ConfirmKeyPair` per
 * key set, then one `substrate.SubstrateBlock` per network that had a Batch or a burn. Networks
 * without events get nothing. Derived from the block alone, so a restarted coordinator can
 * re-deliver any stored block.
 */
import type { CoordinatorMessageOf } from '../../messages/coordinator';
import type { SubstrateContext } from '../../messages/ids';
import type { ExternalNetwork } from '../../messages/networks';
import { EXTERNAL_NETWORKS, type SeraiBlock } from './state';

export type BlockMessage = {
  network: ExternalNetwork;
  message: CoordinatorMessageOf<'substrate.ConfirmKeyPair'> | CoordinatorMessageOf<'substrate.SubstrateBlock'>;
};

export function blockMessages(block: SeraiBlock): BlockMessage[] {
  const messages: BlockMessage[] = [];
  for (const network of EXTERNAL_NETWORKS) {
    const events = block.networks[network];
    if (events === undefined) continue;
    const context: SubstrateContext = { serai_time: block.time, network_latest_finalized_block: events.latestFinalizedBlock };
    for (const { session, keyPair } of events.keys) {
      messages.push({ network, message: { kind: 'substrate.ConfirmKeyPair', context, session, key_pair: keyPair } });
    }
    if (events.batches.length > 0 || events.burns.length > 0) {
      messages.push({
        network,
        message: {
          kind: 'substrate.SubstrateBlock',
          context,
          block: String(block.number),
          burns: events.burns.map((record) => record.burn),
          batches: events.batches,
        },
      });
    }
  }
  return messages;
}
