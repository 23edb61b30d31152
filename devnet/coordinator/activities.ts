import type { CoordinatorMessage } from '../../messages';
import type { ProcessorClient } from '../../client';
import type { DkgJudge } from '../../activities/dkg-wire';

export interface CoordinatorDeps {
  /** The client of one validator's processor (its namespace and task queue). */
  processor(validator: string): ProcessorClient;
  judge: DkgJudge;
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
  };
}

export type CoordinatorActivities = ReturnType<typeof createCoordinatorActivities>;
