import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createMetrics, metricCatalog, type SluiceMetrics } from '../src/observe/index.js';

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
  console.warn('ops.test: promtool not on PATH (apt-get install prometheus); skipping its checks');
}

/** Records a little of everything, so every metric family has samples. */
function recordEverything(m: SluiceMetrics): void {
  const stage = { pipeline: 'news', stage: 'download' };
  m.itemProcessed({ ...stage, outcome: 'completed', durationSeconds: 0.4 });
  m.itemProcessed({ ...stage, outcome: 'retry', durationSeconds: 12 });
  m.setQueueDepth(stage, { pending: 12, leased: 3, retry_wait: 1, dead: 0 });
  m.setItemsInFlight({ ...stage, count: 3 });
  m.leasesReclaimed({ pipeline: 'news', count: 1 });
  m.retried({ service: 'images', category: 'recoverable' });
  m.breakerTransition({ service: 'images', key: 'cdn.example', from: 'closed', to: 'open' });
  m.rateLimitWaited({ service: 'llm', waitSeconds: 0.2 });
  m.rateLimitRejected({ service: 'llm' });
  m.externalCall({ service: 'images', outcome: 'success', durationSeconds: 0.1 });
  m.cacheHit({ cache: 'images' });
  m.cacheMiss({ cache: 'images' });
  m.cacheEvicted({ cache: 'images' });
  m.setCacheSize({ cache: 'images', bytes: 4096, warningBytes: 1_000_000_000 });
  m.checkpointSaved({ pipeline: 'news' });
  m.usage({ pipeline: 'news', name: 'tokens', amount: 100 });
}

async function exposition(): Promise<string> {
  const metrics = createMetrics();
  recordEverything(metrics);
  return metrics.exposition();
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
