import { describe, expect, it, vi } from 'vitest';
import { metricValue as valueOf } from '../../test/support/metric-value.js';
import { metricCatalog } from './metric-catalog.js';
import { createMetrics, createNoopMetrics } from './metrics.js';

const pipe = { pipeline: 'news', stage: 'download' };

describe('createMetrics', () => {
  it('registers every catalog metric with the prefix in a registry of its own', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false, prefix: 'x_' });
    const names = (await a.registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(names).toEqual(
      Object.values(metricCatalog)
        .map((s) => `sluice_${s.name}`)
        .sort(),
    );
    expect(b.registry.getSingleMetric('x_items_processed_total')).toBeDefined();
    expect(a.contentType).toMatch(/^text\/plain/);
  });

  it('adds prefixed process and Node.js default metrics unless told not to', async () => {
    const m = createMetrics();
    const text = await m.exposition();
    expect(text).toMatch(/^sluice_process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^sluice_nodejs_heap_size_used_bytes /m);
  });

  it('counts item attempts, observes their duration and stamps the last success', async () => {
    const m = createMetrics({ defaultMetrics: false, now: () => 1_700_000_000_000 });
    m.itemProcessed({ ...pipe, outcome: 'completed', durationSeconds: 0.2 });
    m.itemProcessed({ ...pipe, outcome: 'completed', durationSeconds: 3 });
    m.itemProcessed({ ...pipe, outcome: 'retry', durationSeconds: 30 });
    const r = m.registry;
    expect(
      await valueOf(r, 'sluice_items_processed_total', { ...pipe, outcome: 'completed' }),
    ).toBe(2);
    expect(await valueOf(r, 'sluice_items_processed_total', { ...pipe, outcome: 'retry' })).toBe(1);
    expect(await valueOf(r, 'sluice_item_duration_seconds_count', pipe)).toBe(3);
    expect(await valueOf(r, 'sluice_item_duration_seconds_sum', pipe)).toBeCloseTo(33.2);
    expect(await valueOf(r, 'sluice_item_duration_seconds_bucket', { ...pipe, le: '0.25' })).toBe(
      1,
    );
    expect(await valueOf(r, 'sluice_item_duration_seconds_bucket', { ...pipe, le: '120' })).toBe(3);
    expect(await valueOf(r, 'sluice_stage_last_success_timestamp_seconds', pipe)).toBe(
      1_700_000_000,
    );
  });

  it('does not stamp the last success on failures', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.itemProcessed({ ...pipe, outcome: 'dead' });
    expect(await valueOf(m.registry, 'sluice_stage_last_success_timestamp_seconds', pipe)).toBe(
      undefined,
    );
  });

  it('records queue depth, in-flight, reclaims, retries, rate limits, calls, cache and usage', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.setQueueDepth(pipe, { pending: 40, retry_wait: 2 });
    m.setItemsInFlight({ ...pipe, count: 8 });
    m.leasesReclaimed({ pipeline: 'news', count: 3 });
    m.retried({ service: 'images', category: 'rate_limited' });
    m.rateLimitWaited({ service: 'llm', waitSeconds: 0.5 });
    m.rateLimitRejected({ service: 'llm' });
    m.externalCall({ service: 'images', outcome: 'timeout', durationSeconds: 10 });
    m.cacheHit({ cache: 'images' });
    m.cacheMiss({ cache: 'images' });
    m.cacheEvicted({ cache: 'images', count: 5 });
    m.setCacheSize({ cache: 'images', bytes: 1024, warningBytes: 1e9 });
    m.usage({ pipeline: 'news', name: 'tokens', amount: 1200 });
    const r = m.registry;
    expect(await valueOf(r, 'sluice_queue_depth', { ...pipe, state: 'pending' })).toBe(40);
    expect(await valueOf(r, 'sluice_items_in_flight', pipe)).toBe(8);
    expect(await valueOf(r, 'sluice_leases_reclaimed_total', { pipeline: 'news' })).toBe(3);
    expect(
      await valueOf(r, 'sluice_retries_total', { service: 'images', category: 'rate_limited' }),
    ).toBe(1);
    expect(await valueOf(r, 'sluice_rate_limit_waits_total', { service: 'llm' })).toBe(1);
    expect(await valueOf(r, 'sluice_rate_limit_rejections_total', { service: 'llm' })).toBe(1);
    expect(await valueOf(r, 'sluice_rate_limit_wait_seconds_sum', { service: 'llm' })).toBe(0.5);
    expect(
      await valueOf(r, 'sluice_external_calls_total', { service: 'images', outcome: 'timeout' }),
    ).toBe(1);
    expect(
      await valueOf(r, 'sluice_external_call_duration_seconds_sum', { service: 'images' }),
    ).toBe(10);
    expect(await valueOf(r, 'sluice_cache_hits_total', { cache: 'images' })).toBe(1);
    expect(await valueOf(r, 'sluice_cache_misses_total', { cache: 'images' })).toBe(1);
    expect(await valueOf(r, 'sluice_cache_evictions_total', { cache: 'images' })).toBe(5);
    expect(await valueOf(r, 'sluice_cache_size_bytes', { cache: 'images' })).toBe(1024);
    expect(await valueOf(r, 'sluice_cache_size_warning_bytes', { cache: 'images' })).toBe(1e9);
    expect(await valueOf(r, 'sluice_usage_total', { pipeline: 'news', name: 'tokens' })).toBe(1200);
  });

  it('computes the checkpoint age at scrape time from the injected clock', async () => {
    let now = 10_000;
    const m = createMetrics({ defaultMetrics: false, now: () => now });
    m.checkpointSaved({ pipeline: 'news' });
    now = 25_000;
    expect(await valueOf(m.registry, 'sluice_checkpoint_age_seconds', { pipeline: 'news' })).toBe(
      15,
    );
    m.checkpointSaved({ pipeline: 'news', atMs: 24_000 });
    expect(await valueOf(m.registry, 'sluice_checkpoint_age_seconds', { pipeline: 'news' })).toBe(
      1,
    );
  });

  it('counts per-host breakers per state for the service, never per host', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.breakerTransition({ service: 'images', key: 'a.com', from: 'closed', to: 'open' });
    m.breakerTransition({ service: 'images', key: 'b.com', from: 'closed', to: 'open' });
    m.breakerTransition({ service: 'images', key: 'a.com', from: 'open', to: 'half_open' });
    const r = m.registry;
    const state = (s: string) =>
      valueOf(r, 'sluice_breaker_state', { service: 'images', state: s });
    expect(await state('open')).toBe(1);
    expect(await state('half_open')).toBe(1);
    expect(await state('closed')).toBe(0);
    expect(
      await valueOf(r, 'sluice_breaker_transitions_total', {
        service: 'images',
        from: 'closed',
        to: 'open',
      }),
    ).toBe(2);
    m.forgetBreaker({ service: 'images', key: 'b.com' });
    expect(await state('open')).toBe(0);
    m.setBreakerStates('llm', { open: 1 });
    expect(await valueOf(r, 'sluice_breaker_state', { service: 'llm', state: 'open' })).toBe(1);
    expect(await valueOf(r, 'sluice_breaker_state', { service: 'llm', state: 'closed' })).toBe(0);
    expect((await m.exposition()).includes('a.com')).toBe(false);
  });

  it('folds label values past the cap into _other_ and says so once', async () => {
    const onOverflow = vi.fn();
    const m = createMetrics({ defaultMetrics: false, maxValuesPerLabel: 2, onOverflow });
    for (const service of ['a', 'b', 'c', 'd']) m.rateLimitRejected({ service });
    const r = m.registry;
    expect(await valueOf(r, 'sluice_rate_limit_rejections_total', { service: '_other_' })).toBe(2);
    expect(onOverflow).toHaveBeenCalledTimes(1);
    expect(onOverflow).toHaveBeenCalledWith('service', 'c');
  });

  it('drops bad numbers instead of throwing into the engine', async () => {
    const m = createMetrics({ defaultMetrics: false });
    expect(() => {
      m.itemProcessed({ ...pipe, outcome: 'completed', durationSeconds: Number.NaN });
      m.leasesReclaimed({ pipeline: 'news', count: -1 });
      m.setItemsInFlight({ ...pipe, count: Number.POSITIVE_INFINITY });
      m.usage({ pipeline: 'news', name: 'tokens', amount: -5 });
      m.setBreakerStates('x', { open: -1 });
    }).not.toThrow();
    expect(await valueOf(m.registry, 'sluice_item_duration_seconds_count', pipe)).toBe(undefined);
    expect(await valueOf(m.registry, 'sluice_leases_reclaimed_total', { pipeline: 'news' })).toBe(
      undefined,
    );
  });

  it('reset zeroes the counters', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.cacheHit({ cache: 'c' });
    m.reset();
    expect(await valueOf(m.registry, 'sluice_cache_hits_total', { cache: 'c' })).toBe(undefined);
  });

  it('has a no-op twin with the same recording methods', () => {
    const real = createMetrics({ defaultMetrics: false });
    const noop = createNoopMetrics();
    for (const key of Object.keys(noop))
      expect(typeof (real as unknown as Record<string, unknown>)[key]).toBe('function');
    expect(() => noop.itemProcessed({ ...pipe, outcome: 'completed' })).not.toThrow();
  });
});
