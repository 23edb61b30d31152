/**
 * On the live devnet (Temporal, btcd, the coordinator with the Serai simulator, validator worker
 * processes): a deposit whose refund goes to the validators' own deposit address, and a burn to
 * it, are reported, not a reason to stop, and a normal burn afterwards is paid; coins Serai mints
 * without a deposit halt payouts at every processor (the solvency watch: the plans are made, their
 * signing is held) until an operator resumes them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Devnet, DevnetNetworkError, DevnetRotationError } from '../../../devnet/devnet';
import { paymentsTo } from '../../../devnet/payments';
import { addressToScript, scriptToAddress } from '../../../devnet/wallet';
import { DEPOSIT_FEE } from '../../../networks/bitcoin/instructions';
import { outpointId } from '../../../networks/bitcoin/transaction';
import { repoRoot } from '../../../nodes/tools';

jest.setTimeout(900_000);

const execFileAsync = promisify(execFile);

const NAMES = ['alice', 'bob', 'carol'];
let devnet: Devnet;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hostile-'));
  devnet = await Devnet.start({ dataDir, validators: NAMES.map((name) => ({ name, weight: 1 })), t: 2, blockIntervalMs: 500, seraiBlockTime: '1 second' });
});

afterAll(async () => {
  await devnet?.stop();
  if (dataDir && !process.env.KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
});

const randomAddress = () => scriptToAddress(`5120${bytesToHex(schnorr.getPublicKey(schnorr.utils.randomSecretKey()))}`);
const account = () => bytesToHex(crypto.getRandomValues(new Uint8Array(32)));

const paidTo = (address: string, fromHeight: number) => paymentsTo(devnet.btcd.rpc, addressToScript(address), fromHeight);

test('a deposit refunding to our own address and a burn to it are reported, the next burn is paid; unbacked coins hold payouts until an operator resumes them', async () => {
  await devnet.generateKeys();
  // This devnet runs Bitcoin alone: a rotation of another network is refused, not started; so is one
  // removing a validator not in the set, or so many that fewer shares remain than sign.
  await expect(devnet.rotate('ethereum')).rejects.toThrow(DevnetNetworkError);
  await expect(devnet.rotate('bitcoin', { remove: ['mallory'] })).rejects.toThrow(new DevnetRotationError("mallory is not in bitcoin's set (alice, bob, carol)"));
  await expect(devnet.rotate('bitcoin', { remove: ['bob', 'carol'] })).rejects.toThrow(new DevnetRotationError("without bob, carol bitcoin's set holds 1 key shares, fewer than the 2 that sign"));
  expect(devnet.setOf('bitcoin')).toEqual(NAMES);
  const start = await devnet.btcd.rpc.getBlockCount();
  const holder = account();
  const deposit = await devnet.deposit(100_000_000n, holder);
  await devnet.signedBatchOf(deposit.txid);
  await devnet.waitFor('the sriBTC minted', async () => (BigInt((await devnet.net.seraiStatus()).balances[holder]?.bitcoin ?? '0') === 100_000_000n - DEPOSIT_FEE ? true : undefined));

  // The hostile deposit: a Swap (refunded) whose refund origin is our own deposit address. Its Batch
  // is signed and included; every processor reports the refund as unpaid and goes on.
  const hostile = await devnet.depositSwap(5_000_000n, devnet.depositAddress());
  const { result: hostileBatch } = await devnet.signedBatchOf(hostile.txid);
  const included = (await devnet.net.seraiStatus()).batches.bitcoin.find((record) => record.id === hostileBatch.signedBatch.batch.id)!;
  expect(hostileBatch.signedBatch.batch.instructions).toEqual([]);
  for (const name of NAMES) {
    const outcome = await devnet.seraiBlockOutcome(included.seraiBlock, undefined, name);
    expect(outcome.unpaidRefunds).toEqual([
      { payment: outpointId(hostile.txid, 0), address: addressToScript(devnet.depositAddress()), amount: '5000000', reason: 'address: pays one of our own addresses' },
    ]);
    expect(outcome.plans).toEqual([]);
  }

  // A burn to the validators' own deposit address: Serai takes it, every processor reports it.
  const own = await devnet.burn(holder, 10_000_000n, devnet.depositAddress());
  const ownOutcome = await devnet.seraiBlockOutcome(own.block);
  expect(ownOutcome.plans).toEqual([]);
  expect(ownOutcome.unpayable).toEqual([expect.objectContaining({ index: 0, amount: '10000000', reason: 'address: pays one of our own addresses' })]);
  // An operator reads the same report with the client.
  const printed = await execFileAsync(process.execPath, ['--import', 'tsx', join(repoRoot, 'client.ts'), '--address', devnet.temporal.address, '--namespace', 'validator-carol', '--validator', 'carol', 'serai-block', String(own.block)], {
    cwd: repoRoot,
    env: { ...process.env, CODEC_KEYS_FILE: join(dataDir, 'codec-keys') },
  });
  expect(JSON.parse(printed.stdout)).toEqual(JSON.parse(JSON.stringify(await devnet.seraiBlockOutcome(own.block, undefined, 'carol'))));

  // A normal burn afterwards is paid, exactly once.
  const payee = randomAddress();
  const normal = await devnet.burn(holder, 20_000_000n, payee);
  const normalOutcome = await devnet.seraiBlockOutcome(normal.block);
  expect(normalOutcome.plans).toHaveLength(1);
  const plan = await devnet.planOutcome(normalOutcome.plans[0]!);
  const paid = await paidTo(payee, start);
  expect(paid).toHaveLength(1);
  expect(paid[0]!.txid).toBe(plan.txid);
  expect(paid[0]!.value).toBeLessThanOrEqual(20_000_000n);
  // Its change is back in every scheduler before the next burn: otherwise that burn waits in the
  // queue and is planned with the Serai block acknowledging the change, not its own.
  const paidAt = await devnet.waitFor(`the payout ${plan.txid} mined`, async () => {
    const where = (await paidTo(payee, start))[0]?.where;
    return typeof where === 'number' ? where : undefined;
  });
  await devnet.acknowledgedThrough(paidAt);

  // Serai mints 0.5 sriBTC with no deposit behind it; its holder burns some.
  const forger = account();
  await devnet.net.seraiFaultMint({ to: forger, coin: 'bitcoin', amount: '50000000' });
  const unbackedPayee = randomAddress();
  const unbacked = await devnet.burn(forger, 30_000_000n, unbackedPayee);
  // Every processor plans the block as the others do, and holds its signing back.
  for (const name of NAMES) {
    const status = await devnet.waitFor(`${name} to apply Serai block ${unbacked.block}`, async () => {
      const status = await devnet.net.set.processor(name).scannerStatus();
      return status.lastSeraiBlock !== null && BigInt(status.lastSeraiBlock) >= BigInt(unbacked.block) ? status : undefined;
    });
    expect(status.solvency).toMatchObject({ state: 'halted', reason: expect.stringMatching(/was minted without a deposit/) });
    expect(status.heldSeraiBlocks).toContain(String(unbacked.block));
    // Not started: the server says there is no such workflow (any other error fails the test).
    await expect(devnet.net.set.processor(name).client.workflow.getHandle(`substrate-bitcoin-${unbacked.block}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }
  expect(await paidTo(unbackedPayee, start)).toEqual([]);

  // An operator who checked the books resumes payouts; the held block's plan is signed and paid.
  for (const name of NAMES) await devnet.net.set.processor(name).resumePayouts('checked: the devnet fault was deliberate');
  await devnet.waitFor('every processor resumed payouts', async () => {
    const states = await Promise.all(NAMES.map(async (name) => (await devnet.net.set.processor(name).scannerStatus()).solvency?.state));
    return states.every((state) => state === 'solvent') ? true : undefined;
  });
  const resumedOutcome = await devnet.seraiBlockOutcome(unbacked.block);
  expect(resumedOutcome.plans).toHaveLength(1);
  const resumedPlan = await devnet.planOutcome(resumedOutcome.plans[0]!);
  const unbackedPaid = await paidTo(unbackedPayee, start);
  expect(unbackedPaid).toHaveLength(1);
  expect(unbackedPaid[0]!.txid).toBe(resumedPlan.txid);
});
