/**
 * Every activity that may run longer than a minute heartbeats: a worker killed mid-activity is
 * then noticed after the heartbeat timeout, not after the start-to-close timeout, during which its
 * workflow would wait (a scanner SIGKILLed while applying a Serai block stalled five minutes once,
 * before `seraiBlockActivities` had a heartbeat timeout). Read from the source of
 * workflows/activity-options.ts: its proxies cannot be made outside a workflow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { msToNumber } from '@temporalio/common/lib/time';
import { repoRoot } from '../../../nodes/tools';

const source = readFileSync(join(repoRoot, 'workflows/activity-options.ts'), 'utf8');
const proxies = [...source.matchAll(/export const (\w+) = proxyActivities<[\s\S]*?>\(\{([\s\S]*?)\n\}\);/g)].map(([, name, options]) => ({ name: name!, options: options! }));

test('activity-options.ts declares its proxies as this test reads them', () => {
  expect(proxies.map((p) => p.name)).toEqual(expect.arrayContaining(['scanActivities', 'seraiBlockActivities', 'signingActivities', 'keygenActivities']));
  expect(proxies.length).toBe((source.match(/proxyActivities</g) ?? []).length);
});

test.each(proxies.map((p) => [p.name, p.options]))('%s: a start-to-close timeout over a minute comes with a heartbeat timeout', (_name, options) => {
  const timeout = /startToCloseTimeout: '([^']+)'/.exec(options)?.[1];
  expect(timeout).toBeDefined();
  if (msToNumber(timeout as `${number} minutes`) > 60_000) expect(options).toMatch(/heartbeatTimeout: /);
});
