/** The Grafana dashboard (ops/grafana/custody-dashboard.json) against the metric catalog: it shows every processor metric and names no other. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUSTODY_METRICS } from '../../../temporal/metrics-catalog';

interface Panel {
  id: number;
  title: string;
  datasource: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: { expr: string }[];
}

const dashboard = JSON.parse(readFileSync(join(__dirname, '../../../ops/grafana/custody-dashboard.json'), 'utf8')) as { uid: string; panels: Panel[]; templating: { list: { name: string }[] } };
const usedMetrics = (panel: Panel) => panel.targets.flatMap((t) => [...t.expr.matchAll(/\b((?:custody|temporal)_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, '')));

test('every processor metric of the catalog has a panel, and every custody_ series a panel reads is in the catalog', () => {
  const used = new Set(dashboard.panels.flatMap(usedMetrics));
  for (const name of Object.keys(CUSTODY_METRICS)) expect({ name, shown: used.has(name) }).toEqual({ name, shown: true });
  for (const name of used) if (name.startsWith('custody_')) expect({ name, catalogued: name in CUSTODY_METRICS }).toEqual({ name, catalogued: true });
});

test("every panel reads the provisioned Prometheus datasource, filters by the dashboard's validator and network variables, and has a place of its own", () => {
  expect(dashboard.templating.list.map((v) => v.name)).toEqual(['validator', 'network']);
  expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  const cells = new Set<string>();
  for (const panel of dashboard.panels) {
    expect({ title: panel.title, datasource: panel.datasource }).toEqual({ title: panel.title, datasource: { type: 'prometheus', uid: 'prometheus' } });
    expect(panel.targets.length).toBeGreaterThan(0);
    for (const { expr } of panel.targets) expect({ title: panel.title, filtered: expr.includes('network=~"$network"') }).toEqual({ title: panel.title, filtered: true });
    for (let x = panel.gridPos.x; x < panel.gridPos.x + panel.gridPos.w; x++) {
      for (let y = panel.gridPos.y; y < panel.gridPos.y + panel.gridPos.h; y++) {
        expect(cells.has(`${x},${y}`)).toBe(false);
        cells.add(`${x},${y}`);
      }
    }
  }
});
