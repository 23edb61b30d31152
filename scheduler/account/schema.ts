import { z } from 'zod';

import { expecting, hexBytes } from '../../messages/primitives';
import { amount, config as utxoConfig, payment } from '../schema';

/** Coins are contract addresses (20 bytes) on Ethereum; other account chains fit in 32. */
export const coinId = hexBytes(1, 32);
const MAX_COINS = 16;
/** Room for the largest nonce a plan can name and still be exact in a JSON number. */
const MAX_NONCE = Number.MAX_SAFE_INTEGER;

const list = <T extends z.ZodType>(item: T) => z.array(item, { error: expecting('expected an array') });

function integer(min: number, max: number) {
  const expectation = `expected an integer ${min}..${max}`;
  return z.int({ error: expecting(expectation) }).min(min, { error: expectation }).max(max, { error: expectation });
}

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
});

/** A coin credited to the contract's balance (a deposit, in Serai's units). */
export const credit = z.strictObject({ coin: coinId, amount });

/** A payment of `coin` to queue. */
export const coinPayment = z.strictObject({ coin: coinId, payment });
