/**
 * The simulator's state in one JSON file, so the devnet's Serai chain survives restarts. Writes
 * go to a temporary file in the same directory, are flushed, then renamed over the old file: a
 * crash leaves either the old state or the new one, never a torn file.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { SeraiStoreError } from './errors';
import { parseState, serializeState } from './serialize';
import { emptyState, type SeraiChainState } from './state';

// Duck-typed: errors from fs may come from another realm (jest), where instanceof Error fails.
function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** The stored state, or a fresh chain if the file does not exist. Corrupt content is a CorruptStateError. */
export function loadSeraiState(path: string): SeraiChainState {
  let json: string;
  try {
    json = readFileSync(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return emptyState();
    throw new SeraiStoreError(path, 'read', error);
  }
  return parseState(json);
}

export function saveSeraiState(path: string, state: SeraiChainState): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeFileSync(fd, serializeState(state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch (cleanup) {
      throw new SeraiStoreError(path, 'write', new AggregateError([error, cleanup], 'write failed, then removing the temporary file failed'));
    }
    throw new SeraiStoreError(path, 'write', error);
  }
}
