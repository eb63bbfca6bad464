/**
 * Test support: a small but real pipeline run on SQLite that exercises the engine's metrics and
 * spans: a flaky service behind retry and a per-key breaker, a rate limit, a fan-out, a dead
 * letter, a usage counter and a checkpoint. Returns the registry's exposition afterwards.
 */
import { pino } from 'pino';
import { HttpStatusError } from '../../src/errors/index.js';
import { createMetrics, createTracing, type SluiceMetrics } from '../../src/observe/index.js';
import { Queue, QueueWorker, definePipeline, Runner, stage } from '../../src/runtime/index.js';
import { createSqliteStore } from '../../src/store/index.js';
import type { InMemoryTracer } from './in-memory-otel.js';

export async function realRun(
  path: string,
  tracer?: InMemoryTracer,
): Promise<{ metrics: SluiceMetrics; exposition: string }> {
  const metrics = createMetrics();
  const tracing = createTracing(tracer ? { tracer } : {});
  const store = await createSqliteStore({ path });
  const silent = pino({ level: 'silent' });
  const pipeline = definePipeline({
    name: 'obs',
    version: '1',
    services: {
      api: {
        // A breaker open for a minute is not worth waiting for: give up at once (dead letter).
        retry: {
          maxAttempts: 2,
          maxRetryAfterMs: 1000,
          backoff: { kind: 'constant', initialMs: 0, jitter: 'none' },
        },
        circuitBreaker: {
          window: { kind: 'count', size: 4 },
          minimumCalls: 4,
          failureRateThreshold: 0.5,
          openDurationMs: 60_000,
        },
        rateLimit: { ratePerSecond: 10_000, burst: 1 },
        perKey: true,
      },
    },
    stages: [
      stage({
        name: 'fetch',
        concurrency: 1,
        retry: { maxAttempts: 1 },
        handler: async (n: number, ctx) => {
          ctx.metrics.add('tokens', 10);
          await ctx.checkpoint({ seen: n });
          const host = n < 4 ? 'down.example' : 'up.example';
          const value = await ctx.call(
            'api',
            () => {
              if (host === 'down.example') throw new HttpStatusError(503);
              return n;
            },
            { key: host },
          );
          ctx.emit([
            { id: `${ctx.itemId}-a`, input: value },
            { id: `${ctx.itemId}-b`, input: value },
          ]);
          return value;
        },
      }),
      stage({ name: 'store', concurrency: 2, handler: (n: number) => n * 2 }),
    ],
  });
  const runner = new Runner({ store, pipeline, logger: silent, metrics, tracing, pollMs: 5 });
  await runner.run({
    runId: 'obs-run',
    seed: Array.from({ length: 8 }, (_, i) => ({ id: `n${i}`, input: i })),
  });

  // Extras: rate-limit waits and a rejection, and leases of a crashed worker reclaimed.
  const extras = definePipeline({
    name: 'extras',
    version: '1',
    services: { strict: { rateLimit: { ratePerSecond: 50, burst: 1, maxWaitMs: 100 } } },
    stages: [
      stage({
        name: 'limited',
        concurrency: 2,
        handler: async (n: number, ctx) => {
          await ctx.call('strict', () => n);
          // Far beyond maxWaitMs: refused at once with RateLimitedError.
          const burst = Array.from({ length: 10 }, () => ctx.call('strict', () => n));
          const settled = await Promise.allSettled(burst);
          return settled.filter((r) => r.status === 'rejected').length;
        },
      }),
    ],
  });
  await store.createRun({ id: 'extras-run', pipeline: 'extras', pipelineVersion: '1' }, Date.now());
  await store.seedItems(
    'extras-run',
    'limited',
    [0, 1, 2].map((n) => ({ id: `e${n}`, input: n })),
    Date.now(),
  );
  await store.claim({
    runId: 'extras-run',
    stage: 'limited',
    owner: 'crashed-worker',
    limit: 1,
    leaseMs: 1,
    now: Date.now(),
  });
  await new Runner({
    store,
    pipeline: extras,
    logger: silent,
    metrics,
    tracing: false,
    leaseMs: 40,
    pollMs: 5,
  }).run({
    runId: 'extras-run',
  });

  // A job through the queue: a PRODUCER span whose trace the worker's CONSUMER span continues.
  const queue = new Queue({ store, name: 'obs', tracing });
  await queue.enqueue('ping', { at: 1 }, { dedupeKey: 'job-1' });
  const worker = new QueueWorker({
    store,
    queue: 'obs',
    logger: silent,
    pollMs: 5,
    metrics,
    tracing,
  });
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  worker.handle('ping', () => resolveDone());
  const working = worker.start();
  await done;
  await worker.stop();
  await working;
  await store.close();
  return { metrics, exposition: await metrics.exposition() };
}
