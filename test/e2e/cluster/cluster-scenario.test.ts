/**
 * `npm start -- --scenario --temporal cluster`: the devnet on a real Temporal cluster (the server
 * built from go.temporal.io/server, its frontend, history, matching and worker services as processes
 * of their own, on a PostgreSQL of the devnet's own), three validators at 2-of-3 on Bitcoin with two
 * worker processes each. Bob's and carol's workers are frozen before the burn, so the payout waits:
 * once alice's plan sent its preprocess, her worker that ran the plan's latest workflow task and the
 * cluster's history service are SIGKILLed, the history service is started again and the others
 * thawed; her other worker signs with the nonces their shared keystore committed. The scenario exits 0, its summary verifies offline as the dev server's does, the
 * burn is paid once, and PostgreSQL (started again on the run's data dir) holds the run's workflows.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexToBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import { Transaction } from 'bitcoinjs-lib';
import type { PayoutKill } from '../../../devnet/payout-chaos';
import type { ScenarioSummary } from '../../../devnet/scenario';
import { VISIBILITY_DATABASE, TEMPORAL_DATABASE } from '../../../devnet/temporal-cluster';
import { addressToScript } from '../../../devnet/wallet';
import { batchMessage } from '../../../messages';
import { DEPOSIT_FEE } from '../../../networks/bitcoin/instructions';
import { startPostgres } from '../../../nodes/postgres';
import { repoRoot } from '../../../nodes/tools';

jest.setTimeout(600_000);

test('the scenario on a Temporal cluster on PostgreSQL, two workers per validator, its history service and one worker SIGKILLed while the payout signs: exit 0, a summary that verifies, the burn paid once, the workflows in PostgreSQL', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cluster-scenario-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'devnet/start.ts'), '--scenario', '--temporal', 'cluster', '--networks', 'bitcoin', '--validators', '3', '--threshold', '2',
      '--workers-per-validator', '2', '--kill-during-payout', '--data-dir', dataDir, '--temporal-port', '0', '--ui-port', '0', '--codec-port', '0'],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    if (code !== 0) console.error(stderr.slice(-8000));
    expect(code).toBe(0);
    console.log(stderr.split('\n').filter((l) => /Temporal|PostgreSQL|SIGKILL|signed|payout|minted/.test(l)).join('\n'));
    expect(stderr).toMatch(/Temporal cluster at 127\.0\.0\.1:\d+: history, matching, frontend, worker in processes of their own, on PostgreSQL/);
    const summary = JSON.parse(stdout) as ScenarioSummary & { payoutKills: PayoutKill[]; payoutPlanFinishedBy: { worker: string; pid: number } };
    expect(summary.ok).toBe(true);
    expect(summary.checks).toEqual({ minted: true, supplyMatchesBalances: true, paidOnce: true });

    // The kills, at the named point: alice's worker holding the payout plan, then the history service, both after her preprocess went out.
    expect(summary.payoutKills.map((k) => k.what)).toEqual([expect.stringMatching(/^worker alice [12]$/), 'temporal history']);
    const planId = summary.payouts[0]!.planId;
    for (const kill of summary.payoutKills) {
      expect(kill.workflowId).toBe(`plan-bitcoin-${planId}`);
      // Alice's preprocess was sent and the others were frozen: the plan could not have signed yet.
      expect(kill.stage).toMatch(/^attempt \d+: awaiting preprocesses/);
      expect(kill.pid).toEqual(expect.any(Number));
    }
    expect(summary.payoutKills[1]!.downMs).toBeGreaterThan(0);
    // Alice's other worker finished her plan: the worker that ran its last workflow task is the one not killed.
    const alicePids = [...stderr.matchAll(/worker alice ([12])\/2 started \(pid (\d+)\)/g)].map((m) => ({ worker: `worker alice ${m[1]}`, pid: Number(m[2]) }));
    expect(alicePids).toHaveLength(2);
    const survivor = alicePids.find((w) => w.worker !== summary.payoutKills[0]!.what)!;
    expect(summary.payoutKills[0]!.pid).toBe(alicePids.find((w) => w.worker === summary.payoutKills[0]!.what)!.pid);
    expect(summary.payoutPlanFinishedBy).toEqual(survivor);

    // The summary verifies offline: every Batch under the Serai key, the deposit and the payout as raw transactions, one payout to the burn's address.
    summary.batches.forEach((batch, index) => {
      expect(batch.id).toBe(index);
      const message = batchMessage({ network: 'bitcoin', id: batch.id, block: batch.block, instructions: batch.instructions });
      expect(sr25519.verify(message, hexToBytes(batch.signature), hexToBytes(summary.seraiKey))).toBe(true);
    });
    const [deposit] = summary.deposits;
    expect(Transaction.fromHex(deposit!.hex).getId()).toBe(deposit!.txid);
    const credits = summary.batches.flatMap((b) => b.instructions).filter((i) => i.instruction.kind === 'Transfer' && i.instruction.address === summary.seraiAccount);
    expect(credits.map((c) => c.balance.amount)).toEqual([(BigInt(deposit!.amount) - DEPOSIT_FEE).toString()]);
    const [burn] = summary.burns;
    const burnScript = addressToScript(burn!.address);
    expect(summary.payouts).toHaveLength(1);
    for (const payout of summary.payouts) expect(Transaction.fromHex(payout.hex).getId()).toBe(payout.txid);
    const paid = summary.payouts.flatMap((p) => Transaction.fromHex(p.hex).outs.filter((o) => Buffer.from(o.script).toString('hex') === burnScript));
    expect(paid).toHaveLength(1);
    expect(paid[0]!.value).toBeLessThanOrEqual(BigInt(burn!.amount));

    // PostgreSQL holds the run: each validator's scanner, every Batch's and the plan's workflows, the coordinator's.
    const clusterDir = join(dataDir, 'temporal-cluster');
    const postgres = await startPostgres({ dataDir: join(clusterDir, 'postgresql'), user: 'temporal', password: readFileSync(join(clusterDir, 'postgres-password'), 'utf8').trim() });
    try {
      const namespaces = new Map(postgres.query(TEMPORAL_DATABASE, `SELECT encode(id, 'hex'), name FROM namespaces`).trim().split('\n').map((line) => line.split('|') as [string, string]));
      const workflows = postgres.query(VISIBILITY_DATABASE, 'SELECT trim(namespace_id), workflow_id, status FROM executions_visibility').trim().split('\n').map((line) => {
        const [namespaceId, workflowId, status] = line.split('|');
        return { namespace: namespaces.get(namespaceId!.replace(/-/g, '')) ?? namespaceId!, workflowId: workflowId!, status: Number(status) };
      });
      const inNamespace = (namespace: string) => new Set(workflows.filter((w) => w.namespace === namespace).map((w) => w.workflowId));
      for (const validator of ['alice', 'bob', 'carol']) {
        const ids = inNamespace(`validator-${validator}`);
        expect(ids.has('scanner-bitcoin')).toBe(true);
        expect(ids.has(`plan-bitcoin-${planId}`)).toBe(true);
        for (const batch of summary.batches) expect(ids.has(`batch-bitcoin-${batch.id}`)).toBe(true);
      }
      expect(inNamespace('coordinator').size).toBeGreaterThan(summary.batches.length);
      const current = Number(postgres.query(TEMPORAL_DATABASE, `SELECT count(*) FROM current_executions WHERE workflow_id = 'scanner-bitcoin'`).trim());
      expect(current).toBe(3);
      console.log(`PostgreSQL holds ${workflows.length} workflow executions in ${new Set(workflows.map((w) => w.namespace)).size} namespaces`);
    } finally {
      await postgres.stop();
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    if (process.env.KEEP_TEST_DATA) console.log(`kept ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
});
