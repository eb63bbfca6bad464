import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../http/fixture-server.js';
import { createSqliteStore } from '../store/index.js';
import { describeSqlite } from '../testing/vitest/index.js';
import { definePipeline } from './define-pipeline.js';
import { Runner } from './runner.js';
import { stage } from './stage.js';

const silent = pino({ level: 'silent' });

describeSqlite('runner with ctx.http', (sqlite) => {
  let server: FixtureServer;
  let flakyHits = 0;

  beforeAll(async () => {
    server = await startFixtureServer({
      '/img': (req, res) => {
        const size = Number(new URL(req.url!, 'http://x').searchParams.get('size'));
        res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(size, 1));
      },
      '/flaky': (_req, res) => {
        flakyHits += 1;
        if (flakyHits === 1) res.writeHead(503).end();
        else res.writeHead(200, { 'content-type': 'image/jpeg' }).end('jpeg');
      },
      '/page': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'),
    });
  });
  afterAll(() => server.close());

  it('downloads through ctx.http under the service policies and stores the outcomes', async () => {
    const store = await createSqliteStore({ path: sqlite().path });
    const pipeline = definePipeline({
      name: 'images',
      version: '1',
      services: {
        images: {
          retry: { maxAttempts: 3, backoff: { kind: 'constant', initialMs: 0, jitter: 'none' } },
          circuitBreaker: { window: { kind: 'count', size: 10 }, minimumCalls: 10 },
          http: { connections: 2, maxResponseBytes: 10_000 },
        },
      },
      stages: [
        stage({
          name: 'download',
          concurrency: 4,
          services: ['images'],
          retry: { maxAttempts: 1 },
          handler: async (input: { url: string }, ctx) => {
            const response = await ctx
              .http('images')
              .get(input.url, { expectContentType: 'image/*' });
            return { bytes: response.body.length, type: response.contentType ?? null };
          },
        }),
      ],
    });
    const seed = [
      ...Array.from({ length: 12 }, (_, i) => ({
        id: `img${i}`,
        input: { url: `${server.origin}/img?size=${100 + i}` },
      })),
      { id: 'flaky', input: { url: `${server.origin}/flaky` } },
      { id: 'html', input: { url: `${server.origin}/page` } },
      { id: 'huge', input: { url: `${server.origin}/img?size=20000` } },
      { id: 'gone', input: { url: `${server.origin}/missing` } },
    ];
    try {
      const result = await new Runner({ store, pipeline, logger: silent, pollMs: 5 }).run({
        runId: 'h1',
        seed,
      });
      expect(result.counts.download).toMatchObject({ completed: 13, dead: 3 });
      expect(await store.getItem({ runId: 'h1', stage: 'download', id: 'img5' })).toMatchObject({
        state: 'completed',
        output: { bytes: 105, type: 'image/png' },
      });
      expect(flakyHits).toBe(2);
      const dead = await store.deadLetters({ runId: 'h1' });
      const byId = Object.fromEntries(dead.items.map((d) => [d.id, d]));
      expect(byId.html).toMatchObject({ category: 'non_recoverable' });
      expect(byId.html?.error).toContain('content_type_mismatch');
      expect(byId.huge?.error).toContain('body_too_large');
      expect(byId.gone?.error).toContain(`HTTP 404 from GET ${server.origin}/missing`);
      // Pooled: 17 requests over the 2 connections of the service's pool, plus the one the
      // oversized answer cost (refusing a body mid-flight closes its connection).
      expect(server.hits('/img') + server.hits('/flaky')).toBe(15);
      expect(server.connections()).toBeLessThanOrEqual(3);
    } finally {
      await store.close();
    }
  });
});
