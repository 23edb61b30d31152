import { createHealthActivities, type HealthDeps } from './health';

export type ProcessorDeps = HealthDeps;

/** Every activity of one validator's processor, bound to its keystore and chain clients. */
export function createActivities(deps: ProcessorDeps) {
  return {
    ...createHealthActivities(deps),
  };
}

export type ProcessorActivities = ReturnType<typeof createActivities>;
