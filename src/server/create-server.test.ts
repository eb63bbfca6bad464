import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Agent, request as undiciRequest } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  bearer,
  populatedStore,
  testServer,
  type PopulatedStore,
} from '../../test/support/server-run.js';
import { describeSqlite } from '../testing/vitest/index.js';
import type { ErrorEnvelope } from './errors.js';

describeSqlite('server: createServer', (sqlite) => {
  let fixture: PopulatedStore;
  beforeAll(async () => {
    fixture = await populatedStore(sqlite().path);
  });
  afterAll(() => fixture.store.close());

  it('serves over a real socket on 127.0.0.1:0, and stops serving once closed', async () => {
    const server = testServer(fixture.store, { metrics: fixture.metrics });
    const base = await server.listen({ port: 0, host: '127.0.0.1' });
    // An agent of its own: no pooled connection outlives the test or leaks into the last check.
    const agent = new Agent();
    const request = (url: string, options: { headers?: Record<string, string> } = {}) =>
      undiciRequest(url, { ...options, dispatcher: agent });
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    try {
      const run = await request(`${base}/api/v1/runs/${fixture.runId}`, { headers: bearer });
      expect(run.statusCode).toBe(200);
      const body = (await run.body.json()) as { status: { counts: unknown } };
      expect(body.status.counts).toEqual(await fixture.store.counts(fixture.runId));

      const denied = await request(`${base}/api/v1/runs`);
      expect(denied.statusCode).toBe(401);
      expect(denied.headers['www-authenticate']).toBe('Bearer realm="sluice"');
      await denied.body.dump();

      const metrics = await request(`${base}/metrics`);
      expect(metrics.statusCode).toBe(200);
      expect(metrics.headers['content-type']).toBe(fixture.metrics.registry.contentType);
      expect(await metrics.body.text()).toContain('sluice_items_processed_total{pipeline="srv"');

      const ready = await request(`${base}/health/ready`);
      expect(ready.statusCode).toBe(200);
      expect(ready.headers['content-type']).toMatch(/^application\/health\+json/);
      await ready.body.dump();
    } finally {
      await agent.close();
      await server.close();
    }
    const fresh = new Agent();
    await expect(undiciRequest(`${base}/health/live`, { dispatcher: fresh })).rejects.toThrow(
      /ECONNREFUSED/,
    );
    await fresh.close();
  });

  it('answers an internal fault with a bare 500, logging the error and its stack instead', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    // The real store, with one method failing the way a driver bug would.
    const faulty = new Proxy(fixture.store, {
      get(target, property, receiver) {
        if (property === 'listRuns') {
          return () => Promise.reject(new Error('driver exploded at /srv/secret/path.db'));
        }
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const server = testServer(faulty, { logger: pino({ level: 'info' }, destination) });
    const response = await server.app.inject({ url: '/api/v1/runs', headers: bearer });
    await server.close();
    expect(response.statusCode).toBe(500);
    expect(response.json<ErrorEnvelope>()).toEqual({
      error: { code: 'internal_error', message: 'internal error (see the server log)' },
    });
    expect(response.body).not.toContain('secret');
    expect(response.body).not.toMatch(/\bat \S+ \(/);

    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const failure = logged.find((l) => l.msg === 'request failed');
    expect(failure).toMatchObject({ component: 'server', level: 50 });
    expect(JSON.stringify(failure)).toContain('driver exploded');
    expect((failure?.err as { stack?: string }).stack).toContain('create-server.test.ts');
  });

  it("serves a service's saved breakers, and a 404 naming the service when there are none", async () => {
    const server = testServer(fixture.store);
    const get = (url: string) => server.app.inject({ url, headers: bearer });
    const all = await get('/api/v1/services/api/breakers');
    expect(all.statusCode).toBe(200);
    const stored = await fixture.store.loadBreakerState('api');
    expect(stored).toHaveLength(1);
    expect(all.json()).toEqual({ service: 'api', live: [], breakers: stored });
    const one = await get('/api/v1/services/api/breakers?key=down.example');
    expect(one.json()).toEqual({ service: 'api', live: [], breakers: stored });

    const unknown = await get('/api/v1/services/nope/breakers');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<ErrorEnvelope>().error).toMatchObject({
      code: 'not_found',
      field: 'service',
    });
    const otherKey = await get('/api/v1/services/api/breakers?key=up.example');
    expect(otherKey.statusCode).toBe(404);
    expect(otherKey.json<ErrorEnvelope>().error.field).toBe('key');
    await server.close();
  });
});
