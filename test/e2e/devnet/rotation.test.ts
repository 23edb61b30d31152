/**
 * A rotation on the live devnet (Temporal, btcd regtest, the coordinator with the Serai simulator,
 * one worker process per validator), by the code `npm start -- --scenario --rotate` runs
 * (devnet/rotation-scenario.ts): the same three validators generate session 1's key, Serai confirms
 * it, and the scanners hand Bitcoin over by the block schedule. Each of the scenario's checks is
 * asserted, and its evidence re-verified here from the raw transactions and signatures it prints: a
 * deposit before the rotation, one to the new key and one to the old key in each stage of the
 * rotation are each credited exactly once (the last two after their forwards to the new key); a burn before the handover is
 * paid by the old key, one after it by the new key, each once; the old key is swept, retired and
 * empty; the Batches switch Serai key at one block. A validator's worker is SIGKILLed as the rotation
 * enters each stage and as the old key retires (a different validator each time), and the books
 * balance before the rotation, at each stage and at the end. Then carol goes offline for good and a
 * second rotation (to session 2) runs: a third is refused while it runs, its key generation times
 * carol out and makes the key with alice and bob, a deposit to it is credited, and session 1 retires.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import { Transaction } from 'bitcoinjs-lib';
import { Devnet, DevnetNetworkError, DevnetRotationError } from '../../../devnet/devnet';
import { runRotationScenario } from '../../../devnet/rotation-scenario';
import { DEPOSIT_FEE } from '../../../networks/bitcoin/instructions';
import { scriptsOfNetworkKey } from '../../../networks/bitcoin/keys';

jest.setTimeout(900_000);

const NAMES = ['alice', 'bob', 'carol'];
let devnet: Devnet;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rotation-'));
  devnet = await Devnet.start({
    dataDir,
    validators: NAMES.map((name) => ({ name, weight: 1 })),
    t: 2,
    blockIntervalMs: 1000,
    seraiBlockTime: '1 second',
    keygenRounds: { roundTimeout: '20 seconds', blameTimeout: '10 seconds', maxAttempts: 3 },
  });
});

afterAll(async () => {
  await devnet?.stop();
  if (dataDir && !process.env.KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
});

const outpoint = (input: Transaction['ins'][number]) => `${bytesToHex(Uint8Array.from(input.hash).reverse())}:${input.index}`;

test('the same validators rotate Bitcoin to a new key: deposits to either key in every stage credited once, burns paid once by the right key, the old key swept, retired and empty, Batches switching Serai key at one block, with a validator SIGKILLed at each stage change and the books balanced at each', async () => {
  await devnet.generateKeys();
  await expect(devnet.rotate('ethereum')).rejects.toThrow(DevnetNetworkError);

  const lines: string[] = [];
  const summary = await runRotationScenario(devnet, (line) => lines.push(`${new Date().toISOString()} ${line}`), { killAtStageChanges: true }).catch((err: unknown) => {
    // The scenario's own account of how far it got (worker logs: KEEP_TEST_DATA=1).
    console.error(`rotation scenario failed after:\n${lines.join('\n')}`);
    throw err;
  });
  if (!summary.ok) console.error(`rotation scenario checks failed: ${JSON.stringify(summary.checks)}\nbatches: ${JSON.stringify(summary.batches.map(({ id, height, session }) => ({ id, height, session })))}\n${lines.join('\n')}`);
  expect(summary.checks).toEqual({ creditedOnce: true, forwardedToNewKey: true, paidOnceByTheRightKey: true, retired: true, oldKeyEmpty: true, batchesSwitchOnce: true, booksBalance: true });
  expect(summary.ok).toBe(true);
  expect(summary.oldKeyUnspent).toEqual([]);
  expect(lines).toContainEqual(expect.stringMatching(/ rotation checks: creditedOnce ok, forwardedToNewKey ok, paidOnceByTheRightKey ok, retired ok, oldKeyEmpty ok, batchesSwitchOnce ok, booksBalance ok/));

  // A validator was SIGKILLed as the rotation entered each stage (each in turn, skipping one still
  // starting again), and every stage was entered in order.
  const stages = ['use-existing', 'new-as-change', 'forward-from-existing', 'closing-existing', 'retired'];
  expect(summary.kills.map((k) => k.stage)).toEqual(stages);
  expect(summary.kills.slice(0, 3).map((k) => k.validator)).toEqual(NAMES);
  for (const kill of summary.kills) expect(NAMES).toContain(kill.validator);
  for (const kill of summary.kills) expect(lines).toContainEqual(expect.stringContaining(`the rotation entered ${kill.stage}: SIGKILL ${kill.validator} (its scanner at ${kill.itsStage}) and start it again`));

  // The books, before the rotation, at each stage and at the end: the keys' holdings are Serai's
  // supply + what is owed + what is in transit + the reserve the processor's rules leave, and cover them.
  expect(summary.books.map((b) => b.stage)).toEqual(['session 0 alone', ...stages, 'the end']);
  for (const books of summary.books) {
    const holdings = Object.values(books.holdings).reduce((sum, v) => sum + BigInt(v), 0n);
    expect(holdings).toBe(BigInt(books.supply) + BigInt(books.owed) + BigInt(books.inTransit) + BigInt(books.reserve));
    expect(books.reserve).toBe(books.expectedReserve);
    expect(BigInt(books.reserve)).toBeGreaterThanOrEqual(0n);
  }
  const end = summary.books.at(-1)!;
  expect(end.holdings['0'] ?? '0').toBe('0');
  expect(end.owed).toBe('0');
  expect(end.inTransit).toBe('0');

  // The two keys, and the scripts each derives from its network key alone.
  const [old, next] = summary.keys;
  expect(summary.keys.map((k) => k.session)).toEqual([0, 1]);
  for (const key of summary.keys) expect(key.scripts).toEqual(scriptsOfNetworkKey(key.networkKey));
  const oldScripts = new Set(Object.values(old!.scripts));
  const newScripts = new Set(Object.values(next!.scripts));
  expect([...newScripts].filter((script) => oldScripts.has(script))).toEqual([]);

  // The deposits: each paid the key it names in a block of the stage it names (by the rotation's
  // schedule), and minted once: what it paid less the deposit fee, or, forwarded, what its forward
  // carried to the new key less the fee.
  expect(summary.deposits.map((d) => [d.stage, d.session])).toEqual([
    ['before the rotation', 0],
    ['use-existing', 1],
    ['use-existing', 0],
    ['new-as-change', 0],
    ['forward-from-existing', 0],
    ['closing-existing', 0],
  ]);
  const { timeline } = summary;
  expect(timeline.activation).toBe(next!.activationHeight);
  const stageOfHeight = (height: number) =>
    height >= timeline.closingExisting ? 'closing-existing' : height >= timeline.forwardFromExisting ? 'forward-from-existing' : height >= timeline.newAsChange ? 'new-as-change' : 'use-existing';
  const forwards = new Map(summary.handover.filter((h) => h.kind === 'forward').map((h) => [h.txid, Transaction.fromHex(h.hex)]));
  expect(forwards.size).toBe(2);
  for (const deposit of summary.deposits) {
    const tx = Transaction.fromHex(deposit.hex);
    expect(tx.getId()).toBe(deposit.txid);
    expect(bytesToHex(tx.outs[deposit.vout]!.script)).toBe(summary.keys[deposit.session]!.scripts.external);
    expect(tx.outs[deposit.vout]!.value).toBe(BigInt(deposit.amount));
    if (deposit.stage !== 'before the rotation') expect(stageOfHeight(deposit.height)).toBe(deposit.stage);
    const forwarded = deposit.session === 0 && (deposit.stage === 'forward-from-existing' || deposit.stage === 'closing-existing');
    if (!forwarded) {
      expect(deposit.forwardedBy).toBeNull();
      expect(BigInt(deposit.minted)).toBe(BigInt(deposit.amount) - DEPOSIT_FEE);
      continue;
    }
    // Its forward: the deposit, whole less its fee, to the new key's Forward script.
    const forward = forwards.get(deposit.forwardedBy!)!;
    expect(forward.ins.map(outpoint)).toEqual([`${deposit.txid}:${deposit.vout}`]);
    expect(forward.outs.map((out) => bytesToHex(out.script))).toEqual([next!.scripts.forward]);
    expect(forward.outs[0]!.value).toBeLessThan(BigInt(deposit.amount));
    expect(BigInt(deposit.minted)).toBe(forward.outs[0]!.value - DEPOSIT_FEE);
  }

  // The sweeps: the old key's outputs to the new key's scripts only.
  const sweeps = summary.handover.filter((h) => h.kind === 'sweep').map((h) => Transaction.fromHex(h.hex));
  expect(sweeps.length).toBeGreaterThan(0);
  for (const sweep of sweeps) expect(sweep.outs.every((out) => newScripts.has(bytesToHex(out.script)))).toBe(true);

  // The payouts: the first from the old key's outputs, the one after the handover from the new key's.
  expect(summary.payouts.map((p) => [p.stage, p.spendsSessions])).toEqual([
    ['before the rotation', [0]],
    ['after the handover', [1]],
  ]);
  for (const payout of summary.payouts) {
    const tx = Transaction.fromHex(payout.hex);
    const spent = await Promise.all(tx.ins.map(async (input) => bytesToHex(Transaction.fromHex(await devnet.btcd.rpc.getRawTransactionHex(outpoint(input).split(':')[0]!)).outs[input.index]!.script)));
    const scripts = payout.spendsSessions[0] === 0 ? oldScripts : newScripts;
    expect(spent.every((script) => scripts.has(script))).toBe(true);
  }

  // The Batches: each signature checked here against the session's Serai key.
  expect(summary.batches.map((b) => b.id)).toEqual(summary.batches.map((_, i) => i));
  for (const batch of summary.batches) {
    expect(sr25519.verify(hexToBytes(batch.message), hexToBytes(batch.signature), hexToBytes(summary.keys[batch.session]!.seraiKey))).toBe(true);
  }
  const switchAt = summary.batches.findIndex((b) => b.session === 1);
  expect(switchAt).toBeGreaterThan(0);
  expect(summary.batches.slice(switchAt).every((b) => b.session === 1)).toBe(true);

  // Carol goes away for good before the next rotation: its key generation times her out, goes on
  // with alice and bob, and the rotation completes with them (a third is refused while it runs).
  devnet.takeOffline('carol');
  const rotating = devnet.rotate('bitcoin');
  await devnet.waitFor('a scanner to queue session 2', async () => ((await devnet.scannerStatus('alice'))?.rotation?.session === 2 ? true : undefined));
  await expect(devnet.rotate('bitcoin')).rejects.toThrow(DevnetRotationError);
  const third = await rotating;
  expect(third.session).toBe(2);
  expect(third.keygen.attempts[0]).toMatchObject({ result: 'timeout', excluded: [{ name: 'carol', reason: expect.stringMatching(/^no answer in attempt 0/) }] });
  expect(third.keygen.attempt).toBe(1);
  expect(third.keygen.members).toEqual(['alice', 'bob']);
  const holder = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
  await devnet.deposit(20_000_000n, holder);
  await devnet.waitFor('the deposit to session 2 credited', async () => ((await devnet.net.seraiStatus()).balances[holder]?.bitcoin === String(20_000_000n - DEPOSIT_FEE) ? true : undefined));
  const statuses = await devnet.waitFor('session 1 to retire at alice and bob', async () => {
    const all = await Promise.all(['alice', 'bob'].map((name) => devnet.scannerStatus(name)));
    return all.every((s) => s?.session === 2 && !s.rotation && (s.retiredSessions ?? []).includes(1)) ? all : undefined;
  });
  expect(statuses.map((s) => s!.externalScript)).toEqual([third.externalScript, third.externalScript]);
});
