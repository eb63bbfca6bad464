import { describe, expect, it } from 'vitest';
import { metricValue as valueOf } from '../../test/support/metric-value.js';
import { createMetrics } from './metrics.js';
import { mergeMetrics } from './merge-metrics.js';

const pipe = { pipeline: 'news', stage: 'download' };

describe('mergeMetrics', () => {
  it('sums counters and histograms across workers and keeps store-read gauges at their max', async () => {
    const w1 = createMetrics({ defaultMetrics: false });
    const w2 = createMetrics({ defaultMetrics: false });
    for (const d of [0.01, 0.2, 4])
      w1.itemProcessed({ ...pipe, outcome: 'completed', durationSeconds: d });
    for (const d of [0.3, 50])
      w2.itemProcessed({ ...pipe, outcome: 'completed', durationSeconds: d });
    w2.itemProcessed({ ...pipe, outcome: 'dead', durationSeconds: 1 });
    w1.setQueueDepth(pipe, { pending: 100 });
    w2.setQueueDepth(pipe, { pending: 100 });
    w1.setItemsInFlight({ ...pipe, count: 3 });
    w2.setItemsInFlight({ ...pipe, count: 4 });

    // One worker handed over as a registry, the other as the JSON it would send over IPC.
    const merged = await mergeMetrics([w1.registry, await w2.registry.getMetricsAsJSON()]);

    const completed = { ...pipe, outcome: 'completed' };
    expect(await valueOf(merged, 'sluice_items_processed_total', completed)).toBe(5);
    expect(
      await valueOf(merged, 'sluice_items_processed_total', { ...pipe, outcome: 'dead' }),
    ).toBe(1);
    expect(await valueOf(merged, 'sluice_item_duration_seconds_count', pipe)).toBe(6);
    expect(await valueOf(merged, 'sluice_item_duration_seconds_sum', pipe)).toBeCloseTo(55.51);
    expect(
      await valueOf(merged, 'sluice_item_duration_seconds_bucket', { ...pipe, le: '0.25' }),
    ).toBe(2);
    expect(await valueOf(merged, 'sluice_item_duration_seconds_bucket', { ...pipe, le: '5' })).toBe(
      5,
    );
    expect(
      await valueOf(merged, 'sluice_item_duration_seconds_bucket', { ...pipe, le: '+Inf' }),
    ).toBe(6);
    expect(await valueOf(merged, 'sluice_queue_depth', { ...pipe, state: 'pending' })).toBe(100);
    expect(await valueOf(merged, 'sluice_items_in_flight', pipe)).toBe(7);

    const text = await merged.metrics();
    expect(text).toContain(
      'sluice_items_processed_total{pipeline="news",stage="download",outcome="completed"} 5',
    );
  });
});
