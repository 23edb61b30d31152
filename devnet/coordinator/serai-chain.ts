import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { MAX_BURNS_PER_SUBSTRATE_BLOCK } from '../../messages/limits';
import { parseProcessorMessage } from '../../messages/parse';
import type { SignedBatch } from '../../messages/instructions';
import { COIN_NETWORK, type ExternalNetwork } from '../../messages/networks';
import { burn, faultMint, produceBlock, publishSignedBatch, setKeys } from '../serai/chain';
import type { BlockMessage } from '../serai/block-messages';
import { FutureBatchError, BatchSlotTakenError, NoKeysForNetworkError, SeraiChainError, StaleBatchError } from '../serai/errors';
import { parseSetKeys, parseSignedBatch } from '../serai/input';
import { parseState, serializeState } from '../serai/serialize';
import { emptyState, EXTERNAL_NETWORKS, type SeraiChainState } from '../serai/state';
import { totals } from '../serai/totals';
import { clock, seraiDelivery } from './activity-options';
import { processorMessageSignal } from './defs';
import { seraiSupplyQuery } from '../../temporal/coordinator-contract';
import {
  seraiBurnUpdate,
  seraiPublishBatchSignal,
  seraiSetKeysUpdate,
  seraiFaultMintUpdate,
  seraiStatusQuery,
  type SeraiAcks,
  type SeraiCarried,
  type SeraiChainInput,
  type SeraiChainStatus,
  type SeraiDeliveryFailure,
  type SeraiRejection,
  type SeraiSetKeysResult,
} from './serai-defs';


/** Patch id: a block's time is an activity result recorded in history, not the workflow clock. */
const SERAI_TIME_FROM_HISTORY = 'serai-time-from-history';

/** Bounds on what the status keeps (and continue-as-new carries). */
const KEEP_RECORDS = 100;
const KEEP_BLOCKS = 64;
const MAX_MEMPOOL = 1024;

function keepLast<T>(list: T[], max: number): void {
  if (list.length > max) list.splice(0, list.length - max);
}

function refusal(error: Error | { name: string; message: string }): { error: string; message: string } {
  return { error: error.name, message: error.message };
}

/** A SeraiChainError becomes a non-retryable failure (of the update: the state is unchanged); anything else is a bug and fails the task. */
function asFailure(error: unknown): never {
  if (error instanceof SeraiChainError) throw ApplicationFailure.nonRetryable(error.message, error.name);
  throw error;
}

/**
 * The devnet's Serai chain: keys and burns arrive as updates (refusals fail the update), SignedBatches
 * as signals into a mempool, acknowledgements from processors as signals. A block is produced once
 * there is something to put in it and `blockTime` has passed; its messages reach every member of the
 * network's confirmed set before the next block is produced. Idle, it waits without timers.
 */
export async function seraiChain(input: SeraiChainInput): Promise<never> {
  let state: SeraiChainState;
  try {
    state = input.state === undefined ? emptyState() : parseState(input.state);
  } catch (error) {
    asFailure(error);
  }
  const carried: SeraiCarried = input.carried ?? { mempool: [], acks: {}, rejected: [], duplicates: [], deliveryFailures: [] };
  const mempool: SignedBatch[] = [...carried.mempool];
  const acks: SeraiAcks = { ...carried.acks };
  const rejected = [...carried.rejected];
  const duplicates = [...carried.duplicates];
  const deliveryFailures = [...carried.deliveryFailures];

  const reject = (what: string, error: Error | { name: string; message: string }) => {
    rejected.push({ what, ...refusal(error) } satisfies SeraiRejection);
    keepLast(rejected, KEEP_RECORDS);
  };
  const recordDuplicate = (signed: SignedBatch) => {
    duplicates.push({ network: signed.batch.network, id: signed.batch.id, signature: signed.signature });
    keepLast(duplicates, KEEP_RECORDS);
  };

  setHandler(
    seraiSetKeysUpdate,
    (request): SeraiSetKeysResult => {
      try {
        const applied = alreadyApplied(state, request);
        if (applied !== undefined) return applied;
        state = setKeys(state, request);
        const { network, session } = parseSetKeys(request);
        return { network, session, block: state.height + 1, alreadySet: false };
      } catch (error) {
        asFailure(error);
      }
    },
  );

  setHandler(seraiBurnUpdate, (request) => {
    try {
      const result = burn(state, request);
      const ahead = state.pendingBurns.filter((queued) => COIN_NETWORK[queued.burn.balance.coin] === result.network).length;
      state = result.state;
      return { burn: result.burn, network: result.network, block: state.height + 1 + Math.floor(ahead / MAX_BURNS_PER_SUBSTRATE_BLOCK) };
    } catch (error) {
      asFailure(error);
    }
  });

  setHandler(seraiFaultMintUpdate, (request) => {
    try {
      state = faultMint(state, request);
      log.warn('devnet fault: coins minted without a deposit', { ...request });
      return { minted: request.amount };
    } catch (error) {
      asFailure(error);
    }
  });
  setHandler(seraiSupplyQuery, () => Object.fromEntries(Object.entries(totals(state)).map(([coin, report]) => [coin, report.supply])));

  setHandler(seraiPublishBatchSignal, (raw) => {
    let signed: SignedBatch;
    try {
      signed = parseSignedBatch(raw);
    } catch (error) {
      reject('SignedBatch', error instanceof Error ? error : { name: 'Error', message: String(error) });
      return;
    }
    const what = `${signed.batch.network} batch ${signed.batch.id}`;
    if (signed.batch.id < state.networks[signed.batch.network].nextBatchId) {
      recordDuplicate(signed);
      return;
    }
    if (mempool.some((queued) => sameSignedBatch(queued, signed))) return;
    if (mempool.length >= MAX_MEMPOOL) {
      reject(what, { name: 'MempoolFullError', message: `the mempool holds ${MAX_MEMPOOL} Batches` });
      return;
    }
    mempool.push(signed);
  });

  setHandler(processorMessageSignal, (outbound) => {
    const from = typeof outbound?.from === 'string' ? outbound.from : '(unnamed sender)';
    const network = outbound?.network;
    if (!(EXTERNAL_NETWORKS as unknown[]).includes(network)) {
      reject(`${from}: processor message`, { name: 'MessageValidationError', message: 'network: expected an external network' });
      return;
    }
    const parsed = parseProcessorMessage(outbound.message, { network });
    if (!parsed.ok) {
      reject(`${from}: processor message`, parsed.error);
      return;
    }
    const message = parsed.message;
    if (message.kind !== 'coordinator.SubstrateBlockAck') {
      reject(`${from}: ${message.kind}`, { name: 'MessageValidationError', message: 'the Serai chain only takes SubstrateBlockAck' });
      return;
    }
    const block = Number(message.block);
    const events = block >= 1 && block <= state.height ? state.blocks[block - 1]?.networks[network] : undefined;
    if (events === undefined || events.batches.length + events.burns.length === 0) {
      reject(`${from}: ack of block ${message.block}`, { name: 'MessageValidationError', message: `block ${message.block} sent no SubstrateBlock to ${network}` });
      return;
    }
    const plans = message.plans.map((plan) => plan.id);
    const byNetwork = (acks[String(block)] ??= {});
    const byValidator = (byNetwork[network] ??= {});
    const earlier = byValidator[from];
    if (earlier === undefined) byValidator[from] = plans;
    else if (earlier.join() !== plans.join()) {
      reject(`${from}: ack of block ${block}`, { name: 'ConflictingAckError', message: `acknowledged block ${block} before with other plans` });
    }
  });

  setHandler(seraiStatusQuery, (): SeraiChainStatus => ({
    height: state.height,
    balances: state.balances,
    coins: totals(state),
    batches: Object.fromEntries(
      EXTERNAL_NETWORKS.map((network) => [network, state.batches[network].map(({ id, seraiBlock, externalBlock, failures }) => ({ id, seraiBlock, externalBlock, failures }))]),
    ) as SeraiChainStatus['batches'],
    blocks: state.blocks.slice(-KEEP_BLOCKS).map((block) => ({
      number: block.number,
      hash: block.hash,
      time: block.time,
      burns: Object.values(block.networks).reduce((sum, events) => sum + events.burns.length, 0),
      batches: Object.fromEntries(Object.entries(block.networks).filter(([, e]) => e.batches.length > 0).map(([network, e]) => [network, e.batches])),
    })),
    acks,
    rejected,
    duplicates,
    deliveryFailures,
    mempool: mempool.length,
    pendingBurns: state.pendingBurns.length,
  }));

  /** Whether a block would carry anything: keys, burns, or a Batch whose id is next under set keys. */
  const hasWork = () =>
    state.open.keys.length > 0 ||
    state.pendingBurns.length > 0 ||
    mempool.some(({ batch }) => state.networks[batch.network].keyPair !== null && batch.id === state.networks[batch.network].nextBatchId);

  /** Moves at most one Batch per network from the mempool into the open block (lowest id first). */
  const includeBatches = () => {
    for (const network of EXTERNAL_NETWORKS) {
      const queued = mempool.filter((signed) => signed.batch.network === network).sort((a, b) => a.batch.id - b.batch.id);
      for (const signed of queued) {
        const what = `${network} batch ${signed.batch.id}`;
        try {
          state = publishSignedBatch(state, signed).state;
        } catch (error) {
          if (error instanceof FutureBatchError || error instanceof NoKeysForNetworkError || error instanceof BatchSlotTakenError) break;
          mempool.splice(mempool.indexOf(signed), 1);
          if (error instanceof StaleBatchError) recordDuplicate(signed);
          else if (error instanceof SeraiChainError) reject(what, error);
          else throw error;
          continue;
        }
        mempool.splice(mempool.indexOf(signed), 1);
        break;
      }
    }
  };

  const deliverBlock = async (block: number, messages: BlockMessage[]) => {
    const byNetwork = new Map<ExternalNetwork, BlockMessage['message'][]>();
    for (const { network, message } of messages) byNetwork.set(network, [...(byNetwork.get(network) ?? []), message]);
    await Promise.all(
      [...byNetwork].map(async ([network, list]) => {
        const failures: SeraiDeliveryFailure[] = [];
        try {
          const report = await seraiDelivery.deliverSeraiMessages(network, list);
          failures.push(...report.refused.map((refused) => ({ block, network, ...refused })));
        } catch (error) {
          if (!(error instanceof ActivityFailure)) throw error;
          const cause = error.cause instanceof ApplicationFailure ? { error: error.cause.type ?? 'Error', message: error.cause.message } : refusal(error);
          failures.push({ block, network, ...cause });
        }
        for (const failure of failures) log.warn('Serai block not delivered', { block, network, member: failure.member, error: failure.error });
        deliveryFailures.push(...failures);
        keepLast(deliveryFailures, KEEP_RECORDS);
      }),
    );
  };

  while (!workflowInfo().continueAsNewSuggested) {
    await condition(() => hasWork() || workflowInfo().continueAsNewSuggested);
    if (!hasWork()) break;
    await sleep(input.settings.blockTime);
    // Not the workflow clock: that is the start time of whichever workflow task runs this line,
    // which a replay (every task of this worker, every query) can see differently from the
    // original execution, so the block it rebuilds would not be the block it delivered.
    // Histories from before the patch read the workflow clock and replay as they ran.
    const now = patched(SERAI_TIME_FROM_HISTORY) ? await clock.seraiTime() : Math.floor(Date.now() / 1000);
    includeBatches();
    if (state.open.keys.length + state.open.batches.length + state.pendingBurns.length === 0) continue;
    const produced = produceBlock(state, Math.max(now, Number(state.lastTime)));
    state = produced.state;
    forgetOldAcks(acks, state.height);
    await deliverBlock(produced.block.number, produced.messages);
  }

  await condition(allHandlersFinished);
  return continueAsNew<typeof seraiChain>({
    state: serializeState(state),
    settings: input.settings,
    carried: { mempool, acks, rejected, duplicates, deliveryFailures },
  });
}

/** The result of an identical, already applied key set (a retried call), if it is one. */
function alreadyApplied(state: SeraiChainState, request: unknown): SeraiSetKeysResult | undefined {
  const { network, session, keyPair } = parseSetKeys(request);
  const current = state.networks[network];
  const same = (s: number | null, k: typeof keyPair | null) =>
    s === session && k !== null && k.substrate_key === keyPair.substrate_key && k.network_key === keyPair.network_key;
  if (!same(current.session, current.keyPair) && !same(current.prior?.session ?? null, current.prior?.keyPair ?? null)) return undefined;
  const emittedIn = [...state.blocks].reverse().find((block) => block.networks[network]?.keys.some((k) => k.session === session));
  return { network, session, block: emittedIn?.number ?? state.height + 1, alreadySet: true };
}

function sameSignedBatch(a: SignedBatch, b: SignedBatch): boolean {
  return a.signature === b.signature && JSON.stringify(a.batch) === JSON.stringify(b.batch);
}

function forgetOldAcks(acks: SeraiAcks, height: number): void {
  for (const block of Object.keys(acks)) if (Number(block) <= height - KEEP_BLOCKS) delete acks[block];
}
