/**
 * The Serai chain as the processors see it, simulated: validator-set keys, Batches that mint
 * sriXYZ, burns that pay out on the external network, and blocks that carry both back to the
 * processors as `substrate.*` coordinator messages.
 *
 * Pure and deterministic: every operation takes a state and returns a new one, sharing the
 * untouched parts; the input state is never modified, and a refused operation (a typed
 * SeraiChainError) leaves nothing behind. No Node builtins, no clock, no randomness.
 *
 * Batch acceptance follows Serai's in-instructions pallet: the signature must verify under the
 * set's prior key (until the current key has published a Batch, which retires the prior) or its
 * current key; ids are sequential per network; at most one Batch per network per block.
 * InInstructions other than `Transfer` (Dex, GenesisLiquidity, SwapToStakedSRI) need a DEX and
 * staking the simulator does not have: they mint nothing, are recorded as `unsupported` failures
 * of their Batch (Serai's `InstructionFailure`) and their amounts are counted as `unminted`, as is
 * a Transfer that would push a coin's supply above 2^64 - 1.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { verify as sr25519Verify } from '@scure/sr25519';

import { batchMessage } from '../../messages/batch';
import type { KeyPair } from '../../messages/ids';
import type { InInstructionWithBalance, OutInstructionWithBalance } from '../../messages/instructions';
import { MAX_BURNS_PER_SUBSTRATE_BLOCK, MAX_U64 } from '../../messages/limits';
import { COIN_NETWORK, type ExternalCoin, type ExternalNetwork } from '../../messages/networks';
import type { Hex } from '../../messages/primitives';
import { batchLookup, blockHash, instructionsHash } from './block-hash';
import { blockMessages, type BlockMessage } from './block-messages';
import {
  BatchSlotTakenError,
  BlockTimeError,
  FutureBatchError,
  InsufficientBalanceError,
  InvalidBatchSignatureError,
  NoKeysForNetworkError,
  SessionOrderError,
  StaleBatchError,
} from './errors';
import { parseBurn, parseFaultMint, parseSetKeys, parseSignedBatch, parseTime } from './input';
import {
  EXTERNAL_NETWORKS,
  type BatchRecord,
  type BlockNetworkEvents,
  type BurnRecord,
  type CoinTotals,
  type InstructionFailureReason,
  type SeraiBlock,
  type SeraiChainState,
} from './state';

/** The Serai validator set of `network` for `session` set its keys (Serai's `KeyGen` event). */
export function setKeys(state: SeraiChainState, input: unknown): SeraiChainState {
  const { network, session, keyPair } = parseSetKeys(input);
  const current = state.networks[network];
  if (current.session !== null && session <= current.session) throw new SessionOrderError(network, session, current.session);
  const prior =
    current.session !== null && current.keyPair !== null && session === current.session + 1
      ? { session: current.session, keyPair: current.keyPair }
      : null;
  return {
    ...state,
    networks: { ...state.networks, [network]: { ...current, session, keyPair, prior } },
    open: { ...state.open, keys: [...state.open.keys, { network, session, keyPair }] },
  };
}

export interface IncludedBatch {
  network: ExternalNetwork;
  id: number;
  /** The Serai block the Batch is included in (the next one `produceBlock` emits). */
  seraiBlock: number;
  failures: BatchRecord['failures'];
}

/** Why `signature` fails under `key`, or undefined if it verifies. */
function signatureProblem(message: Uint8Array, signature: Uint8Array, key: KeyPair): string | undefined {
  try {
    return sr25519Verify(message, signature, hexToBytes(key.substrate_key)) ? undefined : 'does not verify under the set key';
  } catch (error) {
    // @scure/sr25519 throws for encodings no key could accept (R not a point, s out of range).
    return `malformed signature (${error instanceof Error ? error.message : String(error)})`;
  }
}

type Ledger = Pick<SeraiChainState, 'balances' | 'coins'>;

function credit(ledger: Ledger, account: Hex, coin: ExternalCoin, amount: bigint): void {
  const totals = ledger.coins[coin];
  ledger.coins[coin] = { ...totals, minted: (BigInt(totals.minted) + amount).toString() };
  if (amount === 0n) return;
  const holdings = ledger.balances[account] ?? {};
  ledger.balances[account] = { ...holdings, [coin]: (BigInt(holdings[coin] ?? '0') + amount).toString() };
}

function countUnminted(ledger: Ledger, coin: ExternalCoin, amount: bigint): void {
  const totals = ledger.coins[coin];
  ledger.coins[coin] = { ...totals, unminted: (BigInt(totals.unminted) + amount).toString() };
}

function supplyOf({ minted, burned }: CoinTotals): bigint {
  return BigInt(minted) - BigInt(burned);
}

/** Executes the InInstructions into `ledger` (whose maps are this operation's copies). */
function execute(ledger: Ledger, instructions: readonly InInstructionWithBalance[]): BatchRecord['failures'] {
  const failures: BatchRecord['failures'] = [];
  const fail = (index: number, reason: InstructionFailureReason, coin: ExternalCoin, amount: bigint) => {
    failures.push({ index, reason });
    countUnminted(ledger, coin, amount);
  };
  for (const [index, { instruction, balance }] of instructions.entries()) {
    const amount = BigInt(balance.amount);
    if (instruction.kind !== 'Transfer') fail(index, 'unsupported', balance.coin, amount);
    else if (supplyOf(ledger.coins[balance.coin]) + amount > MAX_U64) fail(index, 'overflow', balance.coin, amount);
    else credit(ledger, instruction.address, balance.coin, amount);
  }
  return failures;
}

/** The coordinator publishes a processor's SignedBatch; it is included in the next block. */
export function publishSignedBatch(state: SeraiChainState, input: unknown): { state: SeraiChainState; included: IncludedBatch } {
  const { batch, signature } = parseSignedBatch(input);
  const network = state.networks[batch.network];
  if (network.keyPair === null) throw new NoKeysForNetworkError(batch.network);

  const message = batchMessage(batch);
  const signatureBytes = hexToBytes(signature);
  // As Serai: the prior key first, since only the hand-over Batch of a rotation is signed by it.
  const byPrior = network.prior === null ? 'no prior key' : signatureProblem(message, signatureBytes, network.prior.keyPair);
  const byCurrent = byPrior === undefined ? undefined : signatureProblem(message, signatureBytes, network.keyPair);
  if (byPrior !== undefined && byCurrent !== undefined) throw new InvalidBatchSignatureError(batch.network, batch.id, byCurrent);

  if (batch.id < network.nextBatchId) throw new StaleBatchError(batch.network, batch.id, network.nextBatchId);
  if (batch.id > network.nextBatchId) throw new FutureBatchError(batch.network, batch.id, network.nextBatchId);
  const seraiBlock = state.height + 1;
  if (network.lastBatchBlock === seraiBlock) throw new BatchSlotTakenError(batch.network, batch.id, seraiBlock);

  const ledger: Ledger = { balances: { ...state.balances }, coins: { ...state.coins } };
  const failures = execute(ledger, batch.instructions);
  const record: BatchRecord = {
    network: batch.network,
    id: batch.id,
    externalBlock: batch.block,
    instructionsHash: instructionsHash(batch.instructions),
    instructions: batch.instructions.length,
    signature,
    seraiBlock,
    failures,
  };
  const retirePrior = byPrior !== undefined && network.prior !== null;
  return {
    state: {
      ...state,
      ...ledger,
      networks: {
        ...state.networks,
        [batch.network]: {
          ...network,
          prior: retirePrior ? null : network.prior,
          nextBatchId: batch.id + 1,
          latestFinalizedBlock: batch.block,
          lastBatchBlock: seraiBlock,
        },
      },
      batches: { ...state.batches, [batch.network]: [...state.batches[batch.network], record] },
      open: { ...state.open, batches: [...state.open.batches, { network: batch.network, id: batch.id }] },
    },
    included: { network: batch.network, id: batch.id, seraiBlock, failures },
  };
}

/**
 * `from` burns `amount` of `coin` to `address` on the coin's network. The coins leave the account
 * and the supply now; the burn reaches the processors in the next block with room for it.
 */
/**
 * A devnet fault: mints coins to an account without any deposit or Batch, as a broken Serai might;
 * the processors' solvency watch must notice and hold payouts back.
 */
export function faultMint(state: SeraiChainState, input: unknown): SeraiChainState {
  const { to, coin, amount } = parseFaultMint(input);
  const holdings = state.balances[to] ?? {};
  const totals = state.coins[coin];
  return {
    ...state,
    balances: { ...state.balances, [to]: { ...holdings, [coin]: (BigInt(holdings[coin] ?? '0') + BigInt(amount)).toString() } },
    coins: { ...state.coins, [coin]: { ...totals, minted: (BigInt(totals.minted) + BigInt(amount)).toString() } },
  };
}

export function burn(state: SeraiChainState, input: unknown): { state: SeraiChainState; burn: OutInstructionWithBalance; network: ExternalNetwork } {
  const { from, coin, amount, address, data } = parseBurn(input);
  const holdings = state.balances[from] ?? {};
  const available = BigInt(holdings[coin] ?? '0');
  const requested = BigInt(amount);
  if (requested > available) throw new InsufficientBalanceError(from, coin, amount, available.toString());

  const { [coin]: _spent, ...rest } = holdings;
  const remaining = available - requested;
  const account = remaining === 0n ? rest : { ...rest, [coin]: remaining.toString() };
  const { [from]: _old, ...otherAccounts } = state.balances;
  const balances = Object.keys(account).length === 0 ? otherAccounts : { ...otherAccounts, [from]: account };

  const totals = state.coins[coin];
  const out: OutInstructionWithBalance = { instruction: { address, data }, balance: { coin, amount } };
  return {
    state: {
      ...state,
      balances,
      coins: { ...state.coins, [coin]: { ...totals, burned: (BigInt(totals.burned) + requested).toString() } },
      pendingBurns: [...state.pendingBurns, { from, burn: out }],
    },
    burn: out,
    network: COIN_NETWORK[coin],
  };
}

export interface ProduceBlockOptions {
  /** Burns per network per block; the rest wait for later blocks, oldest first. */
  maxBurnsPerNetwork?: number;
}

function takeBurns(pending: readonly BurnRecord[], max: number): { taken: Map<ExternalNetwork, BurnRecord[]>; left: BurnRecord[] } {
  const taken = new Map<ExternalNetwork, BurnRecord[]>();
  const left: BurnRecord[] = [];
  for (const record of pending) {
    const network = COIN_NETWORK[record.burn.balance.coin];
    const list = taken.get(network) ?? [];
    if (list.length < max) taken.set(network, [...list, record]);
    else left.push(record);
  }
  return { taken, left };
}

/** Emits the next block at Serai time `time` (seconds) with everything since the last one. */
export function produceBlock(
  state: SeraiChainState,
  time: unknown,
  options: ProduceBlockOptions = {},
): { state: SeraiChainState; block: SeraiBlock; messages: BlockMessage[] } {
  const seconds = parseTime(time);
  if (BigInt(seconds) < BigInt(state.lastTime)) throw new BlockTimeError(String(seconds), state.lastTime);
  const max = options.maxBurnsPerNetwork ?? MAX_BURNS_PER_SUBSTRATE_BLOCK;
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('maxBurnsPerNetwork: expected a positive integer');

  const { taken, left } = takeBurns(state.pendingBurns, max);
  const networks: Partial<Record<ExternalNetwork, BlockNetworkEvents>> = {};
  for (const network of EXTERNAL_NETWORKS) {
    const events: BlockNetworkEvents = {
      latestFinalizedBlock: state.networks[network].latestFinalizedBlock,
      keys: state.open.keys.filter((k) => k.network === network).map(({ session, keyPair }) => ({ session, keyPair })),
      batches: state.open.batches.filter((b) => b.network === network).map((b) => b.id),
      burns: taken.get(network) ?? [],
    };
    if (events.keys.length + events.batches.length + events.burns.length > 0) networks[network] = events;
  }
  const contents = { number: state.height + 1, parent: state.lastHash, time: String(seconds), networks };
  const block: SeraiBlock = { ...contents, hash: blockHash(contents, batchLookup(state)) };
  return {
    state: {
      ...state,
      height: block.number,
      lastHash: block.hash,
      lastTime: block.time,
      open: { keys: [], batches: [] },
      pendingBurns: left,
      blocks: [...state.blocks, block],
    },
    block,
    messages: blockMessages(block),
  };
}
