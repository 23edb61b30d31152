/**
 * `npm start -- --scenario` with one of the four validators offline for the whole run: key
 * generation re-attempts without it, and deposit -> Batch -> mint -> burn -> payout completes at
 * 3-of-4 on Bitcoin, and on Ethereum with ETH and the devnet DAI. The JSON summary is then
 * re-verified offline, as anyone could: Batches under each set's Serai key, raw transactions
 * against their hashes, and each Router call's (c, s) against its message and the Router's key.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexToBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import { Transaction } from 'bitcoinjs-lib';
import { Transaction as EthereumTransaction, getBytes, keccak256 } from 'ethers';
import { verifyRouterSignature } from '../../../crypto/suites/ethereum';
import { batchMessage } from '../../../messages';
import { routerInterface } from '../../../networks/ethereum/router';
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
    expect(summary.checks).toEqual({ minted: true, supplyMatchesBalances: true, paidOnce: true });

    const ethereum = summary.ethereum!;
    expect(ethereum.ok).toBe(true);
    expect(ethereum.checks).toEqual({ minted: true, supplyMatchesBalances: true, paidOnce: true, noncesInOrder: true });
    // Ethereum's Batches under the Ethereum set's Serai key; each deposit's raw transaction is its hash and calls the Router.
    ethereum.batches.forEach((batch, index) => {
      expect(batch.id).toBe(index);
      const message = batchMessage({ network: 'ethereum', id: batch.id, block: batch.block, instructions: batch.instructions });
      expect(sr25519.verify(message, hexToBytes(batch.signature), hexToBytes(ethereum.seraiKey))).toBe(true);
    });
    const ethereumCredits = ethereum.batches.flatMap((b) => b.instructions).filter((i) => i.instruction.kind === 'Transfer' && i.instruction.address === summary.seraiAccount);
    expect(ethereumCredits.map((c) => [c.balance.coin, c.balance.amount])).toEqual(ethereum.deposits.map((d) => [d.coin === 'eth' ? 'ether' : 'dai', (BigInt(d.amount) / 10n ** 10n).toString()]));
    for (const sent of ethereum.deposits) {
      expect(keccak256(sent.raw)).toBe(sent.hash);
      const tx = EthereumTransaction.from(sent.raw);
      expect(tx.to!.toLowerCase()).toBe(ethereum.router);
      const call = routerInterface.parseTransaction({ data: tx.data, value: tx.value })!;
      expect([call.name, call.args[0], (call.args[1] as bigint).toString()]).toEqual(['inInstruction', sent.coin === 'eth' ? '0x0000000000000000000000000000000000000000' : ethereum.dai, sent.amount]);
    }
    // Every signed Router call: the key's confirmation at nonce 1, then one execute per coin; each is the
    // message with (c, s) in the domain's place, and (c, s) verifies under the Router's key (a changed message does not).
    expect(ethereum.signedCalls.map((c) => [c.nonce, c.function])).toEqual([[1, 'confirmNextSeraiKey'], [2, 'execute'], [3, 'execute']]);
    const px = hexToBytes(ethereum.px);
    for (const call of ethereum.signedCalls) {
      expect(keccak256(call.raw)).toBe(call.hash);
      const data = getBytes(EthereumTransaction.from(call.raw).data);
      const message = getBytes(call.message);
      expect(Buffer.from(data.subarray(4, 68)).toString('hex')).toBe(call.c.slice(2) + call.s.slice(2));
      expect(Buffer.from(data.subarray(68)).toString('hex')).toBe(Buffer.from(message.subarray(68)).toString('hex'));
      expect(BigInt(`0x${Buffer.from(message.subarray(4, 36)).toString('hex')}`)).toBe(BigInt(ethereum.chainId));
      expect(Buffer.from(message.subarray(36, 68)).toString('hex')).toBe(`${ethereum.router.slice(2)}${call.nonce.toString(16).padStart(24, '0')}`);
      expect(keccak256(message)).toBe(call.messageHash);
      const signature = getBytes(`0x${call.c.slice(2)}${call.s.slice(2)}`);
      expect(verifyRouterSignature(signature, getBytes(call.messageHash), px)).toBe(true);
      expect(verifyRouterSignature(signature, getBytes(keccak256(Uint8Array.from([...message, 0]))), px)).toBe(false);
    }
    // Each burn paid once, by one execute out, which with the relayer's fee is exactly the burn.
    for (const b of ethereum.burns) {
      const outs = ethereum.signedCalls.flatMap((c) => (c.execute?.outs ?? []).filter((o) => o.to === b.address).map((o) => ({ ...o, fee: c.execute!.fee })));
      expect(outs).toHaveLength(1);
      expect(BigInt(outs[0]!.amount) + BigInt(outs[0]!.fee)).toBe(BigInt(b.amount) * 10n ** 10n);
      expect(ethereum.received[b.address]).toBe(outs[0]!.amount);
    }
    const left = (coin: 'eth' | 'dai') => (BigInt(ethereum.deposits.find((d) => d.coin === coin)!.amount) / 10n ** 10n - BigInt(ethereum.burns.find((b) => b.coin === coin)!.amount)).toString();
    expect(summary.balances).toEqual({ [summary.seraiAccount]: { bitcoin: remaining.toString(), ether: left('eth'), dai: left('dai') } });
    console.log(`Bitcoin: deposit final -> SignedBatch ${summary.timings.depositFinalToSignedBatchMs} ms; burn's Serai block -> payout in mempool ${summary.timings.burnBlockToMempoolMs} ms; ${summary.timings.totalMs} ms`);
    console.log(`Ethereum: deposit finalized -> SignedBatch ${ethereum.timings.depositFinalToSignedBatchMs} ms; burn's Serai block -> execute in mempool ${ethereum.timings.burnBlockToMempoolMs} ms; ${ethereum.timings.totalMs} ms`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
