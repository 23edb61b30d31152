import { ApplicationFailure } from '@temporalio/workflow';

/** The participant an activity named for invalid signing data (`InvalidParticipantData`), if any. */
export function invalidParticipantOf(err: unknown): number | undefined {
  let cause: unknown = err;
  while (cause instanceof Error) {
    if (cause instanceof ApplicationFailure && cause.type === 'InvalidParticipantData') {
      const details = cause.details?.[0] as { participant?: unknown } | undefined;
      return typeof details?.participant === 'number' ? details.participant : undefined;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}
