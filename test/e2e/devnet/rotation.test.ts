/**
 * A rotation on the live devnet (Temporal, btcd regtest, the coordinator with the Serai simulator,
 * one worker process per validator): the same three validators generate session 1's key, Serai
 * confirms it, and the scanners hand Bitcoin over by the block schedule. A deposit before the
 * rotation, one to the new key and one to the old key once forwarding began are each credited
 * exactly once (the last after its forward to the new key); a burn before the handover is paid by
 * the old key, one after it by the new key, each exactly once; the old key is swept and retired
 * and holds nothing; Serai sees one unbroken sequence of Batch ids, signed by session 0's Serai key
 * up to one external block and by session 1's from there on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import { Transaction } from 'bitcoinjs-lib';
import { coordinatorBatchWorkflowId, type CoordinateBatchResult } from '../../../devnet/coordinator/defs';
import { Devnet, DevnetNetworkError, DevnetRotationError } from '../../../devnet/devnet';
import { paymentsTo } from '../../../devnet/payments';
import { addressToScript, scriptToAddress } from '../../../devnet/wallet';
import { batchMessage } from '../../../messages';
import { DEPOSIT_FEE } from '../../../networks/bitcoin/instructions';
import { scriptsOfNetworkKey } from '../../../networks/bitcoin/keys';
import type { ScannerStatus } from '../../../workflows/scanner-defs';

jest.setTimeout(900_000);

const NAMES = ['alice', 'bob', 'carol'];
let devnet: Devnet;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rotation-'));
  devnet = await Devnet.start({ dataDir, validators: NAMES.map((name) => ({ name, weight: 1 })), t: 2, blockIntervalMs: 1000, seraiBlockTime: '1 second' });
});

afterAll(async () => {
  await devnet?.stop();
  if (dataDir && !process.env.KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
});

const randomAddress = () => scriptToAddress(`5120${bytesToHex(schnorr.getPublicKey(schnorr.utils.randomSecretKey()))}`);
const account = () => bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
const minted = async (holder: string) => BigInt((await devnet.net.seraiStatus()).balances[holder]?.bitcoin ?? '0');

async function everyScanner(what: string, check: (status: ScannerStatus) => boolean): Promise<ScannerStatus[]> {
  return devnet.waitFor(what, async () => {
    const all = await Promise.all(NAMES.map((name) => devnet.scannerStatus(name)));
    return all.every((s) => s !== undefined && check(s)) ? (all as ScannerStatus[]) : undefined;
  });
}

/** The one transaction paying `address` (from `fromHeight` on), once it has `confirmations`. */
async function paidOnce(address: string, fromHeight: number): Promise<Transaction> {
  const [payment] = await devnet.waitFor(`a payment to ${address}`, async () => {
    const found = await paymentsTo(devnet.btcd.rpc, addressToScript(address), fromHeight);
    return found.length > 0 && found.every((p) => p.where !== 'mempool') ? found : undefined;
  });
  return Transaction.fromHex(await devnet.btcd.rpc.getRawTransactionHex(payment!.txid));
}

/** The scripts a transaction's inputs spend. */
async function spentScripts(tx: Transaction): Promise<string[]> {
  return Promise.all(
    tx.ins.map(async (input) => {
      const prev = Transaction.fromHex(await devnet.btcd.rpc.getRawTransactionHex(bytesToHex(Uint8Array.from(input.hash).reverse())));
      return bytesToHex(prev.outs[input.index]!.script);
    }),
  );
}

test('the same validators rotate Bitcoin to a new key: deposits to either key credited once, burns paid once by the right key, the old key swept, retired and empty, Batches switching Serai key at one block', async () => {
  const first = await devnet.generateKeys();
  const oldScripts = new Set(Object.values(scriptsOfNetworkKey(first.keygen.keyPair.networkKey)));
  expect(oldScripts.has(first.externalScript)).toBe(true);
  const start = first.activationHeight;
  await expect(devnet.rotate('ethereum')).rejects.toThrow(DevnetNetworkError);

  // Session 0 serves: a deposit, and a burn it pays.
  const holder1 = account();
  await devnet.deposit(60_000_000n, holder1);
  await devnet.waitFor('the first deposit credited', async () => ((await minted(holder1)) === 60_000_000n - DEPOSIT_FEE ? true : undefined));
  const payee1 = randomAddress();
  await devnet.burn(holder1, 10_000_000n, payee1);
  const payout1 = await paidOnce(payee1, start);
  expect((await spentScripts(payout1)).every((script) => oldScripts.has(script))).toBe(true);

  // Session 1: key generation of the same validators, Serai's confirmation, every scanner's activation.
  const second = await devnet.rotate('bitcoin');
  expect(second.session).toBe(1);
  const newScripts = new Set(Object.values(scriptsOfNetworkKey(second.keygen.keyPair.networkKey)));
  expect([...newScripts].some((script) => oldScripts.has(script))).toBe(false);
  expect(devnet.depositAddress()).toBe(scriptToAddress(second.externalScript));
  await expect(devnet.rotate('bitcoin')).rejects.toThrow(DevnetRotationError);

  // A deposit to the new key is credited at once.
  const holder2 = account();
  await devnet.deposit(30_000_000n, holder2);
  await devnet.waitFor('the deposit to the new key credited', async () => ((await minted(holder2)) === 30_000_000n - DEPOSIT_FEE ? true : undefined));

  // A deposit to the old key in a block of forwarding (grace 0: C blocks of new-as-change after the
  // activation's C) is forwarded to the new key and credited once, at what reached it.
  const C = devnet.options.processorSettings?.scanner.confirmations ?? 3;
  const forwardFrom = second.activationHeight + 2 * C;
  await devnet.waitFor(`the chain to reach block ${forwardFrom - 3}`, async () => ((await devnet.btcd.rpc.getBlockCount()) >= forwardFrom - 3 ? true : undefined));
  // The chain held still, and brought to the block before forwarding's first by hand.
  await devnet.miner.pause();
  const held = await devnet.btcd.rpc.getBlockCount();
  if (held < forwardFrom - 1) await devnet.btcd.mine(forwardFrom - 1 - held);
  const holder3 = account();
  const late = await devnet.wallet.deposit({ to: first.externalScript, amount: 40_000_000n, seraiAddress: holder3 });
  const [lateBlock] = await devnet.btcd.mine(1);
  devnet.miner.resume();
  const lateHeight = (await devnet.btcd.rpc.getBlockHeader(lateBlock!)).height;
  expect(lateHeight).toBeGreaterThanOrEqual(forwardFrom);
  expect(lateHeight).toBeLessThan(forwardFrom + 6); // in forwarding (6 blocks of it on the devnet), not closing

  // After the handover the new key pays.
  await everyScanner('the handover', (s) => ['forward-from-existing', 'closing-existing'].includes(s.rotation?.stage ?? '') || (s.retiredSessions ?? []).includes(0));
  const payee2 = randomAddress();
  const burnHeight = await devnet.btcd.rpc.getBlockCount();
  await devnet.burn(holder2, 5_000_000n, payee2);

  // The old key retires once drained; every scanner then watches the new key only.
  const retired = await everyScanner('the old key to retire', (s) => (s.retiredSessions ?? []).includes(0) && s.session === 1 && !s.rotation);
  expect(new Set(retired.map((s) => s.externalScript))).toEqual(new Set([second.externalScript]));
  const payout2 = await paidOnce(payee2, burnHeight);
  expect((await spentScripts(payout2)).every((script) => newScripts.has(script))).toBe(true);
  await devnet.waitFor('the forwarded deposit credited', async () => ((await minted(holder3)) > 0n ? true : undefined));

  // The old key holds nothing: every output it ever had is spent (its sweep, signed before the
  // retirement, confirms on its own time).
  const history = async () => {
    const tip = await devnet.btcd.rpc.getBlockCount();
    const spendsOld: Transaction[] = [];
    const oldOutputs: { txid: string; vout: number }[] = [];
    for (let height = start; height <= tip; height++) {
      const block = await devnet.btcd.rpc.getBlock(await devnet.btcd.rpc.getBlockHash(height));
      for (const txid of block.tx) {
        const tx = Transaction.fromHex(await devnet.btcd.rpc.getRawTransactionHex(txid));
        if (tx.ins.some((input) => oldOutputs.some((o) => o.txid === bytesToHex(Uint8Array.from(input.hash).reverse()) && o.vout === input.index))) spendsOld.push(tx);
        tx.outs.forEach((out, vout) => oldScripts.has(bytesToHex(out.script)) && oldOutputs.push({ txid, vout }));
      }
    }
    const unspent = (await Promise.all(oldOutputs.map(async (o) => ((await devnet.btcd.rpc.getTxOut(o.txid, o.vout, false)) ? [o] : [])))).flat();
    return { spendsOld, oldOutputs, unspent };
  };
  const { spendsOld, oldOutputs } = await devnet.waitFor('every output of the old key spent', async () => {
    const seen = await history();
    return seen.unspent.length === 0 ? seen : undefined;
  }, 120_000);
  // Its outputs: the first deposit, the first payout's change, the late deposit.
  expect(oldOutputs).toHaveLength(3);
  expect(oldOutputs.map((o) => o.txid)).toEqual(expect.arrayContaining([payout1.getId(), late.txid]));

  // The forward: the late deposit moved whole, less its fee, to the new key's Forward script.
  const forward = spendsOld.find((tx) => tx.ins.some((input) => bytesToHex(Uint8Array.from(input.hash).reverse()) === late.txid && input.index === late.vout))!;
  expect(forward).toBeDefined();
  expect(forward.ins).toHaveLength(1);
  expect(forward.outs.map((out) => bytesToHex(out.script))).toEqual([scriptsOfNetworkKey(second.keygen.keyPair.networkKey).forward]);
  expect(forward.outs[0]!.value).toBeLessThan(40_000_000n);
  expect(await minted(holder3)).toBe(forward.outs[0]!.value - DEPOSIT_FEE);

  // Each deposit credited exactly once; the burns took what they burned.
  expect(await minted(holder1)).toBe(60_000_000n - DEPOSIT_FEE - 10_000_000n);
  expect(await minted(holder2)).toBe(30_000_000n - DEPOSIT_FEE - 5_000_000n);
  expect(await paymentsTo(devnet.btcd.rpc, addressToScript(payee1), start)).toHaveLength(1);
  expect(await paymentsTo(devnet.btcd.rpc, addressToScript(payee2), start)).toHaveLength(1);

  // Its last outputs were swept to the new key.
  const sweeps = spendsOld.filter((tx) => tx !== forward && tx.outs.every((out) => newScripts.has(bytesToHex(out.script))));
  expect(sweeps.length).toBeGreaterThan(0);

  // Batches: one unbroken sequence of ids; session 0's Serai key signed those up to one external block, session 1's the rest.
  const serai = await devnet.net.seraiStatus();
  const records = serai.batches.bitcoin;
  expect(records.map((r) => r.id)).toEqual(records.map((_, i) => i));
  const signers = await Promise.all(
    records.map(async ({ id }) => {
      const { signedBatch } = (await devnet.net.coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId('bitcoin', id)).result()) as CoordinateBatchResult;
      const under = (key: string) => sr25519.verify(batchMessage(signedBatch.batch), hexToBytes(signedBatch.signature), hexToBytes(key));
      const height = (await devnet.btcd.rpc.getBlockHeader(signedBatch.batch.block)).height;
      return { id, height, session: under(first.keygen.keyPair.substrateKey) ? 0 : under(second.keygen.keyPair.substrateKey) ? 1 : -1 };
    }),
  );
  expect(signers.filter((s) => s.session < 0)).toEqual([]);
  const switchAt = signers.findIndex((s) => s.session === 1);
  expect(switchAt).toBeGreaterThan(0);
  expect(signers.slice(switchAt).every((s) => s.session === 1)).toBe(true);
  expect(signers[switchAt]!.height).toBeGreaterThan(signers[switchAt - 1]!.height);
});
