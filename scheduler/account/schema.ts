import { z } from 'zod';

import { expecting } from '../../messages/primitives';
import { amount, config as utxoConfig, payment } from '../schema';

/** A coin by its Serai name (`ether`, `dai`): where the contract keeps it is the chain adapter's business. */
export const coinId = z
  .string({ error: expecting('expected a lowercase coin name') })
  .regex(/^[a-z][a-z0-9-]{0,31}$/, { error: 'expected a lowercase coin name of at most 32 characters' });
const MAX_COINS = 16;
/** Room for the largest nonce a plan can name and still be exact in a JSON number. */
const MAX_NONCE = Number.MAX_SAFE_INTEGER;

const list = <T extends z.ZodType>(item: T) => z.array(item, { error: expecting('expected an array') });

function integer(min: number, max: number) {
  const expectation = `expected an integer ${min}..${max}`;
  return z.int({ error: expecting(expectation) }).min(min, { error: expectation }).max(max, { error: expectation });
}

/** A contract key as the contract holds it: 32 bytes, lowercase hex, not zero. */
export const routerKey = z
  .string({ error: expecting('expected 32 bytes as lowercase hex') })
  .regex(/^[0-9a-f]{64}$/, { error: 'expected 32 bytes as lowercase hex' })
  .refine((key) => /[1-9a-f]/.test(key), { error: 'expected a key other than zero' });

export const accountCoin = z.strictObject({ coin: coinId, dust: amount, maxAmount: amount });

export const accountConfig = z.strictObject({
  network: utxoConfig.shape.network,
  key: utxoConfig.shape.key,
  coins: list(accountCoin).min(1, { error: 'expected at least one coin' }).max(MAX_COINS, { error: `expected at most ${MAX_COINS} coins` }),
  maxBatchGas: integer(1, 2 ** 32),
  firstNonce: integer(0, MAX_NONCE),
  internalAddresses: utxoConfig.shape.internalAddresses,
});

export const accountBalance = z.strictObject({ coin: coinId, balance: amount, queue: list(payment) });

export const accountState = z.strictObject({
  version: z.literal(1, { error: 'expected version 1' }),
  config: accountConfig,
  nextNonce: integer(0, MAX_NONCE),
  keyConfirmed: z.boolean({ error: expecting('expected a boolean') }),
  balances: list(accountBalance),
  retiredTo: routerKey.optional(),
});

/** What a retiring key hands its successor. */
export const accountHandover = z.strictObject({ firstNonce: integer(0, MAX_NONCE), balances: list(accountBalance) });

/** A coin credited to the contract's balance (a deposit, in Serai's units). */
export const credit = z.strictObject({ coin: coinId, amount });

/** A payment of `coin` to queue. */
export const coinPayment = z.strictObject({ coin: coinId, payment });
