/** Every activity the devnet coordinator's workflows call, with its timeouts and retry policy, in one place. */
import { proxyActivities } from '@temporalio/workflow';
import { MessageValidationError } from '../../messages/errors';
import type { CoordinatorActivities } from './activities';
import { NoConfirmedSetError } from './defs';

type Activities<K extends keyof CoordinatorActivities> = Pick<CoordinatorActivities, K>;

/**
 * Every coordinator activity is a few calls of a second or less; a short start-to-close timeout is
 * what retries one whose completion was lost (its worker killed, or the Temporal server restarted
 * while it ran) without holding a signing round for a minute. Delivery is idempotent.
 */
const QUICK = '15 seconds';

/** Relaying to processors, judging and verifying; a refused message or a network without a set is final. */
export const relay = proxyActivities<Activities<'confirmedSet' | 'deliverToProcessor' | 'judgeBlame' | 'judgeCommitments' | 'verifySignedBatch'>>({
  startToCloseTimeout: QUICK,
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', nonRetryableErrorTypes: [MessageValidationError.type, NoConfirmedSetError.type] },
});

/** A Serai block's messages to every member: a member whose processor is unreachable is retried until it answers (delivery is idempotent). */
export const seraiDelivery = proxyActivities<Activities<'deliverSeraiMessages'>>({
  startToCloseTimeout: QUICK,
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', nonRetryableErrorTypes: [MessageValidationError.type, NoConfirmedSetError.type] },
});

export const clock = proxyActivities<Activities<'seraiTime'>>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds' },
});
