/**
 * The chain seam holds: no workflow names a chain or imports one. A chain reaches the workflows
 * only through the network registry's rules (networks/rules.ts), chosen by network name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const workflows = join(__dirname, '../../../workflows');
const files = readdirSync(workflows).filter((file) => file.endsWith('.ts'));
const chainImport = /from ['"][./]*networks\/(bitcoin|ethereum)\//;
const chainName = /\b(bitcoin|ethereum|btc|eth|erc20|router)\b/i;

test('the workflows are the ones this check reads', () => {
  expect(files).toEqual(expect.arrayContaining(['scanner.ts', 'plan.ts', 'batch.ts', 'keygen.ts', 'serai-block.ts', 'scheduling.ts']));
});

test.each(files)('workflows/%s neither imports a chain nor names one', (file) => {
  const lines = readFileSync(join(workflows, file), 'utf8').split('\n');
  expect(lines.filter((line) => chainImport.test(line))).toEqual([]);
  expect(lines.map((line, i) => `${i + 1}: ${line.trim()}`).filter((line) => chainName.test(line))).toEqual([]);
});

test('the patterns find what they guard against', () => {
  expect(chainImport.test("import { bitcoinFeeModel } from '../networks/bitcoin/fees';")).toBe(true);
  expect(chainImport.test("import { ruleSetOf } from '../networks/rules';")).toBe(false);
  expect(chainName.test('const fee = bitcoinFeeModel(rate);')).toBe(false);
  expect(chainName.test("if (network === 'ethereum') return routerPlan();")).toBe(true);
});
