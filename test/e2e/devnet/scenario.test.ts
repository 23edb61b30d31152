/**
 * `npm start -- --scenario` with one of the four validators offline for the whole run: key
 * generation re-attempts without it, and deposit -> Batch -> mint -> burn -> payout completes at
 * 3-of-4. The JSON summary is then re-verified offline, as anyone could.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexToBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import { Transaction } from 'bitcoinjs-lib';
import { batchMessage } from '../../../messages';
import { DEPOSIT_FEE } from '../../../networks/bitcoin/instructions';
import { repoRoot } from '../../../nodes/tools';
import type { ScenarioSummary } from '../../../devnet/scenario';
import { addressToScript } from '../../../devnet/wallet';

jest.setTimeout(900_000);

test('the scenario runs by itself with a validator offline, exits 0, and its summary re-verifies offline', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scenario-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'devnet/start.ts'), '--scenario', '--offline', 'dave', '--data-dir', dataDir, '--temporal-port', '0', '--ui-port', '0', '--codec-port', '0'],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    if (code !== 0) console.error(stderr.slice(-5000));
    expect(code).toBe(0);
    console.log(stderr.split('\n').filter((l) => /signed|payout|minted|key generation/.test(l)).join('\n'));
    const summary = JSON.parse(stdout) as ScenarioSummary;
    expect(summary.ok).toBe(true);
    expect(summary.validators).toEqual([
      { name: 'alice', offline: false },
      { name: 'bob', offline: false },
      { name: 'carol', offline: false },
      { name: 'dave', offline: true },
    ]);

    // Every Batch verifies under the Serai key with an independent sr25519 verifier.
    expect(summary.batches.length).toBeGreaterThanOrEqual(2);
    summary.batches.forEach((batch, index) => {
      expect(batch.id).toBe(index);
      const message = batchMessage({ network: 'bitcoin', id: batch.id, block: batch.block, instructions: batch.instructions });
      expect(Buffer.from(message).toString('hex')).toBe(batch.message);
      expect(sr25519.verify(message, hexToBytes(batch.signature), hexToBytes(summary.seraiKey))).toBe(true);
    });

    // The deposit pays the group key's address and one Batch credits it (less the deposit fee) to the account.
    const [deposit] = summary.deposits;
    const depositTx = Transaction.fromHex(deposit!.hex);
    expect(depositTx.getId()).toBe(deposit!.txid);
    const depositScript = addressToScript(summary.depositAddress);
    expect(depositTx.outs.find((o) => Buffer.from(o.script).toString('hex') === depositScript)?.value).toBe(BigInt(deposit!.amount));
    const credits = summary.batches.flatMap((b) => b.instructions).filter((i) => i.instruction.kind === 'Transfer' && i.instruction.address === summary.seraiAccount);
    expect(credits.map((c) => c.balance.amount)).toEqual([(BigInt(deposit!.amount) - DEPOSIT_FEE).toString()]);

    // One payout, to the burn's address, of the burned amount less its fee; the Serai books add up.
    const [burn] = summary.burns;
    const burnScript = addressToScript(burn!.address);
    const paid = summary.payouts.flatMap((p) => Transaction.fromHex(p.hex).outs.filter((o) => Buffer.from(o.script).toString('hex') === burnScript));
    expect(paid).toHaveLength(1);
    for (const payout of summary.payouts) expect(Transaction.fromHex(payout.hex).getId()).toBe(payout.txid);
    expect(paid[0]!.value).toBeLessThanOrEqual(BigInt(burn!.amount));
    expect(paid[0]!.value).toBeGreaterThan(BigInt(burn!.amount) - 50_000n);
    const remaining = BigInt(deposit!.amount) - DEPOSIT_FEE - BigInt(burn!.amount);
    expect(summary.balances).toEqual({ [summary.seraiAccount]: { bitcoin: remaining.toString() } });
    expect(summary.checks).toEqual({ minted: true, supplyMatchesBalances: true, paidOnce: true });
    console.log(`deposit final -> SignedBatch ${summary.timings.depositFinalToSignedBatchMs} ms; burn's Serai block -> payout in mempool ${summary.timings.burnBlockToMempoolMs} ms; whole scenario ${summary.timings.totalMs} ms`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
