/**
 * The account scheduler: Serai's smart-contract scheduler (reference ethereum-router.md 7.5) for a
 * contract that holds one balance per coin and pays in signed batches under one sequential nonce.
 * Pure and deterministic, so it runs inside workflows and every validator plans alike.
 *
 * Per coin, in the configured order, payments leave first in first out: a batch takes the longest
 * run from the head of the queue that the balance covers and the gas cap allows; its publisher's
 * fee is split evenly over its payments; a payment its share would leave with nothing (or below
 * the coin's dust) is dropped, reported, and the batch made again without it. Every plan takes the
 * next nonce: nonces are never skipped, and the key's own confirmation takes the first (Serai's
 * scheduler started at 0 with no confirmation, reference 7.5 and 6.3).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

import { SchedulerError } from '../errors';
import { invalid, parseWith } from '../schema';
import type { Payment } from '../types';
import { accountConfig, accountHandover, accountState, coinPayment, credit, routerKey } from './schema';
import type {
  AccountAction,
  AccountDroppedPayment,
  AccountHandover,
  AccountPlan,
  AccountScheduleResult,
  AccountSchedulerConfig,
  AccountSchedulerState,
  BatchCostModel,
} from './types';

const PLAN_DOMAIN = 'custody-processor account plan v1';

interface Pay {
  readonly id: string;
  readonly address: string;
  readonly amount: bigint;
}

interface Book {
  readonly coin: string;
  readonly dust: bigint;
  readonly maxAmount: bigint;
  balance: bigint;
  queue: Pay[];
}

interface Working {
  readonly config: AccountSchedulerConfig;
  nextNonce: number;
  keyConfirmed: boolean;
  books: Book[];
  retiredTo: string | null;
}

/** An empty scheduler for one key: nothing held, its confirmation the first plan to make. */
export function createAccountState(config: AccountSchedulerConfig): AccountSchedulerState {
  const parsed = checkedConfig(parseWith(accountConfig, config, 'config'), 'config');
  return save({
    config: parsed,
    nextNonce: parsed.firstNonce,
    keyConfirmed: false,
    books: parsed.coins.map((c) => ({ coin: c.coin, dust: BigInt(c.dust), maxAmount: BigInt(c.maxAmount), balance: 0n, queue: [] })),
    retiredTo: null,
  });
}

/**
 * The retiring key's last plan (Serai's `flush_key`): at the next nonce it names `nextKey` (the
 * successor's px) on the contract, and hands over every balance and queued payment, unpaid, with
 * the nonce the successor's confirmation takes. The state keeps its nonce and makes no plan again.
 * The key must have confirmed itself first: before that it is not the contract's to hand over.
 */
export function rotateAccount(state: AccountSchedulerState, nextKey: string): { state: AccountSchedulerState; plan: AccountPlan; handover: AccountHandover } {
  const working = load(state);
  if (working.retiredTo !== null) invalid('state.retiredTo', 'this key already named its successor');
  if (!working.keyConfirmed) invalid('state.keyConfirmed', 'a key hands over only after its own confirmation');
  const next = parseWith(routerKey, nextKey, 'nextKey');
  if (next === working.config.key) invalid('nextKey', 'expected a key other than the retiring one');
  const plan = accountPlan(working.config, working.nextNonce, { kind: 'set-next-key', nextKey: next });
  working.nextNonce += 1;
  const handover: AccountHandover = { firstNonce: working.nextNonce, balances: save(working).balances };
  working.books = working.books.map((b) => ({ ...b, balance: 0n, queue: [] }));
  working.retiredTo = next;
  return { state: save(working), plan, handover };
}

/** The successor's scheduler: `config` (first nonce the handover's) holding what the retiring key handed over; its confirmation is its first plan. */
export function takeOverAccount(config: AccountSchedulerConfig, handover: AccountHandover): AccountSchedulerState {
  const fresh = load(createAccountState(config));
  const given = parseWith(accountHandover, handover, 'handover');
  if (given.firstNonce !== fresh.config.firstNonce) invalid('config.firstNonce', `expected the handover's first nonce ${given.firstNonce}`);
  // load() checks the handed-over books against the successor's coins, amounts and addresses.
  return save(load({ ...save(fresh), balances: given.balances }, 'handover'));
}

/** Adds deposits credited to the contract's balance. All are added or none. */
export function receiveCredits(state: AccountSchedulerState, credits: readonly { coin: string; amount: string }[]): AccountSchedulerState {
  const working = load(state);
  if (working.retiredTo !== null && credits.length > 0) invalid('state.retiredTo', 'a retired key holds nothing: credit its successor');
  credits.forEach((raw, index) => {
    const field = `credits.${index}`;
    const parsed = parseWith(credit, raw, field);
    bookOf(working, parsed.coin, `${field}.coin`).balance += BigInt(parsed.amount);
  });
  return save(working);
}

/** A payment the scheduler would not queue, and why. */
export interface RefusedAccountPayment {
  readonly coin: string;
  readonly payment: Payment;
  readonly reason: string;
}

/**
 * Queues every payment the scheduler can take, in the order given, and hands back the others with
 * why: malformed, a coin it does not hold, an amount of 0 or above the coin's maximum, one of our
 * own addresses, or an id already queued. Never throws for a payment.
 */
export function admitAccountPayments(
  state: AccountSchedulerState,
  payments: readonly { coin: string; payment: Payment }[],
): { state: AccountSchedulerState; refused: RefusedAccountPayment[] } {
  const working = load(state);
  const internal = new Set(working.config.internalAddresses);
  const held = new Set(working.books.flatMap((b) => b.queue.map((p) => p.id)));
  const refused: RefusedAccountPayment[] = [];
  payments.forEach((raw, index) => {
    const field = `payments.${index}`;
    if (working.retiredTo !== null) {
      refused.push({ coin: raw.coin, payment: raw.payment, reason: 'this key is retired: its successor pays' });
      return;
    }
    try {
      const parsed = parseWith(coinPayment, raw, field);
      const book = bookOf(working, parsed.coin, `${field}.coin`);
      const pay = { ...parsed.payment, amount: BigInt(parsed.payment.amount) };
      if (pay.amount < 1n) invalid(`${field}.payment.amount`, 'expected at least 1');
      if (pay.amount > book.maxAmount) invalid(`${field}.payment.amount`, 'expected at most maxAmount');
      if (internal.has(pay.address)) invalid(`${field}.payment.address`, 'pays one of our own addresses');
      if (held.has(pay.id)) throw new SchedulerError('duplicate', `${field}.payment.id`, 'payment already held');
      held.add(pay.id);
      book.queue.push(pay);
    } catch (err) {
      if (!(err instanceof SchedulerError)) throw err;
      refused.push({ coin: raw.coin, payment: raw.payment, reason: `${err.field.replace(/^payments\.\d+\.?/, '') || 'payment'}: ${err.reason}` });
    }
  });
  return { state: save(working), refused };
}

/** Makes every plan the held balances allow: the key's confirmation first if not yet made, then each coin's batches. */
export function scheduleAccount(state: AccountSchedulerState, cost: BatchCostModel): AccountScheduleResult {
  const working = load(state);
  const plans: AccountPlan[] = [];
  const dropped: AccountDroppedPayment[] = [];
  if (working.retiredTo !== null) return { state: save(working), plans, dropped };
  const take = (action: AccountAction) => {
    plans.push(accountPlan(working.config, working.nextNonce, action));
    working.nextNonce += 1;
  };
  if (!working.keyConfirmed) {
    take({ kind: 'confirm-key' });
    working.keyConfirmed = true;
  }
  for (const book of working.books) {
    for (;;) {
      const batch = nextBatch(book, working.config.maxBatchGas, cost);
      if (batch === null) break;
      const { payments, gas, fee, shares } = batch;
      const losers = payments.flatMap((p, i): { p: Pay; reason: AccountDroppedPayment['reason'] }[] => {
        const arrives = p.amount - shares[i]!;
        if (arrives < 1n) return [{ p, reason: 'fee-exceeds-payment' }];
        if (arrives < book.dust) return [{ p, reason: 'dust-after-fee' }];
        return [];
      });
      if (losers.length > 0) {
        // Dropped payments' coins stay in the balance (a surplus Serai no longer counts); the batch is made again without them.
        const gone = new Set(losers.map((l) => l.p.id));
        book.queue = book.queue.filter((p) => !gone.has(p.id));
        for (const { p, reason } of losers) dropped.push({ payment: fromPay(p), coin: book.coin, reason });
        continue;
      }
      book.queue = book.queue.slice(payments.length);
      book.balance -= payments.reduce((total, p) => total + p.amount, 0n);
      take({
        kind: 'execute',
        coin: book.coin,
        fee: fee.toString(),
        gas,
        outs: payments.map((p, i) => ({ payment: p.id, address: p.address, amount: (p.amount - shares[i]!).toString() })),
      });
    }
  }
  return { state: save(working), plans, dropped };
}

/** The longest run from the head of the queue that the balance covers and the gas cap allows, with its gas, fee and fee shares. */
function nextBatch(book: Book, maxBatchGas: number, cost: BatchCostModel): { payments: Pay[]; gas: number; fee: bigint; shares: bigint[] } | null {
  const payments: Pay[] = [];
  let total = 0n;
  let gas = 0;
  for (const p of book.queue) {
    if (total + p.amount > book.balance) break;
    const next = gasOf(cost, book.coin, payments.length + 1, gas);
    if (next > maxBatchGas) {
      if (payments.length === 0) throw new SchedulerError('fee-model', 'cost.gas', `one payment needs more than the ${maxBatchGas} gas a batch may take`);
      break;
    }
    payments.push(p);
    total += p.amount;
    gas = next;
  }
  if (payments.length === 0) return null;
  const fee: unknown = cost.fee(book.coin, gas);
  if (typeof fee !== 'bigint' || fee < 0n) throw new SchedulerError('fee-model', 'cost.fee', 'expected a non-negative bigint fee');
  const n = BigInt(payments.length);
  const shares = payments.map((_, i) => fee / n + (BigInt(i) < fee % n ? 1n : 0n));
  return { payments, gas, fee, shares };
}

function gasOf(cost: BatchCostModel, coin: string, outs: number, previous: number): number {
  const gas: unknown = cost.gas(coin, outs);
  if (typeof gas !== 'number' || !Number.isSafeInteger(gas) || gas <= 0) throw new SchedulerError('fee-model', 'cost.gas', 'expected a positive integer gas');
  if (gas < previous) throw new SchedulerError('fee-model', 'cost.gas', 'expected gas that never falls as payments are added');
  return gas;
}

/** The plan id: SHA-256 over the domain, network, key, nonce and action, as one JSON array (self-delimiting). */
export function accountPlan(config: Pick<AccountSchedulerConfig, 'network' | 'key'>, nonce: number, action: AccountAction): AccountPlan {
  const fields =
    action.kind === 'confirm-key'
      ? [action.kind]
      : action.kind === 'set-next-key'
        ? [action.kind, action.nextKey]
        : [action.kind, action.coin, action.fee, action.gas, action.outs.map((o) => [o.payment, o.address, o.amount])];
  const id = bytesToHex(sha256(utf8ToBytes(JSON.stringify([PLAN_DOMAIN, config.network, config.key, nonce, fields]))));
  return { id, network: config.network, key: config.key, nonce, action };
}

function bookOf(working: Working, coin: string, field: string): Book {
  const book = working.books.find((b) => b.coin === coin);
  if (book === undefined) invalid(field, 'a coin this scheduler does not hold');
  return book;
}

function checkedConfig(config: AccountSchedulerConfig, root: string): AccountSchedulerConfig {
  const coins = new Set<string>();
  config.coins.forEach((c, i) => {
    if (coins.has(c.coin)) throw new SchedulerError('duplicate', `${root}.coins.${i}.coin`, 'coin listed twice');
    coins.add(c.coin);
    if (BigInt(c.maxAmount) === 0n) invalid(`${root}.coins.${i}.maxAmount`, 'expected a positive amount');
    if (BigInt(c.dust) > BigInt(c.maxAmount)) invalid(`${root}.coins.${i}.dust`, 'expected at most maxAmount');
  });
  return {
    network: config.network,
    key: config.key,
    coins: config.coins.map((c) => ({ coin: c.coin, dust: c.dust, maxAmount: c.maxAmount })),
    maxBatchGas: config.maxBatchGas,
    firstNonce: config.firstNonce,
    internalAddresses: [...new Set(config.internalAddresses)].sort(),
  };
}

/** Validates a stored state (shape and consistency) and converts it to the working form. */
function load(value: unknown, root = 'state'): Working {
  const parsed = parseWith(accountState, value, root);
  const config = checkedConfig(parsed.config, `${root}.config`);
  if (parsed.nextNonce < config.firstNonce) invalid(`${root}.nextNonce`, 'expected at least firstNonce');
  if (!parsed.keyConfirmed && parsed.nextNonce !== config.firstNonce) invalid(`${root}.nextNonce`, 'expected firstNonce until the key is confirmed');
  if (parsed.balances.length !== config.coins.length) invalid(`${root}.balances`, 'expected one balance per configured coin');
  const internal = new Set(config.internalAddresses);
  const ids = new Set<string>();
  const books = parsed.balances.map((b, i): Book => {
    const coin = config.coins[i]!;
    if (b.coin !== coin.coin) invalid(`${root}.balances.${i}.coin`, 'expected the configured coins in order');
    const maxAmount = BigInt(coin.maxAmount);
    const queue = b.queue.map((p, j): Pay => {
      const field = `${root}.balances.${i}.queue.${j}`;
      if (ids.has(p.id)) throw new SchedulerError('duplicate', `${field}.id`, 'payment already held');
      ids.add(p.id);
      const amount = BigInt(p.amount);
      if (amount < 1n || amount > maxAmount) invalid(`${field}.amount`, 'expected 1..maxAmount');
      if (internal.has(p.address)) invalid(`${field}.address`, 'pays one of our own addresses');
      return { id: p.id, address: p.address, amount };
    });
    return { coin: coin.coin, dust: BigInt(coin.dust), maxAmount, balance: BigInt(b.balance), queue };
  });
  const retiredTo = parsed.retiredTo ?? null;
  if (retiredTo !== null && (!parsed.keyConfirmed || books.some((b) => b.balance !== 0n || b.queue.length > 0))) {
    invalid(`${root}.retiredTo`, 'a retired key was confirmed and holds nothing');
  }
  return { config, nextNonce: parsed.nextNonce, keyConfirmed: parsed.keyConfirmed, books, retiredTo };
}

function save(working: Working): AccountSchedulerState {
  return {
    version: 1,
    config: working.config,
    nextNonce: working.nextNonce,
    keyConfirmed: working.keyConfirmed,
    balances: working.books.map((b) => ({ coin: b.coin, balance: b.balance.toString(), queue: b.queue.map(fromPay) })),
    // Absent until retired, so a state from before rotation existed reads and writes as it did.
    ...(working.retiredTo === null ? {} : { retiredTo: working.retiredTo }),
  };
}

const fromPay = (p: Pay): Payment => ({ id: p.id, address: p.address, amount: p.amount.toString() });
