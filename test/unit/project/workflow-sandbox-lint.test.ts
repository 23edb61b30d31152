/**
 * The ESLint workflow-sandbox rule covers every module Temporal bundles into a workflow bundle, by
 * construction: eslint.config.mjs takes its `files` from scripts/workflow-modules.mjs, which follows
 * the runtime imports of the bundle entry points. The script and ESLint are ES modules, which jest's
 * CommonJS runtime cannot import, so each check runs in a child `node`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(__dirname, '../../..');
const scriptUrl = pathToFileURL(join(root, 'scripts/workflow-modules.mjs')).href;

/** Runs an ES module snippet in `cwd` and parses the JSON it prints. */
function runModule<T>(source: string, cwd = root): T {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', source], { cwd, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`node exited with ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

describe('the modules of the workflow bundles', () => {
  let modules: string[];
  let entries: string[];
  beforeAll(() => {
    ({ modules, entries } = runModule<{ modules: string[]; entries: string[] }>(
      `import { workflowModules, workflowEntryPoints } from ${JSON.stringify(scriptUrl)};
       console.log(JSON.stringify({ modules: workflowModules(), entries: workflowEntryPoints() }));`,
    ));
  });

  test('are sorted repo-relative paths', () => {
    expect(modules.length).toBeGreaterThan(20);
    expect([...modules].sort()).toEqual(modules);
    for (const file of modules) expect(file).toMatch(/^[\w.-]+(\/[\w.-]+)*$/);
  });

  test('start from the production entry points and every bundle the tests build', () => {
    expect(entries).toEqual(
      expect.arrayContaining([
        'workflows/index.ts',
        'devnet/coordinator/workflows.ts',
        'temporal/failure-converter.ts',
        'test/fixtures/codec-probe-workflows.ts',
        'test/fixtures/signing-driver-workflows.ts',
        'test/integration/scheduler/scheduler-workflow.ts',
        'test/unit/messages/workflow-import.workflow.ts',
        'test/integration/serai/scheduled-activities-probe.ts',
      ]),
    );
    expect(modules).toEqual(expect.arrayContaining(entries));
  });

  test('include the modules the entry points reach at run time, across directories', () => {
    expect(modules).toEqual(
      expect.arrayContaining([
        'workflows/scanner.ts',
        'networks/rules.ts',
        'networks/bitcoin/rules.ts',
        'networks/finality.ts',
        'devnet/coordinator/plan.ts',
        'devnet/coordinator/signing-relay.ts',
        'scheduler/index.ts',
        'messages/index.ts',
      ]),
    );
  });

  test('leave out modules reached only through `import type`', () => {
    for (const file of ['activities/index.ts', 'activities/health.ts', 'activities/scanning.ts', 'devnet/coordinator/activities.ts', 'networks/bitcoin/rpc.ts', 'networks/network.ts']) {
      expect(modules).not.toContain(file);
    }
    expect(modules.filter((file) => file.includes('node_modules'))).toEqual([]);
  });
});

describe('the import walk', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'workflow-modules-'));
    const files: Record<string, string> = {
      'package.json': '{ "name": "scratch", "private": true }',
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'node20', moduleResolution: 'node16', strict: true }, include: ['**/*.ts'] }),
      'wf/index.ts': [
        "import { a } from './a';",
        "import type { B } from './b';",
        "import { type C } from './c';",
        "export type { E } from './e';",
        "export { d } from '../lib';",
        "export * from './star';",
        "import './side';",
        'export const all = a;',
      ].join('\n'),
      'wf/a.ts': 'export const a = 1;',
      'wf/b.ts': 'export type B = number;',
      'wf/c.ts': 'export type C = number;',
      'wf/e.ts': 'export type E = number;',
      'wf/star.ts': 'export const star = 1;',
      'wf/side.ts': 'globalThis.toString();',
      'lib/index.ts': "export { f as d } from './f';",
      'lib/f.ts': 'export const f = 1;',
      'worker.ts': [
        "import { a } from './wf/a';",
        "export const probeWorkflowsPath = require.resolve('./probe-workflows');",
        "export const options = { interceptors: { workflowModules: [require.resolve('./interceptor')] }, other: require.resolve('./not-bundled') };",
      ].join('\n'),
      'probe-workflows.ts': "export { g } from './g';",
      'g.ts': 'export const g = 1;',
      'interceptor.ts': 'export const interceptors = () => ({});',
      'not-bundled.ts': 'export const n = 1;',
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(scratch, file)), { recursive: true });
      writeFileSync(join(scratch, file), text);
    }
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test('follows runtime imports and re-exports with TypeScript resolution, finds bundled require.resolve targets, skips type-only ones', () => {
    const modules = runModule<string[]>(
      `import { workflowModules } from ${JSON.stringify(scriptUrl)};
       console.log(JSON.stringify(workflowModules(process.cwd(), ['wf/index.ts'])));`,
      scratch,
    );
    expect(modules).toEqual(['g.ts', 'interceptor.ts', 'lib/f.ts', 'lib/index.ts', 'probe-workflows.ts', 'wf/a.ts', 'wf/index.ts', 'wf/side.ts', 'wf/star.ts']);
  });
});

describe('the sandbox lint rule', () => {
  test('rejects Node builtins in a bundled module and not in an activity', () => {
    const text = "import { readFileSync } from 'node:fs';\nimport { Client } from '@temporalio/client';\nimport type { Connection } from '@temporalio/client';\nexport const used: unknown[] = [readFileSync, Client] satisfies unknown[];\nexport type Used = Connection;\n";
    const results = runModule<Record<string, Array<{ ruleId: string | null; line: number; message: string }>>>(
      `import { ESLint } from 'eslint';
       const eslint = new ESLint({ cwd: process.cwd() });
       const out = {};
       for (const filePath of ['networks/rules.ts', 'devnet/coordinator/plan.ts', 'activities/health.ts']) {
         const [result] = await eslint.lintText(${JSON.stringify(text)}, { filePath });
         out[filePath] = result.messages.map(({ ruleId, line, message }) => ({ ruleId, line, message }));
       }
       console.log(JSON.stringify(out));`,
    );
    for (const bundled of ['networks/rules.ts', 'devnet/coordinator/plan.ts']) {
      expect(results[bundled]).toEqual(
        expect.arrayContaining([
          { ruleId: 'no-restricted-imports', line: 1, message: expect.stringContaining('Workflow code must not import Node builtins') },
          { ruleId: '@typescript-eslint/no-restricted-imports', line: 2, message: expect.stringContaining('Workflow code must not import this package') },
        ]),
      );
      // A type import is erased before bundling, so it stays allowed.
      expect(results[bundled]!.filter((m) => m.line === 3)).toEqual([]);
    }
    expect(results['activities/health.ts']!.filter((m) => m.ruleId?.endsWith('no-restricted-imports'))).toEqual([]);
  });
});
