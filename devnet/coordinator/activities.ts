import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { hexToBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import { batchMessage, type CoordinatorMessage, type ExternalNetwork, type SignedBatch } from '../../messages';
import type { ProcessorClient } from '../../client';
import type { DkgJudge } from '../../activities/dkg-wire';
import { coordinatorKeygenWorkflowId, type ConfirmedSet, type CoordinateKeygenResult } from './defs';

export interface CoordinatorDeps {
  /** The client of one validator's processor (its namespace and task queue). */
  processor(validator: string): ProcessorClient;
  judge: DkgJudge;
  /** The coordinator's own namespace, where its key generations ran. */
  coordinator: Client;
}

export class NoConfirmedSetError extends Error {
  override readonly name = 'NoConfirmedSet';
}

export function createCoordinatorActivities(deps: CoordinatorDeps) {
  return {
    async deliverToProcessor(validator: string, message: CoordinatorMessage): Promise<void> {
      await deps.processor(validator).deliver(message);
    },
    /** True when participant's published commitments are invalid (bad encoding or proof). */
    async judgeCommitments(input: Parameters<DkgJudge['commitmentsAreInvalid']>[0]): Promise<boolean> {
      return deps.judge.commitmentsAreInvalid(input);
    },
    /** Who is at fault in an accusation: the accused for a true one, the accuser for a false one. */
    async judgeBlame(input: Parameters<DkgJudge['judgeBlame']>[0]): Promise<{ faulty: number }> {
      return deps.judge.judgeBlame(input);
    },
    /** The newest session whose key generation completed, with the members of its final attempt. */
    async confirmedSet(network: ExternalNetwork): Promise<ConfirmedSet> {
      for (let session = 63; session >= 0; session--) {
        let result: CoordinateKeygenResult;
        try {
          const handle = deps.coordinator.workflow.getHandle(coordinatorKeygenWorkflowId(network, session));
          const { status } = await handle.describe();
          if (status.name !== 'COMPLETED') continue;
          result = (await handle.result()) as CoordinateKeygenResult;
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) continue;
          throw err;
        }
        const last = result.attempts[result.attempts.length - 1]!;
        return { session, t: last.t, substrateKey: result.keyPair.substrateKey, members: last.members };
      }
      throw new NoConfirmedSetError(`no completed key generation for ${network}`);
    },
    /** An independent sr25519 check (@scure/sr25519) of a SignedBatch against the set's Serai key. */
    async verifySignedBatch(signed: SignedBatch, substrateKey: string): Promise<boolean> {
      return sr25519.verify(batchMessage(signed.batch), hexToBytes(signed.signature), hexToBytes(substrateKey));
    },
  };
}

export type CoordinatorActivities = ReturnType<typeof createCoordinatorActivities>;
