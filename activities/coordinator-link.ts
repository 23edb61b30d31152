import { assertProcessorMessage, processorMessageIntent, type ExternalNetwork, type ProcessorMessage } from '../messages';

/** A processor -> coordinator message with its sender and stable intent (the receiver's dedupe key). */
export interface OutboundMessage {
  from: string;
  network: ExternalNetwork;
  intent: string;
  message: ProcessorMessage;
}

/**
 * How messages reach this validator's coordinator. Delivery is at least once: a retried activity
 * sends the same message with the same intent again, and the coordinator drops the duplicate.
 */
export interface CoordinatorLink {
  send(outbound: OutboundMessage): Promise<void>;
}

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
  };
}
