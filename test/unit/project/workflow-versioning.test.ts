/**
 * Workflow code never changes unseen by the replay test: the code every recorded history replays
 * against is fingerprinted (scripts/workflow-fingerprint.mjs), and the fingerprint must be the one
 * written when the replay fixtures were last recorded from it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const run = (code: string) => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' })) as unknown;

test('the workflow code is the code the replay fixtures were last recorded from', () => {
  const { now, recorded } = run(
    `import { workflowFingerprint, recordedFingerprint } from './scripts/workflow-fingerprint.mjs';
     console.log(JSON.stringify({ now: workflowFingerprint(), recorded: recordedFingerprint() }));`,
  ) as { now: Record<string, string>; recorded: Record<string, string> & { label: string } };
  const changed = Object.keys(now).filter((bundle) => now[bundle] !== recorded[bundle]);
  if (changed.length > 0) {
    throw new Error(
      `workflow code of ${changed.join(' and ')} changed since the replay fixtures ${recorded.label} were recorded: keep older ` +
        'histories replayable with patched(), record fixtures from the new code (README, "Replay fixtures") and run ' +
        '`node scripts/workflow-fingerprint.mjs --write <label>`',
    );
  }
});

test('a change to a module a workflow runs changes the fingerprint; a comment does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fingerprint-'));
  try {
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'node20', moduleResolution: 'node16', strict: true }, include: ['wf'] }));
    mkdirSync(join(dir, 'wf'));
    writeFileSync(join(dir, 'wf', 'index.ts'), "import { rule } from './rule';\nexport const decide = () => rule(1);\n");
    writeFileSync(join(dir, 'wf', 'rule.ts'), 'export const rule = (n: number) => n + 1;\n');
    writeFileSync(join(dir, 'wf', 'unused.ts'), 'export const other = 2;\n');
    const fingerprint = () =>
      (run(`import { workflowFingerprint } from './scripts/workflow-fingerprint.mjs';
            console.log(JSON.stringify(workflowFingerprint(${JSON.stringify(dir)}, { wf: ['wf/index.ts'] })));`) as { wf: string }).wf;
    const base = fingerprint();
    writeFileSync(join(dir, 'wf', 'rule.ts'), '// why the rule is so\nexport const rule = (n: number) =>   n + 1;\n');
    expect(fingerprint()).toBe(base);
    writeFileSync(join(dir, 'wf', 'unused.ts'), 'export const other = 3;\n');
    expect(fingerprint()).toBe(base);
    writeFileSync(join(dir, 'wf', 'rule.ts'), 'export const rule = (n: number) => n + 2;\n');
    expect(fingerprint()).not.toBe(base);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
