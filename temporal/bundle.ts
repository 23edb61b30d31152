import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from './data-converter';

/**
 * Bundles workflow code once into a file that many workers load (`WORKFLOW_BUNDLE_PATH`), instead of
 * each worker running webpack at start. The failure converter is baked in and must match the
 * workers' data converter.
 */
export async function writeWorkflowBundle(workflowsPath: string, outPath: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quietLogger });
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, code);
  return outPath;
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
