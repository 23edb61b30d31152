import { accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';

/** The external tools `scripts/tools.sh` installs into `<repo>/.tools/bin`. */
export type ToolName = 'btcd' | 'btcctl' | 'anvil' | 'temporal' | 'temporal-server' | 'temporal-sql-tool';

const overrideEnv: Record<ToolName, string> = {
  btcd: 'BTCD_PATH',
  btcctl: 'BTCCTL_PATH',
  anvil: 'ANVIL_PATH',
  temporal: 'TEMPORAL_PATH',
  'temporal-server': 'TEMPORAL_SERVER_PATH',
  'temporal-sql-tool': 'TEMPORAL_SQL_TOOL_PATH',
};

export const repoRoot = resolve(__dirname, '..');

export class ToolMissingError extends Error {
  override readonly name = 'ToolMissingError';
  constructor(
    readonly tool: ToolName,
    readonly path: string,
    readonly fromEnv: string | undefined,
  ) {
    super(
      fromEnv
        ? `${tool}: ${fromEnv}=${path} is not an executable file`
        : `${tool}: ${path} is missing or not executable; run \`npm run tools\` to install the pinned tools`,
    );
  }
}

/** Absolute path of an installed tool; the env override (e.g. BTCD_PATH) wins over `.tools/bin`. */
export function toolPath(tool: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  const envName = overrideEnv[tool];
  const override = env[envName];
  const path = override ? resolve(override) : join(repoRoot, '.tools', 'bin', tool);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new ToolMissingError(tool, path, override ? envName : undefined);
  }
  return path;
}
