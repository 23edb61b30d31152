import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..');

/** Path of a tool installed by `npm run tools` (scripts/tools.sh), overridable by `<TOOL>_PATH`. */
export function toolPath(tool: 'temporal' | 'btcd' | 'btcctl' | 'anvil'): string {
  const override = process.env[`${tool.toUpperCase()}_PATH`];
  const path = override ?? join(REPO_ROOT, '.tools', 'bin', tool);
  if (!existsSync(path)) throw new Error(`${tool} not found at ${path}: run \`npm run tools\` first`);
  return path;
}
