import { ApplicationFailure } from '@temporalio/workflow';
import { INVALID_PARTICIPANT_DATA } from '../activities/failures';

/** The ApplicationFailure behind an error (an activity's failure is its cause), if there is one. */
export function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  let cause: unknown = err;
  while (cause instanceof Error) {
    if (cause instanceof ApplicationFailure) return cause;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The participant an activity named for invalid signing data (`InvalidParticipantData`), if any. */
export function invalidParticipantOf(err: unknown): number | undefined {
  const failure = applicationFailureOf(err);
  if (failure?.type !== INVALID_PARTICIPANT_DATA) return undefined;
  const details = failure.details?.[0] as { participant?: unknown } | undefined;
  return typeof details?.participant === 'number' ? details.participant : undefined;
}
