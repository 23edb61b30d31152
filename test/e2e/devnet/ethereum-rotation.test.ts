/**
 * Ethereum's rotation on the live devnet (Temporal, anvil, btcd, the coordinator with the Serai
 * simulator, one worker process per validator and network), by the code `npm start -- --scenario
 * --rotate` runs for Ethereum (devnet/ethereum-rotation-scenario.ts): the same three validators
 * generate session 1's key, Serai confirms it, and the scanners hand the Router over by the block
 * schedule: the old key names the new one (`updateSeraiKey`), the new key confirms itself at the
 * next nonce. A deposit before the rotation and one in a block of each stage are each credited
 * once; a burn before the handover is paid under the old key, one after it under the new key; the
 * Router's key ends as the new one; the Batches switch Serai key at one block; the Router's books
 * balance before the rotation, at each stage change and at the end; and a validator's Ethereum worker
 * is SIGKILLed as the rotation enters each stage. The evidence is re-verified here from the raw
 * transactions and signatures the summary carries. With RECORD_REPLAY_HISTORIES=<label> it records
 * alice's Ethereum scanner, which handed the Router over, as the replay fixture `<label>ethrotation-scanner`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexToBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import { getBytes, keccak256, Transaction } from 'ethers';
import { verifyRouterSignature } from '../../../crypto/suites/ethereum';
import { Devnet } from '../../../devnet/devnet';
import { runEthereumRotationScenario } from '../../../devnet/ethereum-rotation-scenario';
import { routerInterface } from '../../../networks/ethereum/router';
import { validatorNamespace } from '../../../devnet/namespaces';
import { recordHistory, replayCodecKeys } from '../../support/replay-record';

jest.setTimeout(900_000);

const NAMES = ['alice', 'bob', 'carol'];
const RECORD = process.env.RECORD_REPLAY_HISTORIES;
let devnet: Devnet;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'eth-rotation-'));
  if (RECORD) writeFileSync(join(dataDir, 'codec-keys'), replayCodecKeys(), { mode: 0o600 });
  devnet = await Devnet.start({
    dataDir,
    validators: NAMES.map((name) => ({ name, weight: 1 })),
    t: 2,
    networks: ['bitcoin', 'ethereum'],
    blockIntervalMs: 1000,
    seraiBlockTime: '1 second',
    keygenRounds: { roundTimeout: '20 seconds', blameTimeout: '10 seconds', maxAttempts: 3 },
  });
});

afterAll(async () => {
  await devnet?.stop();
  if (dataDir && !process.env.KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
});

test('the same validators rotate Ethereum to a new key: the old key names the new one and the new key confirms itself at the next nonce, deposits in every stage credited once, burns paid once under the right key, the Router ending with the new key, Batches switching Serai key at one block, the books balanced at each stage with a validator SIGKILLed at each stage change', async () => {
  await devnet.keysOf('ethereum');
  const lines: string[] = [];
  const summary = await runEthereumRotationScenario(devnet, (line) => lines.push(`${new Date().toISOString()} ${line}`), { killAtStageChanges: true }).catch((err: unknown) => {
    console.error(`Ethereum rotation scenario failed after:\n${lines.join('\n')}`);
    throw err;
  });
  if (!summary.ok) console.error(`Ethereum rotation checks failed: ${JSON.stringify(summary.checks)}\nbatches: ${JSON.stringify(summary.batches.map(({ id, height, session }) => ({ id, height, session })))}\n${lines.join('\n')}`);
  expect(summary.checks).toEqual({ creditedOnce: true, routerKeyIsNew: true, noncesInOrderAndSigned: true, paidOnceByTheRightKey: true, retired: true, booksBalance: true, batchesSwitchOnce: true });
  expect(summary.ok).toBe(true);

  // A validator was SIGKILLed as the rotation entered each stage, every stage in order, the first three in turn.
  const stages = ['use-existing', 'new-as-change', 'forward-from-existing', 'closing-existing', 'retired'];
  expect(summary.kills.map((k) => k.stage)).toEqual(stages);
  expect(summary.kills.slice(0, 3).map((k) => k.validator)).toEqual(NAMES);
  expect(summary.books.map((b) => b.stage)).toEqual(['session 0 alone', ...stages, 'the end']);
  for (const books of summary.books) {
    expect(BigInt(books.holdings)).toBe(BigInt(books.supply) + BigInt(books.owed) + BigInt(books.inTransit) + BigInt(books.dust));
    expect(books.overpaid).toEqual([]);
  }
  expect(summary.books.at(-1)).toMatchObject({ owed: '0', inTransit: '0' });

  // A deposit in a block of each stage (by the rotation's schedule), each its own raw transaction into the Router.
  const { timeline } = summary;
  const stageOfHeight = (height: number) =>
    height >= timeline.closingExisting ? 'closing-existing' : height >= timeline.forwardFromExisting ? 'forward-from-existing' : height >= timeline.newAsChange ? 'new-as-change' : 'use-existing';
  expect(summary.deposits.map((d) => d.stage)).toEqual(['before the rotation', 'use-existing', 'new-as-change', 'forward-from-existing', 'closing-existing']);
  for (const deposit of summary.deposits) {
    const tx = Transaction.from(deposit.raw);
    expect(tx.hash).toBe(deposit.hash);
    expect(tx.to!.toLowerCase()).toBe(summary.router);
    expect(tx.value.toString()).toBe(deposit.amount);
    expect(routerInterface.parseTransaction({ data: tx.data, value: tx.value })!.name).toBe('inInstruction');
    if (deposit.stage !== 'before the rotation') expect(stageOfHeight(deposit.height)).toBe(deposit.stage);
    expect(deposit.minted).toBe((BigInt(deposit.amount) / 10n ** 10n).toString());
  }

  // Every signed call: nonces 1, 2, ... in order; each message is its calldata with the domain where
  // (c, s) go, and (c, s) verifies under its session's px and not under the other's.
  const [old, next] = summary.keys;
  expect(summary.keys.map((k) => k.session)).toEqual([0, 1]);
  expect(old!.px).not.toBe(next!.px);
  const pxOf = (session: number) => hexToBytes(summary.keys[session]!.px);
  expect(summary.signedCalls.map((c) => c.nonce)).toEqual(summary.signedCalls.map((_, i) => i + 1));
  for (const call of summary.signedCalls) {
    expect(keccak256(call.raw)).toBe(call.hash);
    const data = getBytes(Transaction.from(call.raw).data);
    const message = getBytes(call.message);
    expect(Buffer.from(data.subarray(68)).toString('hex')).toBe(Buffer.from(message.subarray(68)).toString('hex'));
    expect(Buffer.from(message.subarray(36, 68)).toString('hex')).toBe(`${summary.router.slice(2)}${call.nonce.toString(16).padStart(24, '0')}`);
    expect(keccak256(message)).toBe(call.messageHash);
    const signature = getBytes(`0x${call.c.slice(2)}${call.s.slice(2)}`);
    expect(verifyRouterSignature(signature, getBytes(call.messageHash), pxOf(call.session))).toBe(true);
    expect(verifyRouterSignature(signature, getBytes(call.messageHash), pxOf(1 - call.session))).toBe(false);
  }
  // The handover: session 0's key confirmed itself at nonce 1, named session 1's px by updateSeraiKey,
  // and session 1's key confirmed itself at the next nonce; the first burn paid before, the second after.
  const handover = summary.handover!;
  expect(handover.confirmNextSeraiKey).toBe(handover.updateSeraiKey + 1);
  const byNonce = (nonce: number) => summary.signedCalls.find((c) => c.nonce === nonce)!;
  expect([byNonce(1).function, byNonce(1).session]).toEqual(['confirmNextSeraiKey', 0]);
  const update = byNonce(handover.updateSeraiKey);
  expect([update.function, update.session]).toEqual(['updateSeraiKey', 0]);
  expect(routerInterface.parseTransaction({ data: Transaction.from(update.raw).data })!.args[1]).toBe(`0x${next!.px}`);
  expect([byNonce(handover.confirmNextSeraiKey).function, byNonce(handover.confirmNextSeraiKey).session]).toEqual(['confirmNextSeraiKey', 1]);
  for (const [index, burn] of summary.burns.entries()) {
    const paying = summary.signedCalls.filter((c) => c.execute?.outs.some((o) => o.to.toLowerCase() === burn.address.toLowerCase()));
    expect(paying).toHaveLength(1);
    expect(paying[0]!.session).toBe(index);
    expect(BigInt(paying[0]!.execute!.outs[0]!.amount) + BigInt(paying[0]!.execute!.fee)).toBe(BigInt(burn.amount) * 10n ** 10n);
  }
  expect(summary.signedCalls.every((c) => c.function !== 'execute' || c.nonce < handover.updateSeraiKey || c.nonce > handover.confirmNextSeraiKey)).toBe(true);

  // The Batches: one unbroken sequence of ids, session 0's Serai key up to one block, session 1's after.
  const switchAt = summary.batches.findIndex((b) => b.session === 1);
  expect(switchAt).toBeGreaterThan(0);
  for (const batch of summary.batches) {
    expect(sr25519.verify(hexToBytes(batch.message), hexToBytes(batch.signature), hexToBytes(summary.keys[batch.session]!.seraiKey))).toBe(true);
  }
  expect(summary.batches.map((b) => b.id)).toEqual(summary.batches.map((_, i) => i));
  expect(summary.batches.slice(switchAt).every((b) => b.session === 1)).toBe(true);
});

(RECORD ? test : test.skip)('record a replay fixture of an Ethereum scanner that handed the Router over', () => {
  const alice = validatorNamespace('alice');
  const written = [recordHistory(devnet.temporal.address, alice, 'scanner-ethereum', `${RECORD}ethrotation-scanner`, 'richest')];
  console.log(`recorded ${written.join(', ')}`);
});
