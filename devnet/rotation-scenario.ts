/**
 * A Bitcoin rotation on a running devnet (`npm start -- --scenario --rotate`): deposit and burn under
 * session 0 -> the same validators' session 1 key -> a deposit to the new key, one to the old key in
 * forwarding's first block -> a burn after the handover -> the old key's retirement. Its summary has
 * both sessions' keys (with the scripts each derives), every deposit, payout and handover transaction
 * (the forward and the sweeps) as raw bytes, each Batch's signed message and signature and the session
 * whose Serai key signed it, so the chain of funds from the old key to the new one can be followed
 * offline, and the checks the run made.
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import { Transaction } from 'bitcoinjs-lib';
import { batchMessage } from '../messages';
import { DEPOSIT_FEE } from '../networks/bitcoin/instructions';
import { scriptsOfNetworkKey } from '../networks/bitcoin/keys';
import type { OutputKind } from '../networks/network';
import type { ScannerStatus } from '../workflows/scanner-defs';
import { coordinatorBatchWorkflowId, type CoordinateBatchResult } from './coordinator/defs';
import { Devnet, type DevnetKeys } from './devnet';
import { paymentsTo } from './payments';
import { addressToScript, formatBtc, scriptToAddress } from './wallet';

/** Forwarding lasts this many blocks on the devnet (its rotation settings: 3,600 s at Bitcoin's 600 s). */
const FORWARDING_BLOCKS = 6;

export interface RotationScenarioSummary {
  ok: boolean;
  checks: {
    /** Every deposit minted exactly its amount less the deposit fee (the forwarded one: what reached the new key), less what its holder burned. */
    creditedOnce: boolean;
    /** The late deposit moved whole, less its fee, to the new key's Forward script, by one transaction. */
    forwardedToNewKey: boolean;
    /** Each payee paid by exactly one transaction; the first from the old key's outputs only, the second from the new key's only. */
    paidOnceByTheRightKey: boolean;
    /** Every scanner retired session 0 and scans the new key only. */
    retired: boolean;
    /** Every output the old key ever had is spent, its last ones swept to the new key. */
    oldKeyEmpty: boolean;
    /** Batch ids 0, 1, ...; session 0's Serai key signed those up to one external block, session 1's the rest. */
    batchesSwitchOnce: boolean;
  };
  keys: { session: number; networkKey: string; seraiKey: string; activationHeight: number; scripts: Record<OutputKind, string> }[];
  deposits: { stage: string; session: number; holder: string; txid: string; vout: number; height: number; amount: string; minted: string; hex: string }[];
  payouts: { stage: string; address: string; txid: string; spendsSessions: number[]; hex: string }[];
  handover: { kind: 'forward' | 'sweep'; txid: string; hex: string }[];
  batches: { id: number; height: number; session: number; message: string; signature: string }[];
  totalMs: number;
}

const randomAddress = () => scriptToAddress(`5120${bytesToHex(schnorr.getPublicKey(schnorr.utils.randomSecretKey()))}`);
const account = () => bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
const inputOutpoint = (input: Transaction['ins'][number]) => ({ txid: bytesToHex(Uint8Array.from(input.hash).reverse()), vout: input.index });

export async function runRotationScenario(devnet: Devnet, log: (line: string) => void = () => undefined): Promise<RotationScenarioSummary> {
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
  const everyScanner = (what: string, check: (status: ScannerStatus) => boolean) =>
    devnet.waitFor(what, async () => {
      const all = await Promise.all(devnet.online.map((name) => devnet.scannerStatus(name)));
      return all.every((s) => s !== undefined && check(s)) ? (all as ScannerStatus[]) : undefined;
    });
  const paidOnce = async (address: string, fromHeight: number) => {
    const found = await devnet.waitFor(`the payment to ${address} confirmed`, async () => {
      const payments = await paymentsTo(rpc, addressToScript(address), fromHeight);
      return payments.length > 0 && payments.every((p) => p.where !== 'mempool') ? payments : undefined;
    });
    return { tx: Transaction.fromHex(await rpc.getRawTransactionHex(found[0]!.txid)), payments: found.length };
  };
  const spentScripts = (tx: Transaction) =>
    Promise.all(tx.ins.map(async (input) => bytesToHex(Transaction.fromHex(await rpc.getRawTransactionHex(inputOutpoint(input).txid)).outs[input.index]!.script)));

  const first = await devnet.generateKeys();
  const keySets = new Map<number, DevnetKeys>([[0, first]]);
  const scriptsOf = (keys: DevnetKeys) => scriptsOfNetworkKey(keys.keygen.keyPair.networkKey);
  const sessionOfScript = (script: string) => [...keySets.values()].find((keys) => Object.values(scriptsOf(keys)).includes(script))?.session ?? -1;
  const deposits: RotationScenarioSummary['deposits'] = [];
  const payouts: RotationScenarioSummary['payouts'] = [];

  // Session 0 serves: a deposit, and a burn it pays.
  const holder1 = account();
  log(`session 0: deposit 0.6 BTC to ${devnet.depositAddress()} for ${holder1} ...`);
  const deposit1 = await devnet.deposit(60_000_000n, holder1);
  await devnet.waitFor('the first deposit credited', async () => ((await minted(holder1)) === 60_000_000n - DEPOSIT_FEE ? true : undefined));
  deposits.push({ stage: 'use-existing', session: 0, holder: holder1, txid: deposit1.txid, vout: deposit1.vout, height: await heightOf(deposit1.txid), amount: '60000000', minted: '', hex: deposit1.hex });
  const payee1 = randomAddress();
  log(`session 0: burn 0.1 sriBTC to ${payee1} ...`);
  await devnet.burn(holder1, 10_000_000n, payee1);
  const payout1 = await paidOnce(payee1, first.activationHeight);

  // Session 1: key generation of the same validators, Serai's confirmation, every scanner's activation.
  const second = await devnet.rotate('bitcoin');
  keySets.set(1, second);
  const holder2 = account();
  log(`session 1 active from block ${second.activationHeight}: deposit 0.3 BTC to the new key for ${holder2} ...`);
  const deposit2 = await devnet.deposit(30_000_000n, holder2);
  await devnet.waitFor('the deposit to the new key credited', async () => ((await minted(holder2)) === 30_000_000n - DEPOSIT_FEE ? true : undefined));
  deposits.push({ stage: 'after activation', session: 1, holder: holder2, txid: deposit2.txid, vout: deposit2.vout, height: await heightOf(deposit2.txid), amount: '30000000', minted: '', hex: deposit2.hex });

  // A deposit to the old key in forwarding's first block (no grace on the devnet: C blocks of
  // new-as-change after the activation's C), the chain held still while it is placed there.
  const forwardFrom = second.activationHeight + 2 * C;
  await devnet.waitFor(`the chain to reach block ${forwardFrom - 3}`, async () => ((await rpc.getBlockCount()) >= forwardFrom - 3 ? true : undefined));
  await devnet.miner.pause();
  const holder3 = account();
  let late: Awaited<ReturnType<Devnet['wallet']['deposit']>>;
  let lateHeight: number;
  try {
    const held = await rpc.getBlockCount();
    if (held < forwardFrom - 1) await btcd.mine(forwardFrom - 1 - held);
    log(`forwarding from block ${forwardFrom}: deposit 0.4 BTC to the old key for ${holder3} ...`);
    late = await devnet.wallet.deposit({ to: first.externalScript, amount: 40_000_000n, seraiAddress: holder3 });
    const [hash] = await btcd.mine(1);
    lateHeight = (await rpc.getBlockHeader(hash!)).height;
  } finally {
    devnet.miner.resume();
  }
  deposits.push({ stage: lateHeight < forwardFrom + FORWARDING_BLOCKS ? 'forward-from-existing' : 'closing-existing', session: 0, holder: holder3, txid: late.txid, vout: late.vout, height: lateHeight, amount: '40000000', minted: '', hex: late.hex });

  // After the handover the new key pays; the old key retires once drained.
  await everyScanner('the handover', (s) => ['forward-from-existing', 'closing-existing'].includes(s.rotation?.stage ?? '') || (s.retiredSessions ?? []).includes(0));
  const payee2 = randomAddress();
  const burnHeight = await rpc.getBlockCount();
  log(`after the handover: burn 0.05 sriBTC to ${payee2} ...`);
  await devnet.burn(holder2, 5_000_000n, payee2);
  const retired = await everyScanner('the old key to retire', (s) => (s.retiredSessions ?? []).includes(0) && s.session === 1 && !s.rotation);
  log(`session 0 retired at every scanner`);
  const payout2 = await paidOnce(payee2, burnHeight);
  await devnet.waitFor('the forwarded deposit credited', async () => ((await minted(holder3)) > 0n ? true : undefined));
  for (const [stage, address, payout] of [['use-existing', payee1, payout1], ['after the handover', payee2, payout2]] as const) {
    payouts.push({ stage, address, txid: payout.tx.getId(), spendsSessions: [...new Set((await spentScripts(payout.tx)).map(sessionOfScript))], hex: payout.tx.toHex() });
  }

  // The old key's history: every output it ever had, and the transactions spending them, once all are spent.
  const oldScripts = new Set(Object.values(scriptsOf(first)));
  const newScripts = new Set(Object.values(scriptsOf(second)));
  const oldHistory = async () => {
    const tip = await rpc.getBlockCount();
    const spends: Transaction[] = [];
    const outputs: { txid: string; vout: number }[] = [];
    for (let height = first.activationHeight; height <= tip; height++) {
      for (const txid of (await rpc.getBlock(await rpc.getBlockHash(height))).tx) {
        const tx = Transaction.fromHex(await rpc.getRawTransactionHex(txid));
        if (tx.ins.some((input) => outputs.some((o) => o.txid === inputOutpoint(input).txid && o.vout === input.index))) spends.push(tx);
        tx.outs.forEach((out, vout) => oldScripts.has(bytesToHex(out.script)) && outputs.push({ txid, vout }));
      }
    }
    const unspent = (await Promise.all(outputs.map(async (o) => ((await rpc.getTxOut(o.txid, o.vout, false)) ? [o] : [])))).flat();
    return { spends, outputs, unspent };
  };
  let history = await oldHistory();
  const oldKeyEmpty = await devnet
    .waitFor('every output of the old key spent', async () => {
      history = await oldHistory();
      return history.unspent.length === 0 ? true : undefined;
    }, 120_000)
    .catch(() => false);
  const forward = history.spends.find((tx) => tx.ins.some((input) => inputOutpoint(input).txid === late.txid && input.index === late.vout));
  const sweeps = history.spends.filter((tx) => tx !== forward && tx.outs.every((out) => newScripts.has(bytesToHex(out.script))));

  // The Batches, each with the session whose Serai key signed it.
  const records = (await net.seraiStatus()).batches.bitcoin;
  const batches: RotationScenarioSummary['batches'] = [];
  for (const { id } of records) {
    const { signedBatch } = (await net.coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId('bitcoin', id)).result()) as CoordinateBatchResult;
    const message = batchMessage(signedBatch.batch);
    const signedBy = [...keySets.values()].find((keys) => sr25519.verify(message, hexToBytes(signedBatch.signature), hexToBytes(keys.keygen.keyPair.substrateKey)));
    batches.push({ id, height: (await rpc.getBlockHeader(signedBatch.batch.block)).height, session: signedBy?.session ?? -1, message: bytesToHex(message), signature: signedBatch.signature });
  }
  const switchAt = batches.findIndex((b) => b.session === 1);

  for (const deposit of deposits) deposit.minted = (await minted(deposit.holder)).toString();
  const forwardedValue = forward?.outs[0]?.value ?? 0n;
  const payeeCounts = await Promise.all([payee1, payee2].map(async (address) => (await paymentsTo(rpc, addressToScript(address), first.activationHeight)).length));
  const checks: RotationScenarioSummary['checks'] = {
    creditedOnce:
      (await minted(holder1)) === 60_000_000n - DEPOSIT_FEE - 10_000_000n &&
      (await minted(holder2)) === 30_000_000n - DEPOSIT_FEE - 5_000_000n &&
      (await minted(holder3)) === forwardedValue - DEPOSIT_FEE,
    forwardedToNewKey:
      forward !== undefined && forward.ins.length === 1 && forward.outs.length === 1 && bytesToHex(forward.outs[0]!.script) === scriptsOf(second).forward && forwardedValue < 40_000_000n,
    paidOnceByTheRightKey: payeeCounts.every((n) => n === 1) && payouts[0]!.spendsSessions.join() === '0' && payouts[1]!.spendsSessions.join() === '1',
    retired: retired.every((s) => s.externalScript === second.externalScript),
    oldKeyEmpty: oldKeyEmpty === true && sweeps.length > 0,
    batchesSwitchOnce:
      batches.every((b, i) => b.id === i && b.session >= 0) &&
      switchAt > 0 &&
      batches.slice(0, switchAt).every((b) => b.session === 0) &&
      batches.slice(switchAt).every((b) => b.session === 1) &&
      batches[switchAt]!.height > batches[switchAt - 1]!.height,
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
    deposits,
    payouts,
    handover: [...(forward ? [{ kind: 'forward' as const, txid: forward.getId(), hex: forward.toHex() }] : []), ...sweeps.map((tx) => ({ kind: 'sweep' as const, txid: tx.getId(), hex: tx.toHex() }))],
    batches,
    totalMs: Date.now() - started,
  };
}
