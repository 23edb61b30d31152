import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from '@noble/ciphers/utils.js';
import { Keystore } from '../../../store/keystore';

/** A fresh directory per test file; removed by `cleanup`. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let counter = 0;
export function freshKeystore(dir: string, key: Uint8Array = randomBytes(32)): { keystore: Keystore; path: string; key: Uint8Array } {
  const path = join(dir, `keystore-${++counter}.sqlite`);
  return { keystore: Keystore.open({ path, key }), path, key };
}
