/**
 * Test support for the monitoring server: a SQLite store populated by a real pipeline run, so
 * the API is checked against what the engine actually wrote. The run `srv-run` of pipeline `srv`
 * has two stages: `fetch` dead-letters every item divisible by 3 at once (non_recoverable, a 404)
 * and every item that is 2 mod 5 after two attempts (recoverable, a 503, so with retry history);
 * item 1 fails once and then succeeds. The rest completes and goes on to `store`. The run ends
 * with its summary stored. Besides it: `srv-fresh`, created and seeded but never worked (no
 * summary yet), and a saved breaker of service `api`.
 */
import { pino } from 'pino';
import { HttpStatusError } from '../../src/errors/index.js';
import { createMetrics, type SluiceMetrics } from '../../src/observe/index.js';
import { circuitBreaker } from '../../src/policies/index.js';
import { definePipeline, Runner, stage } from '../../src/runtime/index.js';
import { createServer, type ServerOptions, type SluiceServer } from '../../src/server/index.js';
import { createSqliteStore, type Store } from '../../src/store/index.js';

export const itemCount = 12;

export interface PopulatedStore {
  readonly store: Store;
  readonly metrics: SluiceMetrics;
  readonly runId: 'srv-run';
  readonly freshRunId: 'srv-fresh';
}

export async function populatedStore(path: string): Promise<PopulatedStore> {
  const store = await createSqliteStore({ path });
  const metrics = createMetrics({ defaultMetrics: false });
  const failedOnce = new Set<number>();
  const pipeline = definePipeline({
    name: 'srv',
    version: '1',
    stages: [
      stage({
        name: 'fetch',
        concurrency: 2,
        retry: { maxAttempts: 2, backoff: { initialMs: 1, jitter: 'none' } },
        handler: (n: number) => {
          if (n % 3 === 0) throw new HttpStatusError(404);
          if (n % 5 === 2) throw new HttpStatusError(503);
          if (n === 1 && !failedOnce.has(n)) {
            failedOnce.add(n);
            throw new HttpStatusError(503);
          }
          return n;
        },
      }),
      stage({ name: 'store', handler: (n: number) => n * 2 }),
    ],
  });
  const silent = pino({ level: 'silent' });
  await new Runner({ store, pipeline, logger: silent, metrics, tracing: false, pollMs: 5 }).run({
    runId: 'srv-run',
    seed: Array.from({ length: itemCount }, (_, n) => ({ id: `n${n}`, input: n })),
  });

  const now = Date.now();
  await store.createRun({ id: 'srv-fresh', pipeline: 'srv', pipelineVersion: '1' }, now);
  await store.seedItems('srv-fresh', 'fetch', [{ id: 'f0', input: 0 }], now);

  const breaker = circuitBreaker({ minimumCalls: 1, window: { kind: 'count', size: 1 } });
  breaker.isolate();
  await store.saveBreakerState('api', 'down.example', breaker.toJSON(), now);
  return { store, metrics, runId: 'srv-run', freshRunId: 'srv-fresh' };
}

export const testToken = 'server-test-token-0123456789';
export const bearer = Object.freeze({ authorization: `Bearer ${testToken}` });

/**
 * A server over `store` with the test token (none with `auth: false`), a silent logger and no
 * rate limit, unless `options` say otherwise.
 */
export function testServer(
  store: Store,
  options: Omit<Partial<ServerOptions>, 'store'> = {},
): SluiceServer {
  return createServer({
    store,
    rateLimit: false,
    logger: pino({ level: 'silent' }),
    ...(options.auth === false ? {} : { token: testToken }),
    ...options,
  });
}
