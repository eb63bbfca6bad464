import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { metricCatalog } from '../src/observe/index.js';
import { createTempSqlite } from '../src/testing/index.js';
import { realRun } from './support/real-run.js';

/**
 * Keeps ops/ honest against the code: every metric the Grafana dashboard and the alert rules
 * name must exist in a real exposition of our registry, the docs must list every metric, and,
 * where promtool is installed (CI installs Debian's `prometheus` package), the exposition must
 * pass `promtool check metrics` and the rules `promtool check rules` / `promtool test rules`.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(`${root}/${path}`, 'utf8');

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const hasPromtool = promtool.error === undefined && promtool.status === 0;
if (!hasPromtool) {
  // CI installs it and requires it; elsewhere say plainly what is skipped and why.
  if (process.env.SLUICE_REQUIRE_SERVICES === '1') {
    throw new Error('promtool not on PATH: install it with `apt-get install prometheus`');
  }
  console.warn('ops.test: promtool not on PATH (apt-get install prometheus); skipping its checks');
}

/**
 * The exposition of a real pipeline run (engine metrics), plus the cache families recorded by
 * hand because the cache layer does not exist yet.
 */
async function exposition(): Promise<string> {
  const temp = createTempSqlite();
  try {
    const { metrics } = await realRun(temp.path);
    metrics.cacheHit({ cache: 'images' });
    metrics.cacheMiss({ cache: 'images' });
    metrics.cacheEvicted({ cache: 'images' });
    metrics.setCacheSize({ cache: 'images', bytes: 4096, warningBytes: 1_000_000_000 });
    return await metrics.exposition();
  } finally {
    temp.cleanup();
  }
}

function families(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(name!, type!);
  return out;
}

const metricNames = (text: string) => new Set(text.match(/\bsluice_[a-z0-9_]+/g) ?? []);

interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { expr: string }[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; type: string; definition?: string }[] };
}
const dashboard = JSON.parse(read('ops/grafana/sluice-dashboard.json')) as Dashboard;
const dashboardExprs = [
  ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
  ...dashboard.templating.list.map((v) => v.definition ?? ''),
].join('\n');
const rulesText = read('ops/prometheus/alerts.yml')
  .split('\n')
  .filter((line) => !line.trimStart().startsWith('#'))
  .join('\n');

describe('ops kit against the metrics registry', () => {
  it.each([
    ['the Grafana dashboard', dashboardExprs],
    ['the alert rules', rulesText],
  ])('every metric named by %s exists in the exposition', async (_what, text) => {
    const expo = await exposition();
    const types = families(expo);
    const samples = new Set(expo.match(/^sluice_[a-z0-9_]+/gm) ?? []);
    const names = [...metricNames(text)];
    expect(names.length).toBeGreaterThan(5);
    const missing = names.filter((name) => {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      const family = types.has(name) ? name : types.get(base) === 'histogram' ? base : undefined;
      return family === undefined || !samples.has(name);
    });
    expect(missing).toEqual([]);
  });

  it('the dashboard uses the datasource variable and sets a unit on every panel', () => {
    const variable = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(variable?.type).toBe('datasource');
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      expect(panel.fieldConfig?.defaults?.unit, panel.title).toBeTruthy();
    }
  });

  it('docs/metrics.md documents every metric of the catalog', () => {
    const docs = read('docs/metrics.md');
    const undocumented = Object.values(metricCatalog)
      .map((spec) => `sluice_${spec.name}`)
      .filter((name) => !docs.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });

  it.skipIf(!hasPromtool)('the exposition passes promtool check metrics', async () => {
    const result = spawnSync('promtool', ['check', 'metrics'], {
      input: await exposition(),
      encoding: 'utf8',
    });
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
    expect(result.status).toBe(0);
  });

  it.skipIf(!hasPromtool)('the rules pass promtool check rules and test rules', () => {
    for (const args of [
      ['check', 'rules', 'ops/prometheus/alerts.yml'],
      ['test', 'rules', 'ops/prometheus/alerts.test.yml'],
    ]) {
      const result = spawnSync('promtool', args, { cwd: root, encoding: 'utf8' });
      expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    }
  });
});
