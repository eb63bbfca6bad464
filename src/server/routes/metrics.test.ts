import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  populatedStore,
  testServer,
  type PopulatedStore,
} from '../../../test/support/server-run.js';
import { createMetrics } from '../../observe/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';

/** The value of the series of `name` whose labels include all of `labels` (summed if several). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

describeSqlite('server: GET /metrics', (sqlite) => {
  let fixture: PopulatedStore;
  beforeAll(async () => {
    fixture = await populatedStore(sqlite().path);
  });
  afterAll(() => fixture.store.close());

  it("serves a real run's metrics in the Prometheus text format, matching the store's counts", async () => {
    const server = testServer(fixture.store, { metrics: fixture.metrics });
    const response = await server.app.inject({ url: '/metrics' });
    await server.close();
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(fixture.metrics.registry.contentType);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);

    const counts = await fixture.store.counts(fixture.runId);
    const processed = (stage: string, outcome: string) =>
      sample(response.body, 'sluice_items_processed_total', { pipeline: 'srv', stage, outcome });
    expect(processed('fetch', 'dead')).toBe(counts.fetch!.dead);
    expect(processed('fetch', 'completed')).toBe(counts.fetch!.completed);
    expect(processed('store', 'completed')).toBe(counts.store!.completed);
    // Every retried attempt is in the store's retry history too.
    const retried = await Promise.all(
      ['n1', 'n2', 'n7'].map((id) =>
        fixture.store.retryHistory({ runId: fixture.runId, stage: 'fetch', id }),
      ),
    );
    expect(processed('fetch', 'retry')).toBe(retried.flat().length);
    // Gauges computed at scrape time are there as well (their values move with the clock).
    expect(
      sample(response.body, 'sluice_checkpoint_age_seconds', { pipeline: 'srv' }),
    ).toBeGreaterThanOrEqual(0);
  });

  it('merges several registries as mergeMetrics does: counters summed', async () => {
    const other = createMetrics({ defaultMetrics: false });
    other.itemProcessed({ pipeline: 'srv', stage: 'fetch', outcome: 'dead' });
    other.itemProcessed({ pipeline: 'srv', stage: 'fetch', outcome: 'dead' });
    const server = testServer(fixture.store, { metrics: [fixture.metrics, other.registry] });
    const response = await server.app.inject({ url: '/metrics' });
    await server.close();
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(new Registry().contentType);
    const counts = await fixture.store.counts(fixture.runId);
    expect(
      sample(response.body, 'sluice_items_processed_total', { stage: 'fetch', outcome: 'dead' }),
    ).toBe(counts.fetch!.dead + 2);
  });

  it('answers a JSON 404 when no metrics were given, and 400 for a query', async () => {
    const server = testServer(fixture.store);
    const none = await server.app.inject({ url: '/metrics' });
    expect(none.statusCode).toBe(404);
    expect(none.json()).toEqual({
      error: { code: 'not_found', message: 'metrics are not enabled on this server' },
    });
    const withQuery = await server.app.inject({ url: '/metrics?name=x' });
    expect(withQuery.statusCode).toBe(400);
    expect(withQuery.json()).toMatchObject({ error: { code: 'invalid_request', field: 'name' } });
    await server.close();
  });
});
