/**
 * Checks a message against what this processor knows: the participants of the key in question
 * and the network it serves.
 */
import {
  firstProblem,
  onePerLocalShare,
  othersOf,
  participantWithin,
  peerMapProblem,
  peerWithin,
  problem,
  type Problem,
} from './checks';
import type { ParticipantContext, MessageContext } from './context';
import type { CoordinatorMessage } from './coordinator';
import { COIN_NETWORK, type ExternalNetwork } from './networks';
import type { ParticipantMap } from './primitives';
import type { ProcessorMessage } from './processor';

/** Key generation needs every participant: a map holds exactly every other one. */
function keyGenPeerMap(field: string, map: ParticipantMap<unknown>, context: ParticipantContext): Problem {
  return peerMapProblem(field, map, context, othersOf(context));
}

/** A signing round needs t participants, all of our shares among them. */
function signingPeerMap(field: string, map: ParticipantMap<unknown>, context: ParticipantContext): Problem {
  return peerMapProblem(field, map, context, context.expectedPeers, Math.max(0, context.t - context.own.length));
}

function perLocalShareMaps(field: string, maps: readonly ParticipantMap<unknown>[], context: ParticipantContext): Problem {
  return firstProblem(
    () => onePerLocalShare(field, maps.length, context),
    ...maps.map((map, index) => () => keyGenPeerMap(`${field}.${index}`, map, context)),
  );
}

function coordinatorParticipantsProblem(message: CoordinatorMessage, context: ParticipantContext): Problem {
  switch (message.kind) {
    case 'key_gen.Commitments':
      return keyGenPeerMap('commitments', message.commitments, context);
    case 'key_gen.Shares':
      return perLocalShareMaps('shares', message.shares, context);
    case 'key_gen.VerifyBlame':
      return firstProblem(
        () => participantWithin('accuser', message.accuser, context),
        () => participantWithin('accused', message.accused, context),
      );
    case 'sign.Preprocesses':
    case 'coordinator.SubstratePreprocesses':
      return signingPeerMap('preprocesses', message.preprocesses, context);
    case 'sign.Shares':
    case 'coordinator.SubstrateShares':
      return signingPeerMap('shares', message.shares, context);
    default:
      return undefined;
  }
}

function processorParticipantsProblem(message: ProcessorMessage, context: ParticipantContext): Problem {
  switch (message.kind) {
    case 'key_gen.Commitments':
      return onePerLocalShare('commitments', message.commitments.length, context);
    case 'key_gen.Shares':
      return perLocalShareMaps('shares', message.shares, context);
    case 'key_gen.InvalidCommitments':
      return peerWithin('faulty', message.faulty, context);
    case 'key_gen.InvalidShare':
      return firstProblem(
        () => (context.own.includes(message.accuser) ? undefined : problem('accuser', 'expected one of our own participant indices')),
        () => peerWithin('faulty', message.faulty, context),
      );
    case 'key_gen.Blame':
      return participantWithin('participant', message.participant, context);
    case 'sign.InvalidParticipant':
    case 'coordinator.InvalidParticipant':
      return peerWithin('participant', message.participant, context);
    case 'sign.Preprocess':
    case 'coordinator.CosignPreprocess':
    case 'coordinator.BatchPreprocess':
    case 'coordinator.SlashReportPreprocess':
      return onePerLocalShare('preprocesses', message.preprocesses.length, context);
    case 'sign.Share':
    case 'coordinator.SubstrateShare':
      return onePerLocalShare('shares', message.shares.length, context);
    default:
      return undefined;
  }
}

function networkProblem(field: string, actual: ExternalNetwork, expected: ExternalNetwork): Problem {
  return actual === expected ? undefined : problem(field, `expected ${expected}, this processor's network`);
}

function coordinatorNetworkProblem(message: CoordinatorMessage, network: ExternalNetwork): Problem {
  if (message.kind !== 'substrate.SubstrateBlock') return undefined;
  const index = message.burns.findIndex((burn) => COIN_NETWORK[burn.balance.coin] !== network);
  return index === -1 ? undefined : problem(`burns.${index}.balance.coin`, `expected a coin of ${network}, this processor's network`);
}

function processorNetworkProblem(message: ProcessorMessage, network: ExternalNetwork): Problem {
  switch (message.kind) {
    case 'substrate.Batch':
      return networkProblem('batch.network', message.batch.network, network);
    case 'substrate.SignedBatch':
      return networkProblem('batch.batch.network', message.batch.batch.network, network);
    default:
      return undefined;
  }
}

export function coordinatorMessageContextProblem(message: CoordinatorMessage, context: MessageContext): Problem {
  const { participants, network } = context;
  return firstProblem(
    () => (participants === undefined ? undefined : coordinatorParticipantsProblem(message, participants)),
    () => (network === undefined ? undefined : coordinatorNetworkProblem(message, network)),
  );
}

export function processorMessageContextProblem(message: ProcessorMessage, context: MessageContext): Problem {
  const { participants, network } = context;
  return firstProblem(
    () => (participants === undefined ? undefined : processorParticipantsProblem(message, participants)),
    () => (network === undefined ? undefined : processorNetworkProblem(message, network)),
  );
}
