// The fingerprint of the workflow code that recorded histories replay against: every module the
// processor's and the devnet coordinator's workflow bundles contain (scripts/workflow-modules.mjs),
// as the compiler emits it (comments and formatting gone), hashed with its path. Code that runs in a
// workflow cannot change without this changing, so a test holds it against the fingerprint written
// when the replay fixtures were last recorded: a change to workflow code must come with `patched()`
// for old histories and fixtures recorded from the new code.
//
// Usage: `node scripts/workflow-fingerprint.mjs` prints it and whether the fixtures' one matches;
// `node scripts/workflow-fingerprint.mjs --write <label>` records it after recording fixtures <label>.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot, workflowModules } from './workflow-modules.mjs';

const require = createRequire(import.meta.url);
const ts = require('typescript');

/** The bundles whose histories are replay fixtures. */
export const replayedBundles = { processor: ['workflows/index.ts'], coordinator: ['devnet/coordinator/workflows.ts'] };
export const fingerprintFile = join(repoRoot, 'test', 'integration', 'replay', 'fingerprint.json');

function emitted(root, path) {
  const source = readFileSync(join(root, path), 'utf8');
  const output = ts.transpileModule(source, { compilerOptions: { removeComments: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS } });
  return output.outputText.replace(/\s+/g, ' ').trim();
}

export function workflowFingerprint(root = repoRoot, bundles = replayedBundles) {
  const result = {};
  for (const [bundle, entries] of Object.entries(bundles)) {
    const hash = createHash('sha256');
    for (const path of workflowModules(root, entries)) hash.update(`${path}\0${emitted(root, path)}\n`);
    result[bundle] = hash.digest('hex');
  }
  return result;
}

export function recordedFingerprint() {
  return JSON.parse(readFileSync(fingerprintFile, 'utf8'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const now = workflowFingerprint();
  const write = process.argv.indexOf('--write');
  if (write >= 0) {
    const label = process.argv[write + 1];
    if (!label) throw new Error('--write needs the label of the fixtures just recorded');
    writeFileSync(fingerprintFile, `${JSON.stringify({ label, ...now }, null, 2)}\n`);
    console.log(`recorded the workflow fingerprint for fixtures ${label}`);
  } else {
    const recorded = recordedFingerprint();
    console.log(JSON.stringify({ now, recorded }, null, 2));
  }
}
