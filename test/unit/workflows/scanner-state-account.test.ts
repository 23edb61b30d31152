/**
 * The scanner core on an account chain (Ethereum's rules): deposits of two coins are credited to the
 * account scheduler once Serai includes their Batches, refunds and burns become payments of their
 * coin, and the plans are the key's confirmation then one `execute` batch per coin at consecutive
 * nonces. No outputs are held, so the solvency watch asks the chain about none.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import type { DepositOutcome } from '../../../networks/deposits';
import { encodeEthereumAddress } from '../../../networks/ethereum/address';
import { initialScanState } from '../../../networks/finality';
import type { AccountPlan, AccountSchedulerState } from '../../../scheduler/account';
import {
  acceptFinalBlocks,
  applySeraiBlock,
  emptyCore,
  heldOutputIds,
  plansWithBranches,
  schedulerSummary,
  withKey,
  type FinalBlock,
  type SeraiBlockMessage,
} from '../../../workflows/scanner-state';

const ROUTER = 'aa'.repeat(20);
const SCRIPTS = { external: ROUTER, branch: ROUTER, change: ROUTER, forward: ROUTER };
const depositor = 'bb'.repeat(20);
const txid = (n: number) => n.toString(16).padStart(64, 'c');
const hash = (n: number) => n.toString(16).padStart(64, '0');

function keyed() {
  return withKey(emptyCore('ethereum'), { session: 0, activeFrom: 1000, networkKey: `02${'11'.repeat(32)}`, scripts: SCRIPTS }, initialScanState({ confirmations: 1, startHeight: 10 }));
}

function block(height: number, deposits: { n: number; coin: 'ether' | 'dai'; amount: string; refund?: boolean }[]): FinalBlock {
  const outcome = (d: (typeof deposits)[number]): DepositOutcome => {
    const output = `${txid(d.n)}:${d.n}`;
    return d.refund
      ? { kind: 'refund', output, invalid: { reason: 'no-data' }, refund: { address: depositor, amount: d.amount } }
      : { kind: 'instruction', output, instruction: { instruction: { kind: 'Transfer', address: 'ee'.repeat(32) }, balance: { coin: d.coin, amount: d.amount } }, refundTo: depositor };
  };
  return {
    block: { height, hash: hash(height), time: 1000 + height },
    outputs: deposits.map((d) => ({ txid: txid(d.n), vout: d.n, kind: 'external', amount: d.amount, coin: d.coin })),
    deposits: deposits.map(outcome),
  };
}

const serai = (number: number, batches: number[], burns: SeraiBlockMessage['burns']): SeraiBlockMessage => ({
  kind: 'substrate.SubstrateBlock',
  context: { serai_time: '2000', network_latest_finalized_block: hash(0) },
  block: String(number),
  batches,
  burns,
});
const burn = (to: string, coin: 'ether' | 'dai' | 'bitcoin', amount: string) => ({ instruction: { address: bytesToHex(encodeEthereumAddress(to)), data: null }, balance: { coin, amount } });

test('deposits of two coins, a refund and burns become the key confirmation and one batch per coin, at consecutive nonces', () => {
  const accepted = acceptFinalBlocks(keyed(), [
    block(10, []),
    block(11, [
      { n: 1, coin: 'ether', amount: '150000000' },
      { n: 2, coin: 'dai', amount: '4000000000' },
      { n: 3, coin: 'dai', amount: '600000000', refund: true },
    ]),
  ]);
  expect(accepted.batches.map((b) => b.instructions.map((i) => i.balance))).toEqual([
    [],
    [
      { coin: 'ether', amount: '150000000' },
      { coin: 'dai', amount: '4000000000' },
    ],
  ]);
  const payee = 'dd'.repeat(20);
  const { core, result } = applySeraiBlock(
    accepted.core,
    serai(1, [0, 1], [burn(payee, 'ether', '50000000'), burn(payee, 'dai', '1000000000'), burn(payee, 'bitcoin', '5'), burn(ROUTER, 'ether', '7')]),
    1_000_000_000,
  );
  expect(result.unpayable).toEqual([
    { index: 2, address: bytesToHex(encodeEthereumAddress(payee)), amount: '5', reason: "coin bitcoin is not ethereum's" },
    { index: 3, address: bytesToHex(encodeEthereumAddress(ROUTER)), amount: '7', reason: 'payment.address: pays one of our own addresses' },
  ]);
  const plans = result.plans as AccountPlan[];
  expect(plans.map((p) => [p.nonce, p.action.kind, p.action.kind === 'execute' ? p.action.coin : null])).toEqual([
    [1, 'confirm-key', null],
    [2, 'execute', 'ether'],
    [3, 'execute', 'dai'],
  ]);
  // The DAI batch pays the burn and the refund; each batch takes exactly what its payments asked for.
  const dai = plans[2]!.action;
  if (dai.kind !== 'execute') throw new Error('expected a batch');
  expect(dai.outs.map((o) => o.address)).toEqual([depositor, payee]);
  expect(BigInt(dai.fee) + dai.outs.reduce((t, o) => t + BigInt(o.amount), 0n)).toBe(600_000_000n + 1_000_000_000n);
  const scheduler = core.scheduler as AccountSchedulerState;
  expect(scheduler.balances.map((b) => [b.coin, b.balance])).toEqual([
    ['ether', String(150_000_000 - 50_000_000)],
    ['dai', String(4_000_000_000 + 600_000_000 - 600_000_000 - 1_000_000_000)],
  ]);
  expect(plansWithBranches(result)).toBe(false);
  expect(heldOutputIds(core)).toEqual([]);
  expect(schedulerSummary(core)).toEqual({ outputs: 0, queuedPayments: 0 });
  // The books count every coin of the network.
  expect(core.books).toEqual({ minted: { ether: '150000000', dai: '4000000000' }, burned: { ether: '50000007', dai: '1000000000' } });

  // The next Serai block's burns take the next nonce: none is skipped or reused.
  const next = applySeraiBlock(core, serai(2, [], [burn(payee, 'ether', '20000000')]), 1_000_000_000);
  expect((next.result.plans as AccountPlan[]).map((p) => p.nonce)).toEqual([4]);
});

test('an output with no coin on an account chain is refused as the Serai block is applied, never guessed', () => {
  const accepted = acceptFinalBlocks(keyed(), [block(10, [])]);
  const noCoin = { ...block(11, [{ n: 1, coin: 'ether', amount: '150000000' }]) };
  noCoin.outputs = noCoin.outputs.map(({ coin: _, ...rest }) => rest);
  const withDeposit = acceptFinalBlocks(accepted.core, [noCoin]);
  expect(() => applySeraiBlock(withDeposit.core, serai(1, [0, 1], []), 1)).toThrow(/names no coin/);
});
