import { DefaultFailureConverter } from '@temporalio/common';

// Loaded by path inside the workflow sandbox too. Moves failure messages and stack traces into an
// encoded payload, so the codec encrypts them like any other payload.
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
