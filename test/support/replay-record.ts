/**
 * Writes a workflow's history as a replay fixture (test/integration/replay/histories/<label>-<type>.json), in
 * the temporal CLI's JSON export (the format the replayer documents). The run must use the
 * committed test-only codec key (test/integration/replay/codec-keys) so the replay test can decode it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolPath } from '../../nodes/tools';

export const REPLAY_DIR = join(__dirname, '..', 'integration', 'replay');

export function replayCodecKeys(): string {
  return readFileSync(join(REPLAY_DIR, 'codec-keys'), 'utf8');
}

export function recordHistory(temporalAddress: string, namespace: string, workflowId: string, file: string): string {
  const json = execFileSync(toolPath('temporal'), ['workflow', 'show', '--address', temporalAddress, '--namespace', namespace, '--workflow-id', workflowId, '--output', 'json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const path = join(REPLAY_DIR, 'histories', `${file}.json`);
  writeFileSync(path, JSON.stringify({ workflowId, history: JSON.parse(json) }, null, 1));
  return path;
}
