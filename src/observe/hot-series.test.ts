import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotCounter, HotGauge, HotHistogram } from './hot-series.js';

/**
 * The hot series must read exactly like prom-client's own metrics: the same exposition text and
 * the same JSON (which the multi-process merge aggregates), for the same recordings.
 */
function pair() {
  const ours = new Registry();
  const theirs = new Registry();
  const labelNames = ['pipeline', 'stage'];
  return {
    ours,
    theirs,
    hot: {
      counter: new HotCounter({ name: 'c_total', help: 'c', labelNames, registry: ours }),
      gauge: new HotGauge({ name: 'g', help: 'g', labelNames, registry: ours, aggregator: 'max' }),
      histogram: new HotHistogram({
        name: 'h_seconds',
        help: 'h',
        labelNames,
        registry: ours,
        buckets: [0.1, 0.5, 1],
      }),
    },
    prom: {
      counter: new Counter({ name: 'c_total', help: 'c', labelNames, registers: [theirs] }),
      gauge: new Gauge({
        name: 'g',
        help: 'g',
        labelNames,
        registers: [theirs],
        aggregator: 'max',
      }),
      histogram: new Histogram({
        name: 'h_seconds',
        help: 'h',
        labelNames,
        registers: [theirs],
        buckets: [0.1, 0.5, 1],
      }),
    },
  };
}

describe('hot series', () => {
  it('expose what prom-client would for the same recordings, as text and as JSON', async () => {
    const { ours, theirs, hot, prom } = pair();
    const a = { pipeline: 'p', stage: 'fetch' };
    const b = { pipeline: 'p', stage: 'store "x"\n' }; // escaped in the exposition
    for (const [labels, values] of [
      [a, [0.05, 0.1, 0.3, 2, 1]],
      [b, [0.7]],
    ] as const) {
      for (const value of values) {
        hot.counter.child(labels).inc();
        prom.counter.inc(labels);
        hot.histogram.child(labels).observe(value);
        prom.histogram.observe(labels, value);
        hot.gauge.child(labels).set(value);
        prom.gauge.set(labels, value);
      }
    }
    hot.counter.child(a).inc(2.5);
    prom.counter.inc(a, 2.5);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    // prom-client adds `exemplar: null` to its bucket samples; we record no exemplars.
    expect(withoutExemplars(await ours.getMetricsAsJSON())).toEqual(
      withoutExemplars(await theirs.getMetricsAsJSON()),
    );
  });

  it('show nothing for a label set until it is recorded on, and forget everything on reset', async () => {
    const { ours, theirs, hot, prom } = pair();
    const a = { pipeline: 'p', stage: 'fetch' };
    hot.counter.child(a);
    hot.gauge.child(a);
    hot.histogram.child(a);
    prom.counter.labels(a);
    prom.gauge.labels(a);
    prom.histogram.labels(a);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    hot.counter.child(a).inc();
    ours.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});

function withoutExemplars(metrics: unknown): unknown {
  return JSON.parse(
    JSON.stringify(metrics, (key, value: unknown) => (key === 'exemplar' ? undefined : value)),
  );
}
