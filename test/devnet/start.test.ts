import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../devnet/nodes/tools';

jest.setTimeout(240_000);

test('the devnet (npm start) comes up, a processor worker answers, and Ctrl-C stops everything cleanly', async () => {
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
    const deadline = Date.now() + 180_000;
    while (!output.includes('[devnet] ready.') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 250));
    expect(output).toContain('[devnet] ready.');
    expect(output).toMatch(/Temporal at 127\.0\.0\.1:\d+; UI: http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/processor worker alice answered: keystore schema v\d+, btcd height 0/);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const name of ['processor worker alice', 'anvil', 'btcd', 'Temporal dev server', 'codec server']) expect(output).toContain(`[devnet] stopped ${name}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
