/**
 * A Bitcoin rotation on a running devnet (`npm start -- --scenario --rotate`): deposit and burn under
 * session 0 -> the same validators' session 1 key -> a deposit to the new key, and one to the old key
 * in each stage of the rotation (use-existing, new-as-change, forward-from-existing, closing-existing),
 * each in a block chosen by the rotation's schedule -> a burn after the handover -> the old key's
 * retirement. Its summary has both sessions' keys (with the scripts each derives), the rotation's
 * schedule, every deposit, payout and handover transaction (the forwards and the sweeps) as raw bytes, each Batch's signed message and signature and the session
 * whose Serai key signed it, so the chain of funds from the old key to the new one can be followed
 * offline, the books at each stage change (devnet/key-books.ts), and the checks the run made. With
 * `killAtStageChanges`, a validator's worker is SIGKILLed as the rotation enters each stage (a
 * different validator each time) and started again.
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { Transaction } from 'bitcoinjs-lib';
import { DEPOSIT_FEE } from '../networks/bitcoin/instructions';
import { scriptsOfNetworkKey } from '../networks/bitcoin/keys';
import { chainRules } from '../networks/rules';
import { rotationStage, rotationTimeline, type RotationTimeline } from '../scheduler/rotation';
import type { OutputKind } from '../networks/network';
import type { ScannerStatus } from '../workflows/scanner-defs';
import { Devnet, type DevnetKeys } from './devnet';
import { booksAt, ChainHistory, type BookBurn, type BookDeposit, type BooksSnapshot, type KeyScript } from './key-books';
import { paymentsTo } from './payments';
import { batchesBySession, batchesSwitchOnce, everyScanner as everyScannerOf, oneAtATime, watchRotation, type SessionBatch, type StageKill } from './rotation-watch';
import { addressToScript, formatBtc, scriptToAddress } from './wallet';

export interface RotationScenarioSummary {
  ok: boolean;
  checks: {
    /** Every deposit minted exactly once, its amount less the deposit fee (a forwarded one: what its forward carried to the new key, less the fee). */
    creditedOnce: boolean;
    /** Each deposit to the old key in forwarding or closing moved whole, less its fee, to the new key's Forward script by a transaction of its own; no other deposit was forwarded. */
    forwardedToNewKey: boolean;
    /** Each payee paid by exactly one transaction; the first from the old key's outputs only, the second from the new key's only. */
    paidOnceByTheRightKey: boolean;
    /** Every scanner retired session 0 and scans the new key only. */
    retired: boolean;
    /** Every output the old key ever had is spent, its last ones swept to the new key. */
    oldKeyEmpty: boolean;
    /** At every stage change, the books balance and the keys' holdings cover Serai's supply, what is owed and what is in transit. */
    booksBalance: boolean;
    /** Batch ids 0, 1, ...; session 0's Serai key signed those up to one external block, session 1's the rest. */
    batchesSwitchOnce: boolean;
  };
  keys: { session: number; networkKey: string; seraiKey: string; activationHeight: number; scripts: Record<OutputKind, string> }[];
  /** The first block of each stage of session 1's rotation. */
  timeline: RotationTimeline;
  /** Each deposit with the stage of its block, the session whose key it paid, what it minted (counting what its holder burned since) and its forward, if it was forwarded. */
  deposits: { stage: string; session: number; holder: string; txid: string; vout: number; height: number; amount: string; minted: string; forwardedBy: string | null; hex: string }[];
  payouts: { stage: string; address: string; txid: string; spendsSessions: number[]; hex: string }[];
  handover: { kind: 'forward' | 'sweep'; txid: string; hex: string }[];
  batches: SessionBatch[];
  /** The books before the rotation, as the rotation entered each stage, and at the end. */
  books: BooksSnapshot[];
  /** The validators SIGKILLed (with `killAtStageChanges`): as the rotation entered `stage`, at chain height `height`, with their own scanner at `itsStage`. */
  kills: StageKill[];
  /** The old key's outputs still unspent at the end (empty when `oldKeyEmpty`). */
  oldKeyUnspent: string[];
  totalMs: number;
}

export interface RotationScenarioOptions {
  /** SIGKILL a validator's worker as the rotation enters each stage, and start it again. */
  killAtStageChanges?: boolean;
}


const randomAddress = () => scriptToAddress(`5120${bytesToHex(schnorr.getPublicKey(schnorr.utils.randomSecretKey()))}`);
const account = () => bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
const inputOutpoint = (input: Transaction['ins'][number]) => ({ txid: bytesToHex(Uint8Array.from(input.hash).reverse()), vout: input.index });

export async function runRotationScenario(devnet: Devnet, log: (line: string) => void = () => undefined, options: RotationScenarioOptions = {}): Promise<RotationScenarioSummary> {
  const started = Date.now();
  const { btcd, net } = devnet;
  const rpc = btcd.rpc;
  const C = devnet.options.processorSettings?.scanner.confirmations ?? 3;
  const minted = async (holder: string) => BigInt((await net.seraiStatus()).balances[holder]?.bitcoin ?? '0');
  const heightOf = async (txid: string) =>
    devnet.waitFor(`${txid} mined`, async () => {
      const tx = await rpc.getRawTransaction(txid).catch(() => undefined);
      return tx?.blockhash ? (await rpc.getBlockHeader(tx.blockhash)).height : undefined;
    });
  const everyScanner = (what: string, check: (status: ScannerStatus) => boolean) => everyScannerOf(devnet, 'bitcoin', what, check, log);
  const paidOnce = async (address: string, fromHeight: number) => {
    const found = await devnet.waitFor(`the payment to ${address} confirmed`, async () => {
      const payments = await paymentsTo(rpc, addressToScript(address), fromHeight);
      return payments.length > 0 && payments.every((p) => p.where !== 'mempool') ? payments : undefined;
    });
    return Transaction.fromHex(await rpc.getRawTransactionHex(found[0]!.txid));
  };
  const spentScripts = (tx: Transaction) =>
    Promise.all(tx.ins.map(async (input) => bytesToHex(Transaction.fromHex(await rpc.getRawTransactionHex(inputOutpoint(input).txid)).outs[input.index]!.script)));

  const first = await devnet.generateKeys();
  const keySets = new Map<number, DevnetKeys>([[0, first]]);
  const scriptsOf = (keys: DevnetKeys) => scriptsOfNetworkKey(keys.keygen.keyPair.networkKey);
  const sessionOfScript = (script: string) => [...keySets.values()].find((keys) => Object.values(scriptsOf(keys)).includes(script))?.session ?? -1;
  const keyScripts = () => {
    const scripts = new Map<string, KeyScript>();
    for (const keys of keySets.values()) for (const [kind, script] of Object.entries(scriptsOf(keys))) scripts.set(script, { session: keys.session, kind: kind as OutputKind });
    return scripts;
  };
  const deposits: RotationScenarioSummary['deposits'] = [];
  const payouts: RotationScenarioSummary['payouts'] = [];

  // The books: taken between the scenario's own steps (a deposit is recorded with its block, a burn
  // with its Serai block, before the next books), Serai read before the chain's height.
  const chain = new ChainHistory(rpc, first.activationHeight);
  const bookDeposits: BookDeposit[] = [];
  const bookBurns: BookBurn[] = [];
  const books: BooksSnapshot[] = [];
  const exclusive = oneAtATime();
  const takeBooks = (stage: string) =>
    exclusive(async () => {
      const status = await net.seraiStatus();
      const height = await rpc.getBlockCount();
      await chain.syncTo(height);
      const balances = Object.fromEntries(Object.entries(status.balances).map(([holder, coins]) => [holder, BigInt(coins.bitcoin ?? '0')]));
      const serai = { height: status.height, minted: BigInt(status.coins.bitcoin.minted), burned: BigInt(status.coins.bitcoin.burned), balances };
      const snapshot = booksAt(stage, chain.keysAt(height, keyScripts()), serai, bookDeposits, bookBurns, DEPOSIT_FEE);
      books.push(snapshot);
      log(`books at ${stage} (block ${height}): holdings ${Object.entries(snapshot.holdings).map(([s, v]) => `session ${s} ${formatBtc(BigInt(v))}`).join(', ')} BTC; supply ${formatBtc(BigInt(snapshot.supply))}, owed ${formatBtc(BigInt(snapshot.owed))}, in transit ${formatBtc(BigInt(snapshot.inTransit))}; reserve ${snapshot.reserve} sat (by the rules ${snapshot.expectedReserve})${snapshot.balanced && snapshot.solvent ? '' : ' UNBALANCED'}`);
    });
  const burnedBy = (holder: string) => bookBurns.filter((b) => b.holder === holder).reduce((sum, b) => sum + b.amount, 0n);
  const recordDeposit = (stage: string, session: number, holder: string, amount: bigint, sent: { txid: string; vout: number; hex: string }, height: number) => {
    bookDeposits.push({ txid: sent.txid, vout: sent.vout, holder });
    deposits.push({ stage, session, holder, txid: sent.txid, vout: sent.vout, height, amount: amount.toString(), minted: '', forwardedBy: null, hex: sent.hex });
  };
  const burn = (holder: string, amount: bigint, address: string) =>
    exclusive(async () => {
      const burned = await devnet.burn(holder, amount, address);
      bookBurns.push({ holder, amount, script: addressToScript(address), seraiBlock: burned.block });
    });

  // Session 0 serves: a deposit, and a burn it pays.
  const holder1 = account();
  log(`session 0: deposit 0.6 BTC to ${devnet.depositAddress()} for ${holder1} ...`);
  await exclusive(async () => {
    const sent = await devnet.deposit(60_000_000n, holder1);
    recordDeposit('before the rotation', 0, holder1, 60_000_000n, sent, await heightOf(sent.txid));
  });
  await devnet.waitFor('the first deposit credited', async () => ((await minted(holder1)) === 60_000_000n - DEPOSIT_FEE ? true : undefined));
  const payee1 = randomAddress();
  log(`session 0: burn 0.1 sriBTC to ${payee1} ...`);
  await burn(holder1, 10_000_000n, payee1);
  const payout1 = await paidOnce(payee1, first.activationHeight);
  await takeBooks('session 0 alone');

  // Session 1: key generation of the same validators, Serai's confirmation, every scanner's activation;
  // then, as the rotation enters each stage, the books (and with killAtStageChanges a SIGKILL).
  const second = await devnet.rotate('bitcoin');
  keySets.set(1, second);
  const watch = await watchRotation(devnet, 'bitcoin', 0, takeBooks, { killAtStageChanges: options.killAtStageChanges, log, chainHeight: () => rpc.getBlockCount() });
  const { kills } = watch;

  // The deposits of the rotation, each in a block chosen by the rotation's schedule, the chain held
  // still (mined by hand) while they are placed: one to the new key at once, then one to the old
  // key in each stage (the stage of a deposit is its block's).
  const rotation = devnet.options.processorSettings?.scanner.rotation;
  const timeline = rotationTimeline(second.activationHeight, { confirmations: C, blockTimeSeconds: chainRules('bitcoin').blockTimeSeconds, graceSeconds: rotation?.graceSeconds, forwardingSeconds: rotation?.forwardingSeconds });
  const holder2 = account();
  const oldKeyDeposits = [
    { at: timeline.newAsChange - 1, amount: 20_000_000n },
    { at: timeline.newAsChange + 1, amount: 25_000_000n },
    { at: timeline.forwardFromExisting, amount: 40_000_000n },
    { at: timeline.closingExisting + 1, amount: 15_000_000n },
  ].map((d) => ({ ...d, holder: account() }));
  await exclusive(async () => {
    await devnet.miner.pause();
    try {
      const mineTo = async (height: number) => {
        const tip = await rpc.getBlockCount();
        if (tip > height) throw new Error(`block ${height + 1} was to carry a deposit, but the chain is at ${tip} already`);
        if (tip < height) await btcd.mine(height - tip);
      };
      const place = async (to: string, session: number, holder: string, amount: bigint) => {
        const sent = await devnet.wallet.deposit({ to, amount, seraiAddress: holder });
        const [hash] = await btcd.mine(1);
        const height = (await rpc.getBlockHeader(hash!)).height;
        recordDeposit(rotationStage(timeline, height), session, holder, amount, sent, height);
        log(`block ${height} (${rotationStage(timeline, height)}): ${formatBtc(amount)} BTC to session ${session}'s key for ${holder}`);
      };
      await place(second.externalScript, 1, holder2, 30_000_000n);
      for (const { at, amount, holder } of oldKeyDeposits) {
        await mineTo(at - 1);
        await place(first.externalScript, 0, holder, amount);
      }
    } finally {
      devnet.miner.resume();
    }
  });
  await devnet.waitFor('the deposit to the new key credited', async () => ((await minted(holder2)) === 30_000_000n - DEPOSIT_FEE ? true : undefined));

  // After the handover the new key pays; the old key retires once drained.
  await everyScanner('the handover', (s) => ['forward-from-existing', 'closing-existing'].includes(s.rotation?.stage ?? '') || (s.retiredSessions ?? []).includes(0));
  const payee2 = randomAddress();
  const burnHeight = await rpc.getBlockCount();
  log(`after the handover: burn 0.05 sriBTC to ${payee2} ...`);
  await burn(holder2, 5_000_000n, payee2);
  const retired = await everyScanner('the old key to retire', (s) => (s.retiredSessions ?? []).includes(0) && s.session === 1 && !s.rotation);
  log(`session 0 retired at every scanner`);
  await watch.finished();
  const payout2 = await paidOnce(payee2, burnHeight);
  for (const { holder } of oldKeyDeposits) await devnet.waitFor(`the deposit for ${holder} credited`, async () => ((await minted(holder)) > 0n ? true : undefined));
  for (const [stage, address, tx] of [['before the rotation', payee1, payout1], ['after the handover', payee2, payout2]] as const) {
    payouts.push({ stage, address, txid: tx.getId(), spendsSessions: [...new Set((await spentScripts(tx)).map(sessionOfScript))], hex: tx.toHex() });
  }

  // The old key's history: every output it ever had, and the transactions spending them, once all are spent.
  const newScripts = new Set(Object.values(scriptsOf(second)));
  const oldKeyHistory = async () => {
    const tip = await rpc.getBlockCount();
    await chain.syncTo(tip);
    const view = chain.keysAt(tip, keyScripts());
    const outputs = [...view.outputs].filter(([, output]) => output.key.session === 0).map(([outpoint]) => outpoint);
    const spends = view.spends.filter((s) => s.tx.ins.some((input) => outputs.includes(`${inputOutpoint(input).txid}:${input.index}`)));
    return { spends, unspent: outputs.filter((o) => !view.spentBy.has(o)) };
  };
  let history = await oldKeyHistory();
  await devnet
    .waitFor('every output of the old key spent', async () => {
      history = await oldKeyHistory();
      return history.unspent.length === 0 ? true : undefined;
    }, 120_000)
    .catch(() => log(`the old key still has ${history.unspent.length} unspent output(s): ${history.unspent.join(', ')}`));
  const forwards = history.spends.filter((s) => s.forward).map((s) => s.tx);
  const sweeps = history.spends.filter((s) => !s.forward && s.tx.outs.every((out) => newScripts.has(bytesToHex(out.script)))).map((s) => s.tx);
  const forwardOf = (deposit: { txid: string; vout: number }) => forwards.find((tx) => tx.ins.some((input) => inputOutpoint(input).txid === deposit.txid && input.index === deposit.vout));
  await takeBooks('the end');

  // The Batches, each with the session whose Serai key signed it.
  const batches = await batchesBySession(devnet, 'bitcoin', keySets.values(), async (block) => (await rpc.getBlockHeader(block)).height);

  for (const deposit of deposits) {
    deposit.minted = ((await minted(deposit.holder)) + burnedBy(deposit.holder)).toString();
    deposit.forwardedBy = forwardOf(deposit)?.getId() ?? null;
  }
  const forwarding = (stage: string) => stage === 'forward-from-existing' || stage === 'closing-existing';
  const payeeCounts = await Promise.all([payee1, payee2].map(async (address) => (await paymentsTo(rpc, addressToScript(address), first.activationHeight)).length));
  const checks: RotationScenarioSummary['checks'] = {
    creditedOnce: deposits.every((d) => BigInt(d.minted) === (forwardOf(d)?.outs[0]?.value ?? BigInt(d.amount)) - DEPOSIT_FEE),
    forwardedToNewKey:
      forwards.length === deposits.filter((d) => d.session === 0 && forwarding(d.stage)).length &&
      deposits.every((d) => {
        const forward = forwardOf(d);
        if (d.session === 1 || !forwarding(d.stage)) return forward === undefined;
        return forward !== undefined && forward.ins.length === 1 && forward.outs.length === 1 && bytesToHex(forward.outs[0]!.script) === scriptsOf(second).forward && forward.outs[0]!.value < BigInt(d.amount);
      }),
    paidOnceByTheRightKey: payeeCounts.every((n) => n === 1) && payouts[0]!.spendsSessions.join() === '0' && payouts[1]!.spendsSessions.join() === '1',
    retired: retired.every((s) => s.externalScript === second.externalScript),
    oldKeyEmpty: history.unspent.length === 0 && sweeps.length > 0,
    batchesSwitchOnce: batchesSwitchOnce(batches),
    booksBalance: books.every((b) => b.balanced && b.solvent),
  };
  log(`rotation checks: ${Object.entries(checks).map(([name, ok]) => `${name} ${ok ? 'ok' : 'FAILED'}`).join(', ')}; old key's last ${formatBtc(sweeps.reduce((sum, tx) => sum + tx.outs.reduce((s, o) => s + o.value, 0n), 0n))} BTC swept`);
  return {
    ok: Object.values(checks).every(Boolean),
    checks,
    keys: [...keySets.values()].map((keys) => ({
      session: keys.session,
      networkKey: keys.keygen.keyPair.networkKey,
      seraiKey: keys.keygen.keyPair.substrateKey,
      activationHeight: keys.activationHeight,
      scripts: scriptsOf(keys),
    })),
    timeline,
    deposits,
    payouts,
    handover: [...forwards.map((tx) => ({ kind: 'forward' as const, txid: tx.getId(), hex: tx.toHex() })), ...sweeps.map((tx) => ({ kind: 'sweep' as const, txid: tx.getId(), hex: tx.toHex() }))],
    batches,
    books,
    kills,
    oldKeyUnspent: history.unspent,
    totalMs: Date.now() - started,
  };
}
