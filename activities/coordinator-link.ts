import { assertProcessorMessage, processorMessageIntent, type ExternalNetwork, type ProcessorMessage } from '../messages';
import type { CoordinatorLink } from '../temporal/coordinator-contract';

export type { CoordinatorLink, OutboundMessage } from '../temporal/coordinator-contract';

export interface CoordinatorLinkDeps {
  validator: string;
  network: ExternalNetwork;
  link: CoordinatorLink;
}

export function createCoordinatorLinkActivities(deps: CoordinatorLinkDeps) {
  return {
    async sendToCoordinator(message: ProcessorMessage): Promise<void> {
      const checked = assertProcessorMessage(message, { network: deps.network });
      await deps.link.send({ from: deps.validator, network: deps.network, intent: processorMessageIntent(checked), message: checked });
    },

    /** What Serai says is minted and not yet burned, per coin of this network; null when Serai cannot be asked. */
    async seraiSupply(): Promise<Record<string, string> | null> {
      return deps.link.seraiSupply(deps.network);
    },
  };
}
