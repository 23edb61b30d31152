/** No source, test or script names a path that exists only on one machine. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
// A quoted string that starts at a home directory, at the machine's work dir, or at any absolute
// path into a `shared/` folder.
const machinePath = /['"`](?:\/(?:root|home|Users|work)\/|\/[^'"`\s]*\/shared\/)[^'"`]*['"`]/;

test('no committed source file names an absolute path of one machine', () => {
  const files = execFileSync('git', ['ls-files', '*.ts', '*.js', '*.mjs', '*.cjs', '*.sh', '.ci/run'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((file) => file && file !== 'test/unit/project/paths.test.ts' && existsSync(join(root, file)));
  expect(files.length).toBeGreaterThan(100);
  const hits = files.flatMap((file) =>
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .flatMap((line, i) => (machinePath.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );
  expect(hits).toEqual([]);
});

test('the pattern finds the kind of path it guards against', () => {
  expect(machinePath.test("readFileSync(`/work/shared/vectors/frost/${file}`)")).toBe(true);
  expect(machinePath.test("const home = '/root/.cache/x'")).toBe(true);
  expect(machinePath.test("join(__dirname, '../fixtures/rfc9591', file)")).toBe(false);
});
