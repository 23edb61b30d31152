/**
 * A rotation through the pure scanner core, on Bitcoin's rules (two keys, each with its own
 * scripts) and on Ethereum's (one contract): the later key's activation C blocks past its queue
 * block, routing by the stage at each block's height, the schedulers moved at acknowledged heights
 * (change to the successor, the handover with its sweep or `updateSeraiKey`), forwards credited
 * once at the successor by outpoint, burns to the stage's payer, the closing heartbeat and cap,
 * and the retirement with the Batch session switch at a block no validator has scanned.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import type { InInstructionWithBalance } from '../../../messages/instructions';
import { encodeAddress } from '../../../networks/bitcoin/instructions';
import type { DepositOutcome } from '../../../networks/deposits';
import { encodeEthereumAddress } from '../../../networks/ethereum/address';
import { initialScanState } from '../../../networks/finality';
import type { AccountPlan, AccountSchedulerState } from '../../../scheduler/account';
import type { Plan, SchedulerState } from '../../../scheduler/types';
import {
  activateQueued,
  batchSessionAt,
  holdsSession,
  isRotationMilestone,
  keyOfSession,
  plansToSign,
  queueKey,
  queueProblem,
  routeOutput,
  stageAt,
  type QueuedKey,
} from '../../../workflows/scanner-rotation';
import {
  acceptFinalBlocks,
  applySeraiBlock,
  emptyCore,
  expectPlanOutputs,
  needsPlanTxids,
  outpointHex,
  scanCap,
  withKey,
  type FinalBlock,
  type ScannerCore,
  type SeraiBlockMessage,
} from '../../../workflows/scanner-state';

const C = 3;
const hash = (n: number) => n.toString(16).padStart(64, '0');
const txid = (n: number) => (n + 0x1000).toString(16).padStart(64, 'a');
const account = (n: number) => n.toString(16).padStart(64, '0');
const scriptsOf = (byte: number) => ({
  external: `5120${(byte + 1).toString(16).padStart(2, '0').repeat(32)}`,
  branch: `5120${(byte + 2).toString(16).padStart(2, '0').repeat(32)}`,
  change: `5120${(byte + 3).toString(16).padStart(2, '0').repeat(32)}`,
  forward: `5120${(byte + 4).toString(16).padStart(2, '0').repeat(32)}`,
});
const OLD = scriptsOf(0x10);
const NEW = scriptsOf(0x20);
const networkKey = () => bytesToHex(schnorr.getPublicKey(schnorr.utils.randomSecretKey()));
const utxo = (core: ScannerCore) => core.scheduler as SchedulerState;
const successorUtxo = (core: ScannerCore) => core.successor!.scheduler as SchedulerState;

function transfer(n: number, amount: bigint): InInstructionWithBalance {
  return { instruction: { kind: 'Transfer', address: account(n) }, balance: { coin: 'bitcoin', amount: amount.toString() } };
}

interface Deposit {
  n: number;
  amount: bigint;
  session: number;
  kind?: 'external' | 'change' | 'forward';
  txid?: string;
  vout?: number;
}

/** A final block at `height` (time 1000 + 600 x height, Bitcoin's block time) paying the given sessions' keys; external outputs carry a Transfer credited amount - 1600. */
function block(height: number, outputs: Deposit[] = []): FinalBlock {
  const found = outputs.map((d) => ({ txid: d.txid ?? txid(d.n), vout: d.vout ?? 0, kind: d.kind ?? ('external' as const), amount: d.amount.toString(), session: d.session }));
  const deposits: DepositOutcome[] = outputs
    .filter((d) => (d.kind ?? 'external') === 'external')
    .map((d) => ({ kind: 'instruction', output: `${d.txid ?? txid(d.n)}:${d.vout ?? 0}`, instruction: transfer(d.n, d.amount - 1600n), refundTo: null }));
  return { block: { height, hash: hash(height), time: 1000 + 600 * height }, outputs: found, deposits };
}

function serai(number: number, batches: number[], burns: SeraiBlockMessage['burns'] = []): SeraiBlockMessage {
  return { kind: 'substrate.SubstrateBlock', context: { serai_time: '2000', network_latest_finalized_block: hash(0) }, block: String(number), batches, burns };
}
const btcBurn = (n: number, amount: bigint) => ({
  instruction: { address: bytesToHex(encodeAddress(hexToBytes(`0014${n.toString(16).padStart(40, '5')}`))!), data: null },
  balance: { coin: 'bitcoin' as const, amount: amount.toString() },
});

/** Session 0 active from block 100 (its activation Batch 0), scanned to 101. */
function bitcoinCore(): ScannerCore {
  const core = withKey(emptyCore('bitcoin'), { session: 0, activeFrom: 1100, networkKey: networkKey(), scripts: OLD }, initialScanState({ confirmations: C, startHeight: 100 }));
  const accepted = acceptFinalBlocks({ ...core, scan: { ...core.scan!, nextHeight: 102 } }, [block(100), block(101, [{ n: 1, amount: 5_000_000n, session: 0 }])]);
  expect(accepted.batches.map((b) => b.id)).toEqual([0, 1]);
  return applySeraiBlock(accepted.core, serai(1, [0, 1]), 2).core;
}

// Activated C block times (3 x 600 s) after its confirmation: at block 108 (time 65,800).
const successorKey = (session = 1): QueuedKey => ({ session, activeFrom: 64_000, networkKey: networkKey(), scripts: NEW, timing: { graceSeconds: 0, forwardingSeconds: 0 } });

describe('queueing and activation', () => {
  test('a later session queues once, one rotation at a time, and activates at the first block whose time reaches its confirmation', () => {
    const core = bitcoinCore();
    expect(queueProblem(emptyCore('bitcoin'), successorKey())).toMatchObject({ kind: 'no-key', reason: expect.stringMatching(/no key is active/) });
    expect(queueProblem(core, successorKey(0))).toMatchObject({ kind: 'not-later', reason: expect.stringMatching(/not after session 0/) });
    const queued = queueKey(core, successorKey());
    expect(queueProblem(queued, successorKey(2))).toMatchObject({ kind: 'busy', reason: expect.stringMatching(/one rotation at a time/) });
    expect(() => activateQueued(core, 108)).toThrow(/no key is queued/);

    // Scanned as it comes: block 108 (time 1108) activates it, and is notable (an empty Batch).
    const accepted = acceptFinalBlocks(queued, [block(107), block(108)]);
    expect(accepted.batches.map((b) => [b.id, b.block])).toEqual([[2, hash(108)]]);
    const active = accepted.core;
    expect(active.queuedKey).toBeNull();
    expect(active.successor).toMatchObject({ key: { session: 1, activationHeight: 108 }, stage: 'use-existing', drainedAt: null });
    expect(active.successor!.key).not.toHaveProperty('timing');
    // Grace 0 s, forwarding 0 s: new-as-change at A + C, forwarding C later, closing C after that.
    expect(active.successor!.timeline).toEqual({ activation: 108, newAsChange: 111, forwardFromExisting: 114, closingExisting: 117, confirmations: C });
    expect([107, 108, 111, 114, 117].map((h) => stageAt(active, h))).toEqual([null, 'use-existing', 'new-as-change', 'forward-from-existing', 'closing-existing']);
    // A confirmation that reaches a scanner already past its activation time is refused: its Batches would differ from everyone's.
    const late = acceptFinalBlocks(core, [block(108)]).core;
    expect(queueProblem(late, successorKey())).toEqual({ kind: 'late', reason: expect.stringMatching(/arrived after this scanner passed its activation time \(65800\)/) });
    expect(() => activateQueued(queueKey(core, successorKey()), -1)).toThrow(/expected a block height/);
  });
});

describe('a Bitcoin rotation, block by block', () => {
  test('deposits to either key are credited once, the existing key drains to its successor, and Batches switch session at the retirement block', () => {
    let core = activateQueued(queueKey(bitcoinCore(), successorKey()), 108);
    const existingKey = core.key!.networkKey;

    // Blocks 102..113: a deposit to the new key in use-existing (credited at once), one to the old key in new-as-change.
    let accepted = acceptFinalBlocks(core, [block(109, [{ n: 2, amount: 3_000_000n, session: 1 }]), block(112, [{ n: 3, amount: 2_000_000n, session: 0 }])]);
    expect(accepted.batches.map((b) => [b.id, b.instructions.map((i) => i.balance.amount)])).toEqual([
      [2, ['2998400']],
      [3, ['1998400']],
    ]);
    expect(accepted.core.pending.map((p) => [p.height, p.outputs.length, p.successorOutputs?.length ?? 0])).toEqual([
      [109, 0, 1],
      [112, 1, 0],
    ]);
    // Serai includes both with a burn: the old key still pays, its change now goes to the new key.
    let applied = applySeraiBlock(accepted.core, serai(2, [2, 3], [btcBurn(1, 1_000_000n)]), 2);
    core = applied.core;
    expect(core.successor!.stage).toBe('new-as-change');
    expect(utxo(core).changeTo).toBe(NEW.change);
    expect(successorUtxo(core).outputs.map((o) => o.amount)).toEqual(['3000000']);
    expect(applied.result.unpayable).toEqual([]);
    expect(applied.result.planSessions).toEqual([0]);
    const payout = applied.result.plans[0] as Plan;
    expect(payout).toMatchObject({ kind: 'payments', changeTo: NEW.change });

    // Block 115, forwarding: a deposit to the old key is forwarded (its block is notable, its Batch empty).
    accepted = acceptFinalBlocks(core, [block(115, [{ n: 4, amount: 4_000_000n, session: 0 }])]);
    expect(accepted.batches.map((b) => [b.id, b.instructions.length])).toEqual([[4, 0]]);
    expect(accepted.core.pending.at(-1)!.forwards!.map((f) => f.output.id)).toEqual([outpointHex(txid(4), 0)]);
    applied = applySeraiBlock(accepted.core, serai(3, [4], [btcBurn(2, 500_000n)]), 2);
    core = applied.core;
    const plans = applied.result.plans as Plan[];
    // The handover's sweep and the forward are the old key's; the burn is now the new key's to pay.
    expect(plans.map((p, i) => [p.kind, applied.result.planSessions![i]])).toEqual([
      ['sweep', 0],
      ['forward', 0],
      ['payments', 1],
    ]);
    expect(plans[0]!.changeTo).toBe(NEW.change);
    expect(plans[1]!.changeTo).toBe(NEW.forward);
    expect(core.successor!.stage).toBe('forward-from-existing');
    expect(utxo(core)).toMatchObject({ retiring: true, outputs: [], payments: [] });
    expect(needsPlanTxids(core, applied.result)).toBe(true);
    const forwardTxid = txid(900);
    core = expectPlanOutputs(core, [{ plan: plans[1]!, txid: forwardTxid }]);
    expect(Object.keys(core.forwards!)).toEqual([outpointHex(forwardTxid, 0)]);
    expect(core.forwarding).toEqual({});

    // Block 117 (closing): the forward and the sweep reach the new key; the forward is credited once, at what arrived less the deposit fee.
    const forwarded = BigInt(plans[1]!.change!);
    const swept = BigInt(plans[0]!.change!);
    accepted = acceptFinalBlocks(core, [
      block(117, [
        { n: 5, amount: forwarded, session: 1, kind: 'forward', txid: forwardTxid, vout: 0 },
        { n: 6, amount: swept, session: 1, kind: 'change', txid: txid(901), vout: 0 },
      ]),
    ]);
    expect(accepted.batches.map((b) => [b.id, b.instructions])).toEqual([[5, [transfer(4, forwarded - 1600n)]]]);
    expect(accepted.core.forwards).toEqual({});
    // The same forward again (a second output at that outpoint cannot exist, a replayed one is not credited).
    expect(acceptFinalBlocks(accepted.core, [block(118, [{ n: 5, amount: forwarded, session: 1, kind: 'forward', txid: forwardTxid, vout: 0 }])]).batches[0]!.instructions).toEqual([]);

    // The first blocks of new-as-change and forwarding are notable, and in closing every C-th block; the scanner reads no further than C past the last acknowledged block.
    expect([110, 111, 112, 114, 116, 117, 118, 120, 123].map((h) => isRotationMilestone(accepted.core, h))).toEqual([false, true, false, true, false, true, false, true, true]);
    applied = applySeraiBlock(accepted.core, serai(4, [5]), 2);
    core = applied.core;
    expect(core.successor!.stage).toBe('closing-existing');
    // Drained at 117: Batches of blocks from 117 + C + 1 on are the new session's; the old key retires once that block is acknowledged.
    expect(core.successor!.drainedAt).toBe(117);
    expect(core.batchSessions).toEqual([{ fromHeight: 121, session: 1 }]);
    expect([116, 120, 121].map((h) => batchSessionAt(core, h))).toEqual([0, 0, 1]);
    expect(scanCap(core)).toBe(120);
    expect(core.key!.networkKey).toBe(existingKey);
    // A deposit to the old key from the retirement block on is reported, not credited.
    expect(routeOutput(core, 121, { kind: 'external', session: 0 })).toMatchObject({ to: 'ignore' });

    accepted = acceptFinalBlocks(core, [block(120), block(121)]);
    expect(accepted.batches.map((b) => b.id)).toEqual([6]);
    applied = applySeraiBlock(accepted.core, serai(5, [6]), 2);
    expect(applied.core.key!.session).toBe(0);
    accepted = acceptFinalBlocks(applied.core, [block(123), block(124, [{ n: 7, amount: 1_000_000n, session: 1 }])]);
    applied = applySeraiBlock(accepted.core, serai(6, accepted.batches.map((b) => b.id)), 2);
    core = applied.core;
    expect(core.successor).toBeNull();
    expect(core.key).toMatchObject({ session: 1, scripts: NEW });
    expect(core.retiredSessions).toEqual([0]);
    expect([116, 121, 130].map((h) => batchSessionAt(core, h))).toEqual([0, 1, 1]);
    // The new key holds its deposits, the sweep and the forward, and pays the queue it took over.
    expect(utxo(core).outputs.map((o) => o.amount).sort()).toEqual(['1000000', forwarded.toString(), swept.toString()].sort());
    expect(scanCap(core)).toBeUndefined();
  });
});

describe('a validator leaving the set (it holds no share of the new key)', () => {
  test('follows the successor as every other validator does: the same decisions, its own plans and Batches only those of the key it holds', () => {
    const successor = successorKey();
    const existing = bitcoinCore();
    const run = (key: QueuedKey) => {
      let core = activateQueued(queueKey(existing, key), 108);
      let accepted = acceptFinalBlocks(core, [block(109, [{ n: 2, amount: 3_000_000n, session: 1 }]), block(112, [{ n: 3, amount: 2_000_000n, session: 0 }])]);
      core = applySeraiBlock(accepted.core, serai(2, [2, 3], [btcBurn(1, 1_000_000n)]), 2).core;
      accepted = acceptFinalBlocks(core, [block(115, [{ n: 4, amount: 4_000_000n, session: 0 }])]);
      return { batches: accepted.batches, applied: applySeraiBlock(accepted.core, serai(3, [4], [btcBurn(2, 500_000n)]), 2) };
    };
    const held = run(successor);
    const observed = run({ ...successor, held: false });
    expect(observed.applied.core.successor!.key.held).toBe(false);
    expect(keyOfSession(observed.applied.core, 1)).toMatchObject({ session: 1, networkKey: successor.networkKey, held: false });
    expect([0, 1].map((session) => holdsSession(observed.applied.core, session))).toEqual([true, false]);
    expect([0, 1].map((session) => holdsSession(held.applied.core, session))).toEqual([true, true]);

    // The same Batches and plans as a validator of the new set: the sweep and the forward to the new key's scripts, the burn now the new key's.
    expect(observed.batches).toEqual(held.batches);
    expect(observed.applied.result).toEqual(held.applied.result);
    expect(observed.applied.result.planSessions).toEqual([0, 0, 1]);
    // It signs only the old key's plans; a validator of the new set signs them all.
    const signed = plansToSign(observed.applied.core, observed.applied.result);
    expect(signed.plans).toEqual(observed.applied.result.plans.slice(0, 2));
    expect(signed.planSessions).toEqual([0, 0]);
    expect(plansToSign(held.applied.core, held.applied.result)).toBe(held.applied.result);
  });
});

describe('a forward that confirms after the old key retired', () => {
  /** The rotation of the test above up to the forward's signing: the forward plan made, its outpoint known. */
  function forwardSigned(): { core: ScannerCore; forward: Plan; sweep: Plan; forwardTxid: string } {
    let core = activateQueued(queueKey(bitcoinCore(), successorKey()), 108);
    let accepted = acceptFinalBlocks(core, [block(112)]);
    core = applySeraiBlock(accepted.core, serai(2, accepted.batches.map((b) => b.id)), 2).core;
    accepted = acceptFinalBlocks(core, [block(115, [{ n: 4, amount: 4_000_000n, session: 0 }])]);
    const applied = applySeraiBlock(accepted.core, serai(3, accepted.batches.map((b) => b.id)), 2);
    const plans = applied.result.plans as Plan[];
    const [sweep, forward] = [plans.find((p) => p.kind === 'sweep')!, plans.find((p) => p.kind === 'forward')!];
    const forwardTxid = txid(900);
    return { core: expectPlanOutputs(applied.core, [{ plan: forward, txid: forwardTxid }]), forward, sweep, forwardTxid };
  }

  /** On to the retirement with the sweep arrived and the forward still in flight. */
  /** The blocks taken, their Batches included by Serai block `number`. */
  const acknowledged = (core: ScannerCore, blocks: FinalBlock[], number: number) => {
    const accepted = acceptFinalBlocks(core, blocks);
    return applySeraiBlock(accepted.core, serai(number, accepted.batches.map((b) => b.id)), 2).core;
  };
  /** The sweep arrives in block 117: the old key is found drained there and retires at 121. */
  const drained = (signed: ReturnType<typeof forwardSigned>) =>
    acknowledged(signed.core, [block(117, [{ n: 6, amount: BigInt(signed.sweep.change!), session: 1, kind: 'change', txid: txid(901), vout: 0 }])], 4);
  /** On past the retirement block (121) to the old key's retirement. */
  const retired = (core: ScannerCore, firstSeraiBlock: number) => acknowledged(acknowledged(core, [block(120), block(121)], firstSeraiBlock), [block(123), block(124)], firstSeraiBlock + 1);

  function retiredBeforeTheForward(): { core: ScannerCore; forward: Plan; forwardTxid: string } {
    const signed = forwardSigned();
    const core = retired(drained(signed), 5);
    expect(core.successor).toBeNull();
    expect(core.retiredSessions).toEqual([0]);
    expect(Object.keys(core.forwards!)).toEqual([outpointHex(signed.forwardTxid, 0)]);
    return { core, forward: signed.forward, forwardTxid: signed.forwardTxid };
  }

  test('is credited once, at what arrived less the deposit fee, when the scanner credits late forwards', () => {
    const { core, forward, forwardTxid } = retiredBeforeTheForward();
    const arrived = BigInt(forward.change!);
    const output = { n: 5, amount: arrived, session: 1, kind: 'forward' as const, txid: forwardTxid, vout: 0 };
    const accepted = acceptFinalBlocks(core, [block(126, [output])], { forwardsAfterRetirement: true });
    expect(accepted.batches.map((b) => b.instructions)).toEqual([[transfer(4, arrived - 1600n)]]);
    expect(accepted.core.forwards).toEqual({});
    expect(accepted.core.pending.at(-1)!.outputs.map((o) => o.id)).toEqual([outpointHex(forwardTxid, 0)]);
    // Once: the same outpoint again is no credit.
    expect(acceptFinalBlocks(accepted.core, [block(127, [output])], { forwardsAfterRetirement: true }).batches[0]!.instructions).toEqual([]);
  });

  test('histories from before held it as an output without a credit (kept for their replay)', () => {
    const { core, forward, forwardTxid } = retiredBeforeTheForward();
    const accepted = acceptFinalBlocks(core, [block(126, [{ n: 5, amount: BigInt(forward.change!), session: 1, kind: 'forward', txid: forwardTxid, vout: 0 }])]);
    expect(accepted.batches.map((b) => b.instructions)).toEqual([[]]);
    expect(Object.keys(accepted.core.forwards!)).toEqual([outpointHex(forwardTxid, 0)]);
  });

  test('a deposit to the old key after it was found drained, before its retirement block, is forwarded by the retiring key and credited once after the retirement', () => {
    const signed = forwardSigned();
    let core = drained(signed);
    expect(core.successor!.drainedAt).toBe(117);
    expect(core.batchSessions).toEqual([{ fromHeight: 121, session: 1 }]);

    // Block 119: a deposit to the old key after "drained" was decided: forwarded, not credited yet.
    let accepted = acceptFinalBlocks(core, [block(119, [{ n: 8, amount: 5_000_000n, session: 0 }])]);
    expect(accepted.batches.map((b) => b.instructions)).toEqual([[]]);
    const applied = applySeraiBlock(accepted.core, serai(5, accepted.batches.map((b) => b.id)), 2);
    const plans = applied.result.plans as Plan[];
    const forward = plans.find((p) => p.kind === 'forward')!;
    expect(forward).toMatchObject({ changeTo: NEW.forward });
    expect(applied.result.planSessions![plans.indexOf(forward)]).toBe(0);
    core = expectPlanOutputs(applied.core, [{ plan: forward, txid: txid(902) }]);

    // The old key retires at its block with this forward still in flight (the retiring key signs it).
    core = retired(core, 6);
    expect(core.successor).toBeNull();
    expect(core.retiredSessions).toEqual([0]);
    expect(Object.keys(core.forwards!).sort()).toEqual([outpointHex(signed.forwardTxid, 0), outpointHex(txid(902), 0)].sort());

    // It confirms: the deposit is credited once, at what arrived less the deposit fee.
    const arrived = BigInt(forward.change!);
    const output = { n: 9, amount: arrived, session: 1, kind: 'forward' as const, txid: txid(902), vout: 0 };
    accepted = acceptFinalBlocks(core, [block(126, [output])], { forwardsAfterRetirement: true });
    expect(accepted.batches.map((b) => b.instructions)).toEqual([[transfer(8, arrived - 1600n)]]);
    expect(acceptFinalBlocks(accepted.core, [block(127, [output])], { forwardsAfterRetirement: true }).batches[0]!.instructions).toEqual([]);
  });
});

describe('an Ethereum rotation', () => {
  const ROUTER = 'aa'.repeat(20);
  const ROUTER_SCRIPTS = { external: ROUTER, branch: ROUTER, change: ROUTER, forward: ROUTER };
  const txidE = (n: number) => n.toString(16).padStart(64, 'c');
  const ethBlock = (height: number, deposits: { n: number; amount: string }[] = []): FinalBlock => ({
    block: { height, hash: hash(height), time: 1000 + height },
    outputs: deposits.map((d) => ({ txid: txidE(d.n), vout: d.n, kind: 'external', amount: d.amount, coin: 'ether' })),
    deposits: deposits.map((d) => ({
      kind: 'instruction',
      output: `${txidE(d.n)}:${d.n}`,
      instruction: { instruction: { kind: 'Transfer', address: 'ee'.repeat(32) }, balance: { coin: 'ether', amount: d.amount } },
      refundTo: null,
    })),
  });
  const ethBurn = (amount: string) => ({ instruction: { address: bytesToHex(encodeEthereumAddress('bb'.repeat(20))), data: null }, balance: { coin: 'ether' as const, amount } });

  test('the old key names the new one at its next nonce, the new one confirms at the one after and pays from then on, and the old key retires', () => {
    let core = withKey(emptyCore('ethereum'), { session: 0, activeFrom: 1000, networkKey: `02${'11'.repeat(32)}`, scripts: ROUTER_SCRIPTS }, initialScanState({ confirmations: 1, startHeight: 10 }));
    let accepted = acceptFinalBlocks(core, [ethBlock(10), ethBlock(11, [{ n: 1, amount: '100000000' }])]);
    let applied = applySeraiBlock(accepted.core, serai(1, [0, 1]), 1);
    expect((applied.result.plans as AccountPlan[]).map((p) => [p.nonce, p.action.kind])).toEqual([[1, 'confirm-key']]);
    core = queueKey(applied.core, { session: 1, activeFrom: 1001, networkKey: `02${'22'.repeat(32)}`, scripts: ROUTER_SCRIPTS, timing: { graceSeconds: 12, forwardingSeconds: 12 } });
    // Ethereum: 12 s blocks; grace and forwarding of 12 s each: new-as-change at A + 1 + 1, forwarding 1 later, closing 1 after.
    accepted = acceptFinalBlocks(core, [ethBlock(12), ethBlock(13)]);
    expect(accepted.batches.map((b) => b.block)).toEqual([hash(13)]);
    applied = applySeraiBlock(accepted.core, serai(2, accepted.batches.map((b) => b.id)), 1);
    core = applied.core;
    expect(core.successor!.timeline).toMatchObject({ activation: 13, newAsChange: 15, forwardFromExisting: 16, closingExisting: 17 });
    expect(core.successor!.scheduler).toBeNull();
    // Deposits to the one contract are credited whatever the stage.
    expect(routeOutput(core, 16, { kind: 'external' })).toEqual({ to: 'existing', credit: true });

    accepted = acceptFinalBlocks(core, [ethBlock(14, [{ n: 2, amount: '50000000' }]), ethBlock(16, [{ n: 3, amount: '20000000' }])]);
    applied = applySeraiBlock(accepted.core, serai(3, accepted.batches.map((b) => b.id), [ethBurn('30000000')]), 1);
    core = applied.core;
    const plans = applied.result.plans as AccountPlan[];
    // Block 14's credit went to the old key before the handover at block 16; block 16's to the new one; the burn is the new key's.
    expect(plans.map((p, i) => [p.key, p.nonce, p.action.kind, applied.result.planSessions![i]])).toEqual([
      [`02${'11'.repeat(32)}`, 2, 'set-next-key', 0],
      [`02${'22'.repeat(32)}`, 3, 'confirm-key', 1],
      [`02${'22'.repeat(32)}`, 4, 'execute', 1],
    ]);
    expect(plans[0]!.action).toEqual({ kind: 'set-next-key', nextKey: '22'.repeat(32) });
    const old = core.scheduler as AccountSchedulerState;
    expect(old.retiredTo).toBe('22'.repeat(32));
    const successor = core.successor!.scheduler as AccountSchedulerState;
    const paid = plans[2]!.action.kind === 'execute' ? plans[2]!.action.outs.reduce((t, o) => t + BigInt(o.amount), 0n) + BigInt(plans[2]!.action.fee) : 0n;
    expect(BigInt(successor.balances.find((b) => b.coin === 'ether')!.balance) + paid).toBe(170_000_000n);

    // Closing from block 17 (with C = 1, every block of it is a heartbeat): the old key holds nothing;
    // found drained at 17, it retires once 17 + C + 1 is acknowledged, and Batches from there are the new session's.
    accepted = acceptFinalBlocks(core, [ethBlock(17)]);
    applied = applySeraiBlock(accepted.core, serai(4, accepted.batches.map((b) => b.id)), 1);
    expect(applied.core.successor!.drainedAt).toBe(17);
    expect(applied.core.batchSessions).toEqual([{ fromHeight: 19, session: 1 }]);
    accepted = acceptFinalBlocks(applied.core, [ethBlock(18), ethBlock(19, [{ n: 4, amount: '10000000' }])]);
    expect(accepted.batches.map((b) => b.id)).toEqual([6, 7]);
    applied = applySeraiBlock(accepted.core, serai(5, accepted.batches.map((b) => b.id)), 1);
    expect(applied.core.successor).toBeNull();
    expect(applied.core.key!.session).toBe(1);
    expect(applied.core.retiredSessions).toEqual([0]);
    expect(batchSessionAt(applied.core, 18)).toBe(0);
    expect(batchSessionAt(applied.core, 19)).toBe(1);
  });

  test("the old key names the new key's Router px as the adapter reported it (the group key offset to the key rule), not the network key's x", () => {
    let core = withKey(emptyCore('ethereum'), { session: 0, activeFrom: 1000, networkKey: `02${'11'.repeat(32)}`, scripts: ROUTER_SCRIPTS, contractKey: '11'.repeat(32) }, initialScanState({ confirmations: 1, startHeight: 10 }));
    let accepted = acceptFinalBlocks(core, [ethBlock(10), ethBlock(11, [{ n: 1, amount: '100000000' }])]);
    let applied = applySeraiBlock(accepted.core, serai(1, [0, 1]), 1);
    // The successor's group key has an odd y: the Router holds the offset key's px, which the adapter reports.
    core = queueKey(applied.core, { session: 1, activeFrom: 1001, networkKey: `03${'22'.repeat(32)}`, contractKey: '33'.repeat(32), scripts: ROUTER_SCRIPTS, timing: { graceSeconds: 12, forwardingSeconds: 12 } });
    accepted = acceptFinalBlocks(core, [ethBlock(12), ethBlock(13)]);
    applied = applySeraiBlock(accepted.core, serai(2, accepted.batches.map((b) => b.id)), 1);
    accepted = acceptFinalBlocks(applied.core, [ethBlock(14), ethBlock(15), ethBlock(16)]);
    applied = applySeraiBlock(accepted.core, serai(3, accepted.batches.map((b) => b.id)), 1);
    const handover = (applied.result.plans as AccountPlan[]).find((p) => p.action.kind === 'set-next-key');
    expect(handover?.action).toEqual({ kind: 'set-next-key', nextKey: '33'.repeat(32) });
    expect((applied.core.scheduler as AccountSchedulerState).retiredTo).toBe('33'.repeat(32));
  });
});
