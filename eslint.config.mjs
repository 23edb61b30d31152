import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import { workflowModules } from './scripts/workflow-modules.mjs';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// Every project module that Temporal bundles into a workflow bundle, computed from the bundle entry
// points by following runtime imports (scripts/workflow-modules.mjs), so a newly bundled module is
// covered without editing this file.
const sandboxedFiles = workflowModules();
const globChars = sandboxedFiles.filter((file) => /[*?[\]{}()!+@\\]/.test(file));
if (globChars.length > 0) throw new Error(`bundled module paths with glob characters need escaping: ${globChars.join(', ')}`);

// Packages that only work outside the sandbox (native code, Node I/O, worker/client side of Temporal).
// Type imports stay allowed: they are erased before bundling.
const outsideSandbox = ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing', 'better-sqlite3', 'pino'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', 'coverage/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node builtins, ever.
    files: sandboxedFiles,
    rules: {
      'no-restricted-imports': ['error', { paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must not import Node builtins (it runs in the deterministic sandbox).' })) }],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: outsideSandbox.map((name) => ({ name, allowTypeImports: true, message: 'Workflow code must not import this package at run time (it does not work in the deterministic sandbox); reach it through an activity.' })) },
      ],
    },
  },
);
