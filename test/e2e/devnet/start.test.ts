import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../../nodes/tools';
import { addressToScript, scriptToAddress } from '../../../devnet/wallet';
import { CUSTODY_METRICS } from '../../../temporal/metrics-catalog';
import { parsePrometheus, total, type Sample } from '../../support/prometheus';

jest.setTimeout(400_000);

const execFileAsync = promisify(execFile);

test('the devnet (npm start) comes up with four validators and their keys on Bitcoin and Ethereum, npm run devnet drives both, npm run ops -- status shows every validator, every worker serves the SDK\'s and the processor\'s metrics, and Ctrl-C stops everything cleanly', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'devnet-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'devnet/start.ts'), '--data-dir', dataDir, '--temporal-port', '0', '--ui-port', '0', '--codec-port', '0'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 300_000;
    while (!output.includes('[devnet] ready.') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 250));
    expect(output).toContain('[devnet] ready.');
    expect(output).toMatch(/Temporal at 127\.0\.0\.1:\d+; UI: http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/bitcoin session 0 key generation done in attempt 0 by alice, bob, carol, dave/);
    expect(output).toMatch(/ethereum session 0 key generation done in attempt 0 by alice, bob, carol, dave/);
    const router = /Router (0x[0-9a-f]{40})/.exec(output)?.[1];
    expect(router).toBeDefined();
    const address = /deposit address (bcrt1p[0-9a-z]+)/.exec(output)?.[1];
    expect(address).toBeDefined();

    // The user command drives the running devnet.
    const cli = (...args: string[]) => execFileAsync(process.execPath, ['--import', 'tsx', join(repoRoot, 'devnet/cli.ts'), '--data-dir', dataDir, ...args], { cwd: repoRoot });
    const account = 'ab'.repeat(32);
    const deposit = JSON.parse((await cli('deposit', '0.25', '--to', account)).stdout) as { txid: string; address: string };
    expect(deposit.txid).toMatch(/^[0-9a-f]{64}$/);
    expect(deposit.address).toBe(address);
    const refused = await cli('burn', '1', '--from', account, '--to', 'not-an-address').then(() => 'accepted', (err: { stderr: string }) => err.stderr);
    expect(refused).toMatch(/InvalidAddressError|address/);
    const ether = JSON.parse((await cli('deposit', '0.25', '--coin', 'eth', '--to', account)).stdout) as { txid: string; router: string };
    expect(ether.txid).toMatch(/^0x[0-9a-f]{64}$/);
    expect(ether.router).toBe(router);
    const refusedEth = await cli('burn', '1', '--coin', 'eth', '--from', account, '--to', '0x1234').then(() => 'accepted', (err: { stderr: string }) => err.stderr);
    expect(refusedEth).toMatch(/cannot name 0x1234 as an Ethereum address/);
    const refusedCoin = await cli('deposit', '1', '--coin', 'doge', '--to', account).then(() => 'accepted', (err: { stderr: string }) => err.stderr);
    expect(refusedCoin).toMatch(/Allowed choices are btc, eth, dai/);
    type Scanners = Record<string, { session: number }>;
    const status = JSON.parse((await cli('status')).stdout) as { bitcoin: { depositAddress: string; scanners: Scanners }; ethereum: { router: string; finalized: number; scanners: Scanners } };
    expect(status.bitcoin.depositAddress).toBe(address);
    expect(Object.values(status.bitcoin.scanners).map((s) => s.session)).toEqual([0, 0, 0, 0]);
    expect(status.ethereum.router).toBe(router);
    expect(Object.values(status.ethereum.scanners).map((s) => s.session)).toEqual([0, 0, 0, 0]);
    // The operator's client reads a processor's scanner through Temporal.
    const temporalAddress = /Temporal at (127\.0\.0\.1:\d+)/.exec(output)![1]!;
    const scanner = await execFileAsync(process.execPath, ['--import', 'tsx', join(repoRoot, 'client.ts'), '--address', temporalAddress, '--namespace', 'validator-bob', '--validator', 'bob', 'scanner'], {
      cwd: repoRoot,
      env: { ...process.env, CODEC_KEYS_FILE: join(dataDir, 'codec-keys') },
    });
    expect(JSON.parse(scanner.stdout)).toMatchObject({ session: 0, externalScript: addressToScript(address!) });

    // The operator's view of every validator and network (npm run ops -- status), with the chains' tips.
    const btcdRpc = /btcd RPC (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
    const anvilRpc = /anvil RPC (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
    const btcdConf = readFileSync(join(dataDir, 'btcd', 'btcd.conf'), 'utf8');
    const passwordFile = join(dataDir, 'btcd-rpc-password');
    writeFileSync(passwordFile, `${/^rpcpass=(.*)$/m.exec(btcdConf)![1]}\n`, { mode: 0o600 });
    const ops = (...args: string[]) =>
      execFileAsync(process.execPath, ['--import', 'tsx', join(repoRoot, 'ops/cli.ts'), 'status', '--address', temporalAddress, '--validators', 'alice,bob,carol,dave',
        '--bitcoin-rpc-url', btcdRpc, '--bitcoin-rpc-user', /^rpcuser=(.*)$/m.exec(btcdConf)![1]!, '--bitcoin-rpc-password-file', passwordFile, '--ethereum-rpc-url', anvilRpc, ...args], {
        cwd: repoRoot,
        env: { ...process.env, CODEC_KEYS_FILE: join(dataDir, 'codec-keys') },
      });
    const table = (await ops()).stdout;
    console.log(`npm run ops -- status on the devnet:\n${table}`);
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^validator +network +session +key +rotation +scanned +tip +lag +batches pending +signing b\/p +stuck +outputs +queued +balance +solvency$/);
    for (const name of ['alice', 'bob', 'carol', 'dave']) {
      for (const network of ['bitcoin', 'ethereum']) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${name} +${network} +0 +[0-9a-f]{8}\\.\\.[0-9a-f]{6} +- +\\d+ +\\d+ +\\d+ `)));
    }
    type Row = { validator: string; network: string; unreachable: string | null; session: number; key: string; scanned: number; tip: number; lag: number; balance: string | null; solvency: string };
    const rows = JSON.parse((await ops('--json')).stdout) as Row[];
    expect(rows.map((r) => `${r.validator}/${r.network}`)).toEqual(['alice', 'bob', 'carol', 'dave'].flatMap((v) => [`${v}/bitcoin`, `${v}/ethereum`]));
    for (const row of rows) {
      expect(row).toMatchObject({ unreachable: null, session: 0, key: row.network === 'bitcoin' ? addressToScript(address!) : router!.slice(2) });
      expect(row.solvency).toMatch(/^solvent/);
      // The scanners keep up: a few blocks behind the tip at most (Bitcoin's confirmations; Ethereum's finality).
      expect(row.lag).toBeGreaterThanOrEqual(0);
      expect(row.lag).toBeLessThan(row.network === 'bitcoin' ? 15 : 100);
    }
    // The Router holds the 0.25 ETH deposited above.
    for (const row of rows.filter((r) => r.network === 'ethereum')) expect(BigInt(row.balance!)).toBeGreaterThanOrEqual(250_000_000_000_000_000n);

    // Every worker's Prometheus endpoint, after a payout and a burn too small to pay.
    const endpoints = [...output.matchAll(/\[devnet\] metrics (\w+) (bitcoin|ethereum) (http:\/\/127\.0\.0\.1:\d+\/metrics)/g)].map((m) => ({ validator: m[1]!, network: m[2]!, url: m[3]! }));
    expect(endpoints.map((e) => `${e.validator}/${e.network}`).sort()).toEqual(['alice', 'bob', 'carol', 'dave'].flatMap((v) => [`${v}/bitcoin`, `${v}/ethereum`]).sort());
    const minted = Date.now() + 120_000;
    type SeraiStatus = { serai: { balances: Record<string, Record<string, string>> } };
    while (BigInt((JSON.parse((await cli('status')).stdout) as SeraiStatus).serai.balances[account]?.bitcoin ?? '0') === 0n && Date.now() < minted) await new Promise((r) => setTimeout(r, 1000));
    const payee = scriptToAddress(`0014${'11'.repeat(20)}`);
    await cli('burn', '0.1', '--from', account, '--to', payee);
    await cli('burn', '0.000001', '--from', account, '--to', payee);
    const scrape = async () => Promise.all(endpoints.map(async (e) => ({ ...e, samples: parsePrometheus(await (await fetch(e.url)).text()) })));
    const sum = (scraped: { network: string; samples: Sample[] }[], network: string, name: string, labels: Record<string, string> = {}) =>
      scraped.filter((s) => s.network === network).reduce((acc, s) => acc + total(s.samples, name, labels), 0);
    const settled = (scraped: { network: string; samples: Sample[] }[]) =>
      sum(scraped, 'bitcoin', 'custody_signed_total', { kind: 'batch' }) > 0 &&
      sum(scraped, 'ethereum', 'custody_signed_total', { kind: 'batch' }) > 0 &&
      sum(scraped, 'bitcoin', 'custody_signed_total', { kind: 'plan' }) > 0 &&
      sum(scraped, 'bitcoin', 'custody_unpaid_total', { kind: 'payment' }) > 0 &&
      scraped.every((s) => s.samples.some((x) => x.name === 'custody_status_up' && x.value === 1));
    let scraped = await scrape();
    const scrapeDeadline = Date.now() + 180_000;
    while (!settled(scraped) && Date.now() < scrapeDeadline) {
      await new Promise((r) => setTimeout(r, 2000));
      scraped = await scrape();
    }
    const names = (samples: Sample[]) => new Set(samples.map((x) => x.name.replace(/_(bucket|sum|count)$/, '')));
    for (const { validator, network, samples } of scraped) {
      const where = `${validator} ${network}`;
      const found = names(samples);
      // The SDK's own metrics: its requests to the server, its pollers, its task latencies.
      for (const sdk of ['temporal_request_total', 'temporal_num_pollers', 'temporal_worker_task_slots_available', 'temporal_workflow_task_execution_latency']) expect({ where, sdk, found: found.has(sdk) }).toEqual({ where, sdk, found: true });
      // Every processor metric; those of events that need not happen at every worker (a signer left out of the signing set, the one unpaid burn) are summed below.
      const local = Object.keys(CUSTODY_METRICS).filter((name) => !['custody_unpaid_total', 'custody_signed_total', 'custody_signing_attempt_seconds'].includes(name));
      for (const name of local) expect({ where, name, found: found.has(name) }).toEqual({ where, name, found: true });
      for (const x of samples.filter((x) => x.name.startsWith('custody_'))) expect(x.labels).toMatchObject({ validator, network });
      expect(total(samples, 'custody_status_up')).toBe(1);
      expect(total(samples, 'custody_key_session')).toBe(0);
      expect(total(samples, 'custody_scan_lag_blocks')).toBeLessThan(network === 'bitcoin' ? 15 : 100);
      expect(total(samples, 'custody_scan_height')).toBeGreaterThan(0);
      expect(total(samples, 'custody_keygen_attempts_total')).toBeGreaterThanOrEqual(1);
      expect(total(samples, 'custody_keygen_blamed_total')).toBe(0);
      expect(total(samples, 'custody_payouts_halted')).toBe(0);
      expect(total(samples, 'custody_signings_stuck')).toBe(0);
    }
    // Batches were signed on both networks (by every signer of the threshold, at least), the Bitcoin payout too, and the dust burn counted as unpaid.
    for (const network of ['bitcoin', 'ethereum']) expect(sum(scraped, network, 'custody_signed_total', { kind: 'batch' })).toBeGreaterThanOrEqual(3);
    expect(sum(scraped, 'bitcoin', 'custody_signed_total', { kind: 'plan' })).toBeGreaterThanOrEqual(3);
    expect(sum(scraped, 'bitcoin', 'custody_unpaid_total', { kind: 'payment' })).toBeGreaterThanOrEqual(1);
    for (const network of ['bitcoin', 'ethereum']) {
      expect(sum(scraped, network, 'custody_signing_attempts_total')).toBeGreaterThanOrEqual(sum(scraped, network, 'custody_signed_total'));
      expect(sum(scraped, network, 'custody_signing_attempt_seconds_count', { end: 'signed' })).toBe(sum(scraped, network, 'custody_signed_total'));
    }
    console.log(`metrics of alice's Bitcoin worker:\n${(await (await fetch(endpoints.find((e) => e.validator === 'alice' && e.network === 'bitcoin')!.url)).text()).split('\n').filter((l) => l.startsWith('custody_')).join('\n')}`);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const name of ['validators and coordinator', 'miner', 'anvil', 'btcd', 'Temporal dev server', 'codec server']) expect(output).toContain(`[devnet] stopped ${name}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
