/**
 * Every activity the processor's workflows call, with its timeouts and retry policy, in one place:
 * one typed proxy per concern, each a `Pick` of the activities it serves, and every non-retryable
 * failure named by the error class (or failure constant) that raises it.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ProcessorActivities } from '../activities';
import { INVALID_PARTICIPANT_DATA, KEY_NOT_GENERATED, KeyPairMismatchError, OBSERVED_KEY_REFUSED, SIGNER_SET_REFUSED, SIGNING_KEY_MISSING } from '../activities/failures';
import { DkgInputError } from '../crypto/dkg/errors';
import { MessageValidationError } from '../messages/errors';
import { PublishInputError, TransactionBuildError, TransactionRejectedError } from '../networks/chain-errors';
import { FinalizedReorgError, ScanStateError } from '../networks/finality';
import { KeystoreDecryptError, NonceReuseError, NoncesNotFoundError, StoredValueConflictError, StoreInputError } from '../store/errors';
import { NoCoordinatorWorkflowError } from '../temporal/coordinator-contract';

type Activities<K extends keyof ProcessorActivities> = Pick<ProcessorActivities, K>;

/** Processor -> coordinator messages; a message the coordinator's validation refuses is never resent. */
export const coordinatorLink = proxyActivities<Activities<'sendToCoordinator'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: [MessageValidationError.type] },
});

/** The same link where a coordinator that is not running is an answer, not a reason to retry (acknowledgements). */
export const optionalCoordinatorLink = proxyActivities<Activities<'sendToCoordinator'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: [MessageValidationError.type, NoCoordinatorWorkflowError.type] },
});

/** The DKG rounds of key generation (both keys of a pair; CPU-heavy at large n). */
// A round heartbeats once per key; one key's round 2 at n = 150 is about 3 s of CPU that cannot
// yield, which on a machine whose cores serve many validators' workers (fifty on two in the
// full-size run) takes over a minute of wall time.
export const keygenActivities = proxyActivities<Activities<'dkgCommitments' | 'dkgShares' | 'dkgComplete' | 'dkgVerifyBlame'>>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '3 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: [MessageValidationError.type, DkgInputError.type, KeystoreDecryptError.type, StoredValueConflictError.type, StoreInputError.type],
  },
});

export const keyConfirmation = proxyActivities<Activities<'confirmKeyPair'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: [KeyPairMismatchError.type, StoreInputError.type] },
});

export const healthActivities = proxyActivities<Activities<'keystoreStatus' | 'chainStatus'>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '1 second' },
});

/**
 * A worker heartbeats while it runs any of the activities below (activities/heartbeat.ts): one that
 * dies mid-activity is noticed after this, and the activity runs again on a live worker, where the
 * start-to-close timeout alone would hold the workflow for minutes.
 */
const HEARTBEAT_TIMEOUT = '20 seconds';

/** Threshold signing of every protocol (the signing driver's rounds), and the signable forms of plans. */
export const signingActivities = proxyActivities<
  Activities<
    | 'substrateSigningKey'
    | 'planSigning'
    | 'planSignable'
    | 'thresholdPreprocess'
    | 'thresholdShare'
    | 'thresholdAggregate'
    // Histories recorded before one signing driver call these; kept for their replay.
    | 'substratePreprocess'
    | 'substrateShare'
    | 'substrateAggregate'
    | 'planPreprocess'
    | 'planShare'
    | 'planComplete'
  >
>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: [
      SIGNING_KEY_MISSING,
      INVALID_PARTICIPANT_DATA,
      SIGNER_SET_REFUSED,
      NonceReuseError.type,
      NoncesNotFoundError.type,
      KeystoreDecryptError.type,
      TransactionBuildError.type,
    ],
  },
});

/** A plan's transaction on its chain: published, found, and others' claims checked. */
export const transactionActivities = proxyActivities<Activities<'publishTransaction' | 'planCompletion' | 'verifyCompletionClaim'>>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', nonRetryableErrorTypes: [PublishInputError.type, TransactionRejectedError.type] },
});

/** The scanner's view of its chain; a reorg of a reported block halts it. */
export const scanActivities = proxyActivities<Activities<'scannerKeySet' | 'scannerObservedKeySet' | 'activationSearchStart' | 'scanPoll' | 'awaitNewBlock' | 'feeRateAt' | 'planTxids' | 'spentOutputs' | 'seraiSupply'>>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: [FinalizedReorgError.type, ScanStateError.type, KEY_NOT_GENERATED, OBSERVED_KEY_REFUSED] },
});

/**
 * A Serai block applied with the scanner's schedulers in the validator's store. A refusal is a
 * result, not a failure; a store that lost the state named is retried until an operator restores
 * it, so no block is ever skipped for it. It heartbeats: a worker killed while applying is noticed
 * after the heartbeat timeout, and the block is applied again at once.
 */
export const seraiBlockActivities = proxyActivities<Activities<'applySeraiBlock'>>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
