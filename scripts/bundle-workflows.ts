/**
 * Prebuilds the workflow bundles the Docker image's workers load (`WORKFLOW_BUNDLE_PATH`):
 * `<dir>/processor.js` and `<dir>/coordinator.js`. Usage: tsx scripts/bundle-workflows.ts <dir>.
 */
import { join } from 'node:path';
import { coordinatorWorkflowsPath } from '../devnet/coordinator/worker';
import { writeWorkflowBundle } from '../temporal/bundle';
import { workflowsPath } from '../temporal/processor-worker';

async function main(dir: string | undefined): Promise<void> {
  if (!dir) throw new Error('usage: tsx scripts/bundle-workflows.ts <output dir>');
  for (const [name, path] of [['processor', workflowsPath], ['coordinator', coordinatorWorkflowsPath]] as const) {
    console.log(`bundled ${name} workflows into ${await writeWorkflowBundle(path, join(dir, `${name}.js`))}`);
  }
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
