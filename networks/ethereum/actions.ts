/**
 * The Router call an account plan makes: the scheduler's plain-JSON action (Serai's 8 decimals,
 * hex without 0x) as the Router's own (base units, addresses). Pure.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import type { AccountAction } from '../../scheduler/account/types';
import { fromSeraiAmount } from './deposits';
import type { RouterAction } from './router';

/** `coin` is where the Router keeps the batch's coin: the token's address, lowercase hex without 0x (ETH: 20 zero bytes). */
export function routerActionOf(action: AccountAction, coin: string): RouterAction {
  if (action.kind === 'confirm-key') return { kind: 'confirmNextSeraiKey' };
  if (action.kind === 'set-next-key') return { kind: 'updateSeraiKey', nextKey: hexToBytes(action.nextKey) };
  return {
    kind: 'execute',
    coin: `0x${coin}`,
    fee: fromSeraiAmount(BigInt(action.fee)),
    outs: action.outs.map((out) => ({ to: `0x${out.address}`, amount: fromSeraiAmount(BigInt(out.amount)) })),
  };
}
