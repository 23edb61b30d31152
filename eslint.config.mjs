import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

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
    files: ['workflows/**/*.ts', 'scheduler/**/*.ts', 'messages/**/*.ts', 'devnet/coordinator/keygen.ts', 'devnet/coordinator/defs.ts', 'devnet/coordinator/workflows.ts', 'devnet/coordinator/batch.ts', 'devnet/coordinator/serai-chain.ts', 'devnet/coordinator/serai-defs.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must not import Node builtins (it runs in the deterministic sandbox).' })) }],
    },
  },
);
