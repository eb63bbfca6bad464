import { describe, expect, it } from 'vitest';
import { QuantileSketch } from './quantile-sketch.js';
import { RunSummaryBuilder } from './run-summary.js';
import { renderRunSummary } from './summary-table.js';

describe('QuantileSketch', () => {
  it('answers quantiles within its relative accuracy', () => {
    const sketch = new QuantileSketch(0.01);
    const values: number[] = [];
    // A deterministic heavy-tailed spread from 1 ms to ~60 s.
    for (let i = 1; i <= 10_000; i++) values.push(Math.exp((i % 997) / 90) * (1 + (i % 7)));
    for (const v of values) sketch.add(v);
    values.sort((a, b) => a - b);
    for (const q of [0, 0.5, 0.9, 0.95, 0.99, 1]) {
      const exact = values[Math.floor(q * (values.length - 1))]!;
      expect(Math.abs(sketch.quantile(q)! - exact) / exact).toBeLessThanOrEqual(0.0101);
    }
    expect(sketch.count).toBe(10_000);
  });

  it('merges, serialises, and counts zeros', () => {
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    for (let i = 0; i < 100; i++) a.add(10);
    for (let i = 0; i < 100; i++) b.add(1000);
    b.add(0);
    a.merge(QuantileSketch.fromJSON(JSON.parse(JSON.stringify(b.toJSON())) as never));
    expect(a.count).toBe(201);
    expect(a.quantile(0)).toBe(0);
    expect(a.quantile(0.25)).toBeCloseTo(10, 0);
    expect(a.quantile(0.95)).toBeCloseTo(1000, -1);
    expect(new QuantileSketch().quantile(0.5)).toBeUndefined();
    expect(() => a.merge(new QuantileSketch(0.02))).toThrow(/relativeAccuracy/);
  });

  it('stays bounded past maxBins', () => {
    const sketch = new QuantileSketch(0.01, 50);
    for (let i = 1; i <= 5000; i++) sketch.add(i);
    expect(sketch.toJSON().bins.length).toBeLessThanOrEqual(50);
    expect(sketch.quantile(0.99)).toBeCloseTo(4950, -2);
  });
});

function sampleRun(now: () => number) {
  const b = new RunSummaryBuilder({ runId: 'r1', pipeline: 'news', now });
  for (let i = 0; i < 90; i++)
    b.recordAttempt({ stage: 'download', outcome: 'completed', durationMs: 100 + i });
  for (let i = 0; i < 6; i++)
    b.recordAttempt({ stage: 'download', outcome: 'retry', durationMs: 2000 });
  b.recordAttempt({ stage: 'download', outcome: 'dead', durationMs: 5000 });
  b.recordAttempt({ stage: 'download', outcome: 'skipped' });
  b.recordAttempt({ stage: 'download', outcome: 'degraded', durationMs: 50 });
  b.recordCall({ service: 'images', outcome: 'success', durationMs: 80 });
  b.recordCall({ service: 'images', outcome: 'timeout', durationMs: 10_000 });
  b.recordCall({ service: 'images', outcome: 'fallback' });
  b.recordBreakerTrip('images');
  b.add('tokens', 1200);
  b.add('tokens', 300);
  return b;
}

describe('RunSummaryBuilder', () => {
  it('summarises stages, services and usage as plain JSON', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const b = sampleRun(() => now);
    now += 65_000;
    b.finish();
    const s = b.snapshot();
    expect(s).toMatchObject({
      runId: 'r1',
      pipeline: 'news',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:01:05.000Z',
      durationMs: 65_000,
      usage: { tokens: 1500 },
      services: {
        images: { calls: 3, failures: 2, fallbacks: 1, breakerTrips: 1, successRate: 1 / 3 },
      },
    });
    const d = s.stages.download!;
    expect(d).toMatchObject({
      attempts: 99,
      processed: 93,
      completed: 90,
      degraded: 1,
      failed: 1,
      retried: 6,
      skipped: 1,
      successRate: 91 / 98,
    });
    expect(d.p50Ms! / 145).toBeGreaterThan(0.98);
    expect(d.p50Ms! / 145).toBeLessThan(1.02);
    expect(d.p95Ms).toBeCloseTo(2000, -2);
    expect(JSON.parse(JSON.stringify(b))).toEqual(s);
  });

  it('continues from saved state (a resumed run)', () => {
    const now = () => 0;
    const b = sampleRun(now);
    const restored = RunSummaryBuilder.fromState(JSON.parse(JSON.stringify(b.toState())) as never, {
      now,
    });
    restored.recordAttempt({ stage: 'download', outcome: 'completed', durationMs: 100 });
    restored.add('tokens', 1);
    const s = restored.snapshot();
    expect(s.stages.download!.completed).toBe(91);
    expect(s.usage.tokens).toBe(1501);
    expect(s.runId).toBe('r1');
  });

  it('refuses bad usage, naming it', () => {
    const b = new RunSummaryBuilder();
    expect(() => b.add('', 1)).toThrow(/usage name/);
    expect(() => b.add('cost', Number.NaN)).toThrow(/usage "cost" amount/);
  });

  it('renders a table for the CLI', () => {
    const b = sampleRun(() => 0);
    const text = renderRunSummary(b.snapshot());
    expect(text).toMatchInlineSnapshot(`
      "Run r1 (news) in 0.0ms

      stage     processed  failed  retried  skipped  success    p50    p95
      --------  ---------  ------  -------  -------  -------  -----  -----
      download         93       1        6        1    92.9%  147ms  2.02s

      service  calls  failures  fallbacks  breaker trips  success   p95
      -------  -----  --------  ---------  -------------  -------  ----
      images       3         2          1              1    33.3%  81ms

      usage   total
      ------  -----
      tokens  1,500
      "
    `);
  });
});
