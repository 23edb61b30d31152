// Signals, queries and payload types of the key-generation workflow: workflow-safe, shared with client.ts.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CoordinatorMessageOf, ExternalNetwork } from '../messages';

export type GenerateKey = CoordinatorMessageOf<'key_gen.GenerateKey'>;
export type KeygenDelivery =
  | CoordinatorMessageOf<'key_gen.Commitments'>
  | CoordinatorMessageOf<'key_gen.Shares'>
  | CoordinatorMessageOf<'key_gen.VerifyBlame'>;

export interface KeygenSettings {
  /** How long an attempt waits for the coordinator's next message before giving up (e.g. '1 day'; seconds in tests). */
  idleTimeout: string | number;
}

export interface KeygenInput {
  network: ExternalNetwork;
  generateKey: GenerateKey;
  settings: KeygenSettings;
}

export type KeygenPhase =
  | 'committing'
  | 'awaiting-commitments'
  | 'sharing'
  | 'awaiting-shares'
  | 'completing'
  | 'generated'
  | 'accused'
  | 'refused-commitments'
  | 'done';

export type KeygenEnd = 'confirmed' | 'superseded' | 'idle-timeout';

export interface KeygenOutcome {
  phase: KeygenPhase;
  end: KeygenEnd;
  /** Public keys, when this attempt generated a pair. */
  keyPair?: { substrateKey: string; networkKey: string };
  /** Participants this processor accused or blamed. */
  blamed: number[];
  /** Coordinator messages refused at the workflow boundary, with the reason (never the content). */
  rejected: string[];
}

export interface KeygenStatus {
  phase: KeygenPhase;
  received: string[];
  rejected: string[];
}

export const keygenMessageSignal = defineSignal<[KeygenDelivery]>('keygenMessage');
/** A later attempt of the same session started, or Serai confirmed this session's keys. */
export const keygenEndSignal = defineSignal<[{ end: 'confirmed' | 'superseded' }]>('keygenEnd');
export const keygenStatusQuery = defineQuery<KeygenStatus>('keygenStatus');

export function keygenWorkflowId(network: ExternalNetwork, session: number, attempt: number): string {
  return `keygen-${network}-${session}-${attempt}`;
}
