import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { FinalizedReorgError } from '../networks/finality';
import { scanActivities as chain, seraiBlockActivities as seraiBlocks } from './activity-options';
import { applicationFailureOf } from './failures';
import { KEY_NOT_GENERATED, OBSERVED_KEY_REFUSED } from '../activities/failures';
import { parseCoordinatorMessage, type Batch } from '../messages';
import { signBatch } from './batch';
import { batchIncludedSignal, batchWorkflowId } from './batch-defs';
import {
  scannerKeySignal,
  scannerResumePayoutsSignal,
  scannerStatusQuery,
  scannerSeraiBlockSignal,
  seraiBlockWorkflowId,
  type ScannerInput,
  type ScannerKeyRequest,
  type ScannerStatus,
} from './scanner-defs';
import {
  acceptFinalBlocks,
  applySeraiBlock,
  emptyCore,
  expectPlanOutputs,
  heldOutputIds,
  needsPlanTxids,
  schedulerSummary,
  feeRateBlock,
  isRedelivery,
  knowsBatches,
  scanCap,
  seraiBlockProblem,
  judgeSolvency,
  holdIfHalted,
  releaseHeld,
  type SeraiBlockResult,
  type SolvencyReading,
  withKey,
  type SeraiBlockMessage,
} from './scanner-state';
import { activationTime, batchSessionAt, holdsSession, keyOfSession, plansToSign, queueKey, queueProblem } from './scanner-rotation';
import { substrateBlock } from './serai-block';
import { chainRules } from '../networks/rules';
import type { TimedKeySet } from '../networks/chain';
import type { ScannerCore } from './scanner-state';
import { initialScanState } from '../networks/finality';

const MAX_REJECTED = 50;

/** Marks histories whose scanner takes a later session's key and rotates to it (before, it refused it). */
export const ROTATION_PATCH = 'rotation';
/** An account chain's later key is taken (it uses session 0's contract); before, it was refused. */
export const ACCOUNT_ROTATION_PATCH = 'account-chain-rotation';

/** A later key of a set this validator is not in is followed without a share (before, it was refused). */
export const OBSERVED_KEYS_PATCH = 'observed-keys';

/** Marks histories whose scanner credits a forward that reaches the new key after the old key retired (before, only during the rotation). */
export const FORWARDS_AFTER_RETIREMENT_PATCH = 'forwards-after-retirement';

/** Marks histories whose scanner refuses a Serai block it cannot apply (an included Batch again, ids out of order, a replay). */
export const REFUSE_PROBLEM_BLOCKS_PATCH = 'refuse-problem-serai-blocks';
/** Marks histories whose scanner checks solvency before each Serai block (and while payouts are halted). */
export const SOLVENCY_WATCH_PATCH = 'solvency-watch';
/** Marks histories whose scanner polls once the node has a new block (before: a timer of the poll interval between polls). */
export const AWAIT_NEW_BLOCK_PATCH = 'await-new-block';
/** Marks histories whose solvency watch asks Serai's supply and the chain's spent outputs at once (before: one after the other). */
export const CONCURRENT_SOLVENCY_READS_PATCH = 'concurrent-solvency-reads';
/**
 * Marks histories whose scanner applies each Serai block in an activity that keeps the schedulers
 * in the validator's store, its state naming them by digest (before: the schedulers were in the
 * workflow state, and a long queue would outgrow a payload).
 */
export const STORED_SCHEDULERS_PATCH = 'stored-schedulers';

/**
 * A network's scanner (`scanner-<network>`), long-running: follows the chain to finality, turns
 * each notable final block into Batches with sequential ids (held in this workflow's state, so a
 * crash or restart replays to the same ids and can never mint twice), waits for Serai to include
 * a Batch before scanning more than `confirmations` blocks past it, and applies Serai blocks in
 * the order they arrive: acknowledged outputs and burns go to the scheduler, and each block's
 * plans are handed to a `substrate-<network>-<block>` workflow. A reorg of a reported block halts
 * it (the workflow fails, naming both hashes); an operator must intervene.
 */
export async function scanner(input: ScannerInput): Promise<void> {
  const { network, settings } = input;
  let core = input.carried?.core ?? emptyCore(network);
  const keyRequests: ScannerKeyRequest[] = [...(input.carried?.keyRequests ?? [])];
  const substrateBlocks: SeraiBlockMessage[] = [...(input.carried?.substrateBlocks ?? [])];
  const rejected: string[] = [...(input.carried?.rejected ?? [])];
  let stage = 'awaiting a key';

  const reject = (line: string) => {
    rejected.push(line);
    if (rejected.length > MAX_REJECTED) rejected.shift();
    log.warn('scanner input rejected', { reason: line });
  };
  setHandler(scannerKeySignal, (request) => {
    if (!Number.isSafeInteger(request?.session) || !Number.isSafeInteger(request?.activeFrom) || request.session < 0 || request.activeFrom < 0) {
      reject(`scannerKey: expected { session, activeFrom } as non-negative integers`);
      return;
    }
    const networkKey = typeof request.networkKey === 'string' && /^(?:[0-9a-f]{2}){1,96}$/.test(request.networkKey) ? request.networkKey : undefined;
    keyRequests.push({ session: request.session, activeFrom: request.activeFrom, ...(networkKey === undefined ? {} : { networkKey }) });
  });
  setHandler(scannerSeraiBlockSignal, (raw) => {
    const parsed = parseCoordinatorMessage(raw, { network });
    if (!parsed.ok || parsed.message.kind !== 'substrate.SubstrateBlock') {
      reject(`scannerSubstrateBlock: ${parsed.ok ? `${parsed.message.kind} is not a SubstrateBlock` : parsed.error.message}`);
      return;
    }
    substrateBlocks.push(parsed.message);
  });
  let override: string | undefined;
  setHandler(scannerResumePayoutsSignal, (request) => {
    if (typeof request?.reason !== 'string' || request.reason.trim() === '') {
      reject('scannerResumePayouts: expected { reason } naming why payouts may resume');
      return;
    }
    override = request.reason.slice(0, 200);
  });
  // While a Serai block's effects are being started (its plans, the solvency reading, a hold), the
  // status still names the block before it: a block shows as applied with everything it decided.
  let applying: { before: string | null } | undefined;
  setHandler(scannerStatusQuery, (): ScannerStatus => ({
    stage,
    session: core.key?.session ?? null,
    activationHeight: core.key?.activationHeight ?? null,
    externalScript: core.key?.scripts.external ?? null,
    nextHeight: core.scan?.nextHeight ?? null,
    nextBatchId: core.nextBatchId,
    awaitingAck: core.pending.map((p) => ({ height: p.height, batches: p.batches })),
    lastSeraiBlock: applying ? applying.before : core.lastSeraiBlock,
    queuedSeraiBlocks: substrateBlocks.map((b) => b.block),
    heldSeraiBlocks: (core.heldSeraiBlocks ?? []).map((held) => held.block),
    scheduler: schedulerSummary(core),
    rejected: [...rejected],
    solvency: core.solvency ?? null,
    rotation: rotationStatus(core),
    retiredSessions: core.retiredSessions ?? [],
    observedSessions: [core.key, core.successor?.key, core.queuedKey].flatMap((key) => (key?.held === false ? [key.session] : [])),
  }));

  /**
   * The solvency watch: Serai's supply of our coins must be backed by what our Batches minted, and
   * every output the scheduler holds must still be unspent on chain. Otherwise no plan is made
   * (payments wait in the queue) until the books agree again or an operator resumes payouts.
   */
  const readSolvency = async (): Promise<SolvencyReading | undefined> => {
    if (!core.books || !core.scheduler) return undefined;
    const held = heldOutputIds(core);
    const spentOf = () => (held.length > 0 ? chain.spentOutputs(held) : Promise.resolve([]));
    let supply: Awaited<ReturnType<typeof chain.seraiSupply>>;
    let spentElsewhere: string[];
    if (patched(CONCURRENT_SOLVENCY_READS_PATCH)) {
      [supply, spentElsewhere] = await Promise.all([chain.seraiSupply(), spentOf()]);
    } else {
      supply = await chain.seraiSupply();
      spentElsewhere = await spentOf();
    }
    const reading = { supply, spentElsewhere, override };
    override = undefined;
    return reading;
  };
  const reportSolvency = (before: string) => {
    const after = core.solvency;
    if (!after) return;
    if (after.state !== before) {
      if (after.state === 'halted') log.error('payouts halted: the books do not agree with Serai or the chain', { reason: after.reason });
      else log.warn('payouts resumed', { reason: after.reason ?? 'the books agree again' });
    }
  };
  const checkSolvency = async () => {
    const before = core.solvency?.state ?? 'solvent';
    const reading = await readSolvency();
    if (reading) core = judgeSolvency(core, reading);
    reportSolvency(before);
  };

  const startBatch = async (batch: Batch, session: number) => {
    if (!holdsSession(core, session)) {
      log.info('Batch of a key this validator follows without a share: signed by its set, not here', { id: batch.id, session });
      return;
    }
    try {
      await startChild(signBatch, {
        workflowId: batchWorkflowId(network, batch.id),
        args: [{ network, batch, settings: settings.batch, session }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  };

  const takeKey = async () => {
    const request = keyRequests.shift()!;
    if (core.key !== null) {
      if (request.session === core.key.session || request.session === core.successor?.key.session || request.session === core.queuedKey?.session) return;
      // Histories from before rotation refused a later session's key.
      if (!patched(ROTATION_PATCH)) {
        reject(`scannerKey: session ${request.session} arrived while session ${core.key.session} is active (rotation is not supported)`);
        return;
      }
      const queued = { session: request.session, activeFrom: request.activeFrom, timing: settings.rotation };
      const problem = queueProblem(core, queued);
      if (problem !== null) {
        reject(`scannerKey: session ${request.session}: ${problem.reason}`);
        if (problem.kind === 'late') log.error('a later key arrived after this scanner passed its activation: an operator must look', { session: request.session });
        return;
      }
      // Histories from before an account chain's later keys took session 0's contract refused them.
      if (chainRules(network).scheduler === 'account' && !patched(ACCOUNT_ROTATION_PATCH)) {
        reject(`scannerKey: session ${request.session}: rotation on ${network} is not supported yet (a later key must use session ${core.key.session}'s contract)`);
        return;
      }
      stage = `loading the key of session ${request.session}`;
      let key: Awaited<ReturnType<typeof chain.scannerKeySet>>;
      let held = true;
      try {
        key = await chain.scannerKeySet({ network, session: request.session, ...(request.networkKey === undefined ? {} : { networkKey: request.networkKey }) });
      } catch (err) {
        const failure = applicationFailureOf(err);
        if (failure?.type !== KEY_NOT_GENERATED) throw err;
        // A key of a set this validator is not in (it leaves, or the attempt that became the key
        // went on without it): the existing key's side of the
        // handover needs the successor's scripts, from the key Serai confirmed. Without it (requests
        // from before carried none), the confirmation is refused and scanning goes on.
        if (request.networkKey === undefined || !patched(OBSERVED_KEYS_PATCH)) {
          reject(`scannerKey: session ${request.session}: ${failure.message}`);
          return;
        }
        try {
          key = await chain.scannerObservedKeySet({ network, session: request.session, networkKey: request.networkKey });
        } catch (observedErr) {
          const refused = applicationFailureOf(observedErr);
          if (refused?.type !== OBSERVED_KEY_REFUSED) throw observedErr;
          reject(`scannerKey: session ${request.session}: ${refused.message}`);
          return;
        }
        held = false;
      }
      core = queueKey(core, { ...queued, networkKey: key.networkKey, scripts: key.scripts, ...(key.contractKey === undefined ? {} : { contractKey: key.contractKey }), ...(held ? {} : { held: false as const }) });
      if (held) log.info('a later key is queued: it activates at the first block from its activation time', { session: request.session, activationTime: activationTime(core, core.queuedKey!) });
      else log.warn('a later key of a set this validator is not in is queued: followed until the existing key retires, never signed with', { session: request.session, activationTime: activationTime(core, core.queuedKey!) });
      return;
    }
    stage = `loading the key of session ${request.session}`;
    const key = await chain.scannerKeySet({ network, session: request.session });
    const startHeight = settings.startHeight ?? (await chain.activationSearchStart(request.activeFrom));
    core = withKey(core, { session: request.session, activeFrom: request.activeFrom, networkKey: key.networkKey, scripts: key.scripts, ...(key.contractKey === undefined ? {} : { contractKey: key.contractKey }) }, initialScanState({ confirmations: settings.confirmations, startHeight }));
    log.info('scanning for key', { session: request.session, startHeight, activeFrom: request.activeFrom });
  };

  /** Starts a Serai block's effects (its plans' signing, the acknowledgement) once. */
  const startSeraiBlock = async (decided: SeraiBlockResult) => {
    const result = plansToSign(core, decided);
    if (result.plans.length < decided.plans.length) {
      log.info('plans of a key this validator follows without a share: signed by its set, not here', { block: decided.block, plans: decided.plans.length - result.plans.length });
    }
    try {
      await startChild(substrateBlock, {
        workflowId: seraiBlockWorkflowId(network, result.block),
        args: [{ network, ...result, settings: settings.plan }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  };

  const applyNextSeraiBlock = async () => {
    const message = substrateBlocks[0]!;
    if (isRedelivery(core, message)) {
      substrateBlocks.shift();
      log.info('Serai block re-delivered; already applied', { block: message.block });
      return;
    }
    const problem = seraiBlockProblem(core, message);
    // Histories from before problem blocks were refused went on to apply them.
    if (problem !== null && patched(REFUSE_PROBLEM_BLOCKS_PATCH)) {
      substrateBlocks.shift();
      reject(`Serai block ${message.block}: ${problem}`);
      return;
    }
    stage = `applying Serai block ${message.block}`;
    // The pure core refuses what it cannot apply; a refusal must never fail the workflow task (every
    // validator would compute the same, and every scanner would stop for good).
    const refuse = (error: string) => {
      substrateBlocks.shift();
      reject(`Serai block ${message.block}: not applied: ${error}`);
      log.error('Serai block not applied: its Batches and burns need an operator', { block: message.block, error });
    };
    let applied: ReturnType<typeof applySeraiBlock>;
    if (patched(STORED_SCHEDULERS_PATCH)) {
      const outcome = await seraiBlocks.applySeraiBlock({ core, message });
      if ('refused' in outcome) return refuse(outcome.refused);
      applied = outcome.applied;
    } else {
      const at = feeRateBlock(core, message);
      const feeRate = at === null ? 1 : await chain.feeRateAt(at);
      try {
        applied = applySeraiBlock(core, message, feeRate);
      } catch (err) {
        return refuse(err instanceof Error ? err.message : String(err));
      }
    }
    const { result } = applied;
    applying = { before: core.lastSeraiBlock };
    core = applied.core;
    if (needsPlanTxids(core, result)) {
      // Each plan's transaction is built under its own session's key.
      const sessions = [...new Set(result.plans.map((_, i) => result.planSessions?.[i] ?? result.session))];
      for (const session of sessions) {
        const indices = result.plans.flatMap((_, i) => ((result.planSessions?.[i] ?? result.session) === session ? [i] : []));
        const observed = keyOfSession(core, session)?.held === false ? { observedKey: keyOfSession(core, session)!.networkKey } : {};
        const planned = await chain.planTxids({ network, session, plans: indices.map((i) => result.plans[i]!), ...observed });
        core = expectPlanOutputs(core, planned.map(({ index, txid }) => ({ plan: result.plans[indices[index]!]!, txid })));
      }
    }
    substrateBlocks.shift();
    for (const id of message.batches) {
      // Ends this processor's signing of a Batch others signed; it may have ended already.
      await getExternalWorkflowHandle(batchWorkflowId(network, id))
        .signal(batchIncludedSignal)
        .catch((err: unknown) => log.info('Batch workflow not signalled', { id, reason: err instanceof Error ? err.message : String(err) }));
    }
    // The watch reads the books with this block in them, and the outputs the scheduler still holds
    // once this block's plans took theirs (another validator may have published those already).
    // Histories from before the watch start every block's effects at once.
    if (patched(SOLVENCY_WATCH_PATCH)) {
      await checkSolvency();
      const held = holdIfHalted(core, result);
      core = held.core;
      if (held.release.length === 0) log.warn('Serai block applied; its plans wait until payouts resume', { block: result.block, plans: result.plans.length });
      for (const released of held.release) await startSeraiBlock(released);
    } else {
      await startSeraiBlock(result);
    }
    log.info('Serai block applied', { block: result.block, plans: result.plans.length, unpayable: result.unpayable.length, acknowledged: result.acknowledged });
    applying = undefined;
  };

  const poll = async () => {
    const cap = scanCap(core);
    const waitingFor = core.pending[0] === undefined ? 'the next acknowledged block of the rotation' : `the acknowledgement of block ${core.pending[0].height}`;
    stage = cap === undefined ? 'scanning' : `scanning up to ${cap} (awaiting ${waitingFor})`;
    let polled: Awaited<ReturnType<typeof chain.scanPoll>>;
    try {
      polled = await chain.scanPoll({ state: core.scan!, keys: watchedKeys(core), upTo: cap });
    } catch (err) {
      const failure = applicationFailureOf(err);
      if (failure?.type === FinalizedReorgError.type) throw ApplicationFailure.nonRetryable(`scanner halted: ${failure.message}`, FinalizedReorgError.type);
      throw err;
    }
    if (polled.followedReorg) log.warn('followed a reorg above finality', { ...polled.followedReorg });
    const accepted = acceptFinalBlocks({ ...core, scan: polled.state }, polled.blocks, { forwardsAfterRetirement: patched(FORWARDS_AFTER_RETIREMENT_PATCH) });
    core = accepted.core;
    for (const batch of accepted.batches) await startBatch(batch, batchSession(core, batch));
    if (accepted.batches.length > 0) log.info('Batches reported', { ids: accepted.batches.map((b) => b.id) });
  };

  const seraiBlockReady = () => {
    const next = substrateBlocks[0];
    return next !== undefined && core.key !== null && (isRedelivery(core, next) || seraiBlockProblem(core, next) !== null || knowsBatches(core, next));
  };

  /**
   * The node's best block when the scanner last waited for one. Not the last block a poll saw: a
   * poll's view ends below the tip (an account chain's at its finalized block, any at its size limit), and
   * waiting for a tip other than that would never wait at all.
   */
  let nodeTip: string | null = null;
  /**
   * Until the node's best block is another than the one the last wait returned (at most the poll
   * interval) or a message wakes the scanner, whichever comes first; a message cancels the wait.
   */
  const untilNewBlockOrWoken = async (woken: () => boolean) => {
    const scope = new CancellationScope();
    const block = scope.run(() => chain.awaitNewBlock({ after: nodeTip, limitMs: msToNumber(settings.pollInterval) }));
    const message = scope.run(() => condition(woken));
    try {
      const tip = await Promise.race([block, message]);
      if (typeof tip === 'object' && tip !== null) nodeTip = tip.hash;
    } catch (err) {
      // The poll that follows meets a node that does not answer with its own retries.
      if (!isCancellation(err)) log.warn('waiting for the next block failed; polling now', { reason: err instanceof Error ? err.message : String(err) });
    }
    scope.cancel();
    await Promise.allSettled([block, message]);
  };

  for (;;) {
    while (keyRequests.length > 0) await takeKey();
    while (seraiBlockReady()) await applyNextSeraiBlock();
    if (core.scan !== null) await poll();
    while (seraiBlockReady()) await applyNextSeraiBlock();
    // While halted (or told to resume), the watch is checked every round so payouts resume as soon as they may.
    if ((core.solvency?.state === 'halted' || override !== undefined) && patched(SOLVENCY_WATCH_PATCH)) {
      await checkSolvency();
      const held = releaseHeld(core);
      core = held.core;
      if (held.release.length > 0) log.warn('payouts resumed: starting the held Serai blocks', { blocks: held.release.map((r) => r.block) });
      for (const released of held.release) await startSeraiBlock(released);
    }

    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof scanner>({ network, settings, carried: { core, keyRequests, substrateBlocks, rejected } });
    }
    stage = core.key === null ? 'awaiting a key' : core.scan === null ? stage : 'waiting for the next poll';
    const woken = () => keyRequests.length > 0 || seraiBlockReady() || override !== undefined;
    if (core.scan === null) await condition(woken);
    else if (!woken() && patched(AWAIT_NEW_BLOCK_PATCH)) await untilNewBlockOrWoken(woken);
    else await condition(woken, settings.pollInterval);
  }
}

/**
 * The keys each poll watches: the existing key, and during a rotation the successor (or the
 * queued key) from its activation time. On an account chain one contract holds every key's coins:
 * the existing key's watch covers them.
 */
function watchedKeys(core: ScannerCore): TimedKeySet[] {
  const key = core.key!;
  const keys: TimedKeySet[] = [{ session: key.session, scripts: key.scripts, activeFrom: key.activeFrom }];
  if (chainRules(core.network).scheduler !== 'utxo') return keys;
  // A queued key from its activation time on (the first block that reaches it activates the key before
  // its outputs are routed); an active successor on every block scanned since, all past its activation.
  if (core.queuedKey) keys.push({ session: core.queuedKey.session, scripts: core.queuedKey.scripts, activeFrom: activationTime(core, core.queuedKey) });
  else if (core.successor) keys.push({ session: core.successor.key.session, scripts: core.successor.key.scripts, activeFrom: core.successor.key.activeFrom });
  return keys;
}

/** The session whose Serai key signs a Batch: the one of its block's height (a rotation switches at the retirement block). */
function batchSession(core: ScannerCore, batch: Batch): number {
  const entry = core.pending.find((p) => p.batches.includes(batch.id));
  return entry === undefined ? core.key!.session : batchSessionAt(core, entry.height);
}

function rotationStatus(core: ScannerCore): ScannerStatus['rotation'] {
  if (core.queuedKey) return { session: core.queuedKey.session, activationHeight: null, stage: 'queued', retirementBlock: null };
  const successor = core.successor;
  if (!successor) return null;
  const retirement = core.batchSessions?.find((change) => change.session === successor.key.session)?.fromHeight ?? null;
  return { session: successor.key.session, activationHeight: successor.key.activationHeight, stage: successor.stage, retirementBlock: retirement };
}
