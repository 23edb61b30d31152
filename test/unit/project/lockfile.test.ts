/**
 * The committed lockfile installs with this machine's npm (`npm ci --dry-run`), and the guard that
 * CI runs first (scripts/check-lockfile.sh) turns a lockfile npm rejects into one line naming it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const guard = join(root, 'scripts/check-lockfile.sh');

function check(dir?: string) {
  const run = spawnSync('bash', dir ? [guard, dir] : [guard], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stderr: run.stderr };
}

describe('package-lock.json', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'lockfile-'));
    copyFileSync(join(root, 'package.json'), join(scratch, 'package.json'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  test('the committed lockfile is accepted by this npm', () => {
    const result = check();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('every entry has a version (no inert entries that current npm cannot place)', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    const versionless = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && !entry.version);
    expect(versionless.map(([path]) => path)).toEqual([]);
  });

  test('a lockfile with a version-less optional entry is rejected in one line naming the lockfile', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    lock.packages['node_modules/@swc/core/node_modules/@swc/core-darwin-arm64'] = { optional: true };
    delete lock.packages['node_modules/@swc/core-darwin-arm64'];
    writeFileSync(join(scratch, 'package-lock.json'), JSON.stringify(lock, null, 2));
    const result = check(scratch);
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`lockfile: ${join(scratch, 'package-lock.json')} is rejected by npm `);
    expect(lines[0]).toContain("'npm run lock'");
  });

  test('a lockfile out of sync with package.json is rejected with npm\'s reason', () => {
    copyFileSync(join(root, 'package-lock.json'), join(scratch, 'package-lock.json'));
    const manifest = JSON.parse(readFileSync(join(scratch, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    manifest.dependencies.zod = '4.0.0';
    writeFileSync(join(scratch, 'package.json'), JSON.stringify(manifest, null, 2));
    const result = check(scratch);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/is rejected by npm .*zod/);
  });

  test('a missing lockfile is named', () => {
    const result = check(scratch);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`lockfile: ${join(scratch, 'package-lock.json')} is missing`);
  });
});
