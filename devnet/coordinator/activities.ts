import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { hexToBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import { batchMessage, type CoordinatorMessage, type ExternalNetwork, type SignedBatch } from '../../messages';
import type { ProcessorClient } from '../../client';
import type { DkgJudge } from '../../crypto/dkg/key-pair';
import { coordinatorKeygenWorkflowId, NoConfirmedSetError, type ConfirmedSet, type CoordinateKeygenResult } from './defs';

export interface CoordinatorDeps {
  /** The client of one validator's processor for one network (its namespace and task queue). */
  processor(validator: string, network: ExternalNetwork): ProcessorClient;
  judge: DkgJudge;
  /** The coordinator's own namespace, where its key generations ran. */
  coordinator: Client;
  /**
   * For tests: the confirmed set of a network without a completed key generation. When absent,
   * `confirmedSet` reads the newest completed `coordinateKeygen`.
   */
  members?: (network: ExternalNetwork) => Promise<ConfirmedSet>;
}

export { NoConfirmedSetError };

/** Refusals of a processor that retrying cannot change (the chain reports them and moves on). */
const PERMANENT_REFUSALS = new Set(['MessageValidationError', 'UnsupportedMessageError', 'ScannerHaltedError']);

export interface SeraiDeliveryReport {
  delivered: string[];
  refused: { member: string; error: string; message: string }[];
}

/** Some members' processors did not take a Serai block's messages; the activity retries them all (delivery is idempotent). */
export class SeraiDeliveryError extends Error {
  override readonly name = 'SeraiDeliveryError';
}

export function createCoordinatorActivities(deps: CoordinatorDeps) {
  /** The set of `session` (by default the newest whose key generation completed), with the members of its final attempt. */
  const confirmedSet = async (network: ExternalNetwork, only?: number): Promise<ConfirmedSet> => {
    if (deps.members) return deps.members(network);
    for (let session = only ?? 63; session >= (only ?? 0); session--) {
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
    throw new NoConfirmedSetError(`no completed key generation for ${network}${only === undefined ? '' : ` session ${only}`}`);
  };
  /** The members of the newest confirmed set and of the one before it, each once. */
  const servingMembers = async (network: ExternalNetwork): Promise<ConfirmedSet['members']> => {
    const newest = await confirmedSet(network);
    if (deps.members || newest.session === 0) return newest.members;
    const before = await confirmedSet(network, newest.session - 1).catch((err: unknown) => {
      if (err instanceof NoConfirmedSetError) return undefined;
      throw err;
    });
    const names = new Set(newest.members.map((m) => m.name));
    return [...newest.members, ...(before?.members ?? []).filter((m) => !names.has(m.name))];
  };
  return {
    /** Delivers to `validator`'s processor for `network` (Serai's messages name no network: the processor serving one is addressed). */
    async deliverToProcessor(validator: string, message: CoordinatorMessage, network: ExternalNetwork): Promise<void> {
      await deps.processor(validator, network).deliver(message);
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
    confirmedSet,
    /**
     * A Serai block's messages for `network`, in order, to every member of its newest confirmed set
     * and of the set before it (a validator that left keeps serving the old key until it retires,
     * and follows the new key's confirmation to hand over). A
     * member without a running worker still takes them (the workflow start or signal is recorded),
     * so an offline validator does not hold the chain up. A member whose processor refuses for
     * good (the message kind is unsupported, its scanner halted) is reported, not retried; any
     * other failure fails the attempt after the other members were served.
     */
    async deliverSeraiMessages(network: ExternalNetwork, messages: CoordinatorMessage[]): Promise<SeraiDeliveryReport> {
      const members = await servingMembers(network);
      const report: SeraiDeliveryReport = { delivered: [], refused: [] };
      const failed: string[] = [];
      await Promise.all(
        members.map(async ({ name }) => {
          try {
            for (const message of messages) await deps.processor(name, network).deliver(message);
            report.delivered.push(name);
          } catch (err) {
            const error = err instanceof Error ? err : new Error(String(err));
            if (PERMANENT_REFUSALS.has(error.name)) report.refused.push({ member: name, error: error.name, message: error.message });
            else failed.push(`${name}: ${error.message}`);
          }
        }),
      );
      if (failed.length > 0) throw new SeraiDeliveryError(`not delivered to ${failed.join('; ')}`);
      return report;
    },
    /**
     * The Serai time (unix seconds) of the block the chain is about to produce. Read here, not with
     * the workflow's clock, so that the value is recorded in the chain's history: every execution
     * of the block's code (a replay, a retried task, a query) then builds the same block.
     */
    async seraiTime(): Promise<number> {
      return Math.floor(Date.now() / 1000);
    },
    /** An independent sr25519 check (@scure/sr25519) of a SignedBatch against the set's Serai key. */
    async verifySignedBatch(signed: SignedBatch, substrateKey: string): Promise<boolean> {
      return sr25519.verify(batchMessage(signed.batch), hexToBytes(signed.signature), hexToBytes(substrateKey));
    },
  };
}

export type CoordinatorActivities = ReturnType<typeof createCoordinatorActivities>;
