/**
 * The routes our users' own monitoring API had (progress, failed items, retry statistics,
 * checkpoints, service health, queues, workers, live breakers and their reset), checked against
 * what a real pipeline run, a real queue worker and real breakers wrote.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  populatedStore,
  testServer,
  type PopulatedStore,
} from '../../../test/support/server-run.js';
import { HttpStatusError } from '../../errors/index.js';
import { breakerRegistry } from '../../policies/index.js';
import { Queue, QueueWorker, queueRunId } from '../../runtime/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import { breakerControl } from '../breaker-control.js';
import type { SluiceServer } from '../create-server.js';

describeSqlite('server: monitoring routes', (sqlite) => {
  let fixture: PopulatedStore;
  let server: SluiceServer;
  const registry = breakerRegistry({
    breaker: { window: { kind: 'count', size: 2 }, minimumCalls: 1, openDurationMs: 60_000 },
  });
  beforeAll(async () => {
    fixture = await populatedStore(sqlite().path);
    // A queue with one dead job and two waiting at different priorities.
    const queue = new Queue({ store: fixture.store, name: 'mail', tracing: false });
    await queue.enqueue('send', { to: 'a' }, { maxAttempts: 1, dedupeKey: 'bad' });
    const worker = new QueueWorker({
      store: fixture.store,
      queue: 'mail',
      logger: pino({ level: 'silent' }),
      pollMs: 5,
      tracing: false,
    });
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    worker.handle('send', () => {
      resolveDone();
      throw new HttpStatusError(400);
    });
    const running = worker.start();
    await done;
    await worker.stop();
    await running;
    await queue.enqueue('send', { to: 'b' }, { priority: 5, delayMs: 3_600_000 });
    await queue.enqueue('send', { to: 'c' }, { priority: 1 });
    await queue.enqueue('digest', { to: 'd' }, { priority: 1 });
    // Health samples of a service, one minute apart.
    const at = Date.now() - 120_000;
    await fixture.store.recordHealthSample({
      service: 'api',
      bucketStart: at,
      calls: 10,
      failures: 2,
      slowCalls: 1,
      rejected: 0,
      durationMs: 500,
    });
    await fixture.store.recordHealthSample({
      service: 'api',
      bucketStart: at + 60_000,
      calls: 10,
      failures: 0,
      slowCalls: 0,
      rejected: 0,
      durationMs: 300,
    });
    // Live breakers: one host down (open), one up.
    const down = registry.for('images', 'down.example');
    await down.execute(() => Promise.reject(new HttpStatusError(503))).catch(() => undefined);
    await registry.for('images', 'up.example').execute(() => Promise.resolve(1));
    server = testServer(fixture.store, {
      breakers: breakerControl(() => [{ service: 'images', registry }]),
    });
  });
  afterAll(async () => {
    await server.close();
    await fixture.store.close();
  });

  const get = async <T = Record<string, unknown>>(url: string) => {
    const response = await server.app.inject({ url: `/api/v1${url}`, headers: bearer });
    return { status: response.statusCode, body: response.json<T>() };
  };
  const post = async <T = Record<string, unknown>>(url: string, payload: object = {}) => {
    const response = await server.app.inject({
      method: 'POST',
      url: `/api/v1${url}`,
      headers: bearer,
      payload,
    });
    return { status: response.statusCode, body: response.json<T>() };
  };

  it('shows progress per stage with done / total and percent', async () => {
    const { status, body } = await get('/runs/srv-run/progress');
    expect(status).toBe(200);
    expect(body).toMatchObject({ runId: 'srv-run', status: 'completed', done: 18, total: 18 });
    expect(body.percent).toBe(100);
    expect(body.stages).toEqual([
      expect.objectContaining({ stage: 'fetch', done: 12, total: 12, completed: 6, failed: 6 }),
      expect.objectContaining({ stage: 'store', done: 6, total: 6, percent: 100 }),
    ]);
    const fresh = await get<{ percent: number; stages: { percent: number }[] }>(
      '/runs/srv-fresh/progress',
    );
    expect(fresh.body.percent).toBe(0);
    expect((await get('/runs/nope/progress')).status).toBe(404);
  });

  it('lists failed items with their last error, filtered by category and paged', async () => {
    type Failed = { items: { id: string; category: string; lastError: string }[]; next: string };
    const all = await get<Failed>('/runs/srv-run/failed-items');
    expect(all.body.items.map((i) => i.id).sort()).toEqual(['n0', 'n2', 'n3', 'n6', 'n7', 'n9']);
    expect(all.body.items.find((i) => i.id === 'n2')).toMatchObject({
      category: 'recoverable',
      lastError: expect.stringContaining('503') as string,
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Failed } = await get<Failed>(
        `/runs/srv-run/failed-items?category=non_recoverable&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.next;
    } while (cursor !== null);
    expect(seen).toEqual(['n0', 'n3', 'n6', 'n9']);
    const bad = await get<{ error: { field: string } }>('/runs/srv-run/failed-items?category=x');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('category');
    expect(
      (await get<{ error: { field: string } }>('/runs/srv-run/failed-items?stage=nope')).body.error
        .field,
    ).toBe('stage');
  });

  it('counts attempts, retries and exhausted retries per stage and category', async () => {
    const { body } = await get<{
      items: number;
      attempts: number;
      retried: number;
      deadLettered: number;
      exhausted: number;
      retryRate: number;
      stages: { stage: string; byCategory: Record<string, number> }[];
    }>('/runs/srv-run/retry-stats');
    expect(body).toMatchObject({
      items: 18,
      attempts: 21,
      retried: 3,
      deadLettered: 6,
      exhausted: 2,
    });
    expect(body.retryRate).toBeCloseTo(3 / 18);
    expect(body.stages.find((s) => s.stage === 'fetch')?.byCategory).toEqual({
      recoverable: 5,
      non_recoverable: 4,
    });
  });

  it("lists the run's checkpoints", async () => {
    const { body } = await get<{ checkpoints: { name: string }[] }>('/runs/srv-run/checkpoints');
    expect(body.checkpoints.map((c) => c.name)).toContain('progress');
  });

  it('shows service health over time with success rate and latency', async () => {
    const { body } = await get('/services/api/health');
    expect(body).toMatchObject({ service: 'api', calls: 20, successRate: 0.9, meanLatencyMs: 40 });
    expect(body.samples).toEqual([
      expect.objectContaining({ calls: 10, successRate: 0.8, meanLatencyMs: 50 }),
      expect.objectContaining({ calls: 10, successRate: 1, meanLatencyMs: 30 }),
    ]);
    const later = await get<{ samples: unknown[] }>(`/services/api/health?since=${Date.now()}`);
    expect(later.body.samples).toEqual([]);
    expect((await get('/services/api/health?since=yesterday')).status).toBe(400);
  });

  it('shows queue depth by state and priority per job type, and retries its dead jobs', async () => {
    type Queues = {
      queues: {
        name: string;
        types: { type: string; depth: number; byPriority: unknown[]; states: { dead: number } }[];
      }[];
    };
    const { body } = await get<Queues>('/queues');
    const mail = body.queues.find((q) => q.name === 'mail');
    expect(mail?.types.find((t) => t.type === 'send')).toMatchObject({
      depth: 2,
      states: { dead: 1 },
      byPriority: [
        { priority: 5, waiting: 1 },
        { priority: 1, waiting: 1 },
      ],
    });
    expect((await get('/queues/nope')).status).toBe(404);
    const badType = await post<{ error: { field: string } }>('/queues/mail/dead-letters/retry', {
      type: 'nope',
    });
    expect(badType.body.error.field).toBe('stage');
    const retried = await post('/queues/mail/dead-letters/retry', { type: 'send' });
    expect(retried.body).toEqual({ queue: 'mail', retried: 1 });
    expect((await fixture.store.counts(queueRunId('mail'))).send?.dead).toBe(0);
  });

  it('lists this process as the worker when no registry is given', async () => {
    const { body } = await get<{ source: string; workers: { pid: number }[] }>('/workers');
    expect(body.source).toBe('this_process');
    expect(body.workers[0]?.pid).toBe(process.pid);
  });

  it("lists the store's fleet registry when workers heartbeat into it", async () => {
    const worker = {
      id: 'box-2:4242:ab',
      host: 'box-2',
      pid: 4242,
      runs: ['srv-run'],
      status: 'running' as const,
    };
    await fixture.store.registerWorker(worker, Date.now());
    const { body } = await get<{ source: string; workers: { id: string }[] }>('/workers');
    expect(body).toMatchObject({ source: 'registry', workers: [expect.objectContaining(worker)] });
    await fixture.store.deregisterWorker(worker.id);
  });

  describe('live breakers', () => {
    it('lists every breaker with state, failure rate and last transition', async () => {
      const { body } = await get<{ breakers: Record<string, unknown>[] }>('/breakers');
      expect(body.breakers).toEqual([
        expect.objectContaining({
          service: 'images',
          key: 'down.example',
          state: 'open',
          failureRate: 1,
        }),
        expect.objectContaining({
          service: 'images',
          key: 'up.example',
          state: 'closed',
          failureRate: 0,
        }),
      ]);
      expect(typeof body.breakers[0]?.lastTransitionAt).toBe('number');
      expect(body.breakers[0]?.retryAfterMs).toBeGreaterThan(0);
    });

    it('resets a breaker, and names the service or key that does not exist', async () => {
      const reset = await post('/services/images/breakers/reset', { key: 'down.example' });
      expect(reset).toEqual({
        status: 200,
        body: { service: 'images', key: 'down.example', state: 'closed' },
      });
      expect(registry.get('images', 'down.example')?.state).toBe('CLOSED');
      const missing = await post<{ error: { code: string } }>('/services/images/breakers/reset', {
        key: 'x',
      });
      expect(missing.status).toBe(404);
      const badBody = await post<{ error: { field: string } }>('/services/images/breakers/reset', {
        host: 'x',
      });
      expect(badBody.status).toBe(400);
      expect(badBody.body.error.field).toBe('host');
    });
  });
});
