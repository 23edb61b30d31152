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

const temporalJson = (temporalAddress: string, args: string[]): unknown =>
  JSON.parse(execFileSync(toolPath('temporal'), [...args, '--address', temporalAddress, '--output', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));

interface ExportedHistory {
  events: { eventType: string }[];
}

/**
 * Writes the workflow's latest run, or with `richest` the run of its continue-as-new chain with the
 * most version markers (then the most events): the latest run of a long-lived workflow may hold
 * little more than its start.
 */
export function recordHistory(temporalAddress: string, namespace: string, workflowId: string, file: string, run: 'latest' | 'richest' = 'latest'): string {
  const show = (runId?: string) =>
    temporalJson(temporalAddress, ['workflow', 'show', '--namespace', namespace, '--workflow-id', workflowId, ...(runId ? ['--run-id', runId] : [])]) as ExportedHistory;
  let history = show();
  if (run === 'richest') {
    const runs = temporalJson(temporalAddress, ['workflow', 'list', '--namespace', namespace, '--query', `WorkflowId = '${workflowId}'`]) as { execution: { runId: string } }[];
    const score = (h: ExportedHistory) => [h.events.filter((e) => e.eventType === 'EVENT_TYPE_MARKER_RECORDED').length, h.events.length] as const;
    for (const { execution } of runs) {
      const candidate = show(execution.runId);
      const [markers, events] = score(candidate);
      const [bestMarkers, bestEvents] = score(history);
      if (markers > bestMarkers || (markers === bestMarkers && events > bestEvents)) history = candidate;
    }
  }
  const path = join(REPLAY_DIR, 'histories', `${file}.json`);
  writeFileSync(path, JSON.stringify({ workflowId, history }, null, 1));
  return path;
}
