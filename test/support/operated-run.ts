/**
 * Test support for the operator verbs: a database holding one finished run of a small real
 * pipeline, so `sluice status`, `summary`, `dlq`... have real figures to show. Twenty items go
 * through `parse` (every fifth fails for good with a 422: a non_recoverable dead letter; every
 * item n%5 == 1 fails its first attempt with a 503 and succeeds on the retry) and `store` (items
 * n%7 == 3 fail for good with a 400), calling an `api` service and counting usage, and the run
 * ends with its summary stored.
 */
import { pino } from 'pino';
import { HttpStatusError } from '../../src/errors/index.js';
import { definePipeline, Runner, stage } from '../../src/runtime/index.js';
import { createSqliteStore } from '../../src/store/index.js';

export const operatedRunId = 'ops-run';
export const operatedItems = 20;

export async function buildOperatedRun(path: string): Promise<void> {
  const store = await createSqliteStore({ path });
  const pipeline = definePipeline({
    name: 'ops',
    version: '3',
    services: { api: {} },
    stages: [
      stage({
        name: 'parse',
        concurrency: 4,
        retry: { maxAttempts: 3, backoff: { initialMs: 1, jitter: 'none' } },
        handler: async (n: number, ctx) => {
          ctx.metrics.add('tokens', 3);
          return ctx.call('api', () => {
            if (n % 5 === 0) throw new HttpStatusError(422);
            if (n % 5 === 1 && ctx.attempt === 1) throw new HttpStatusError(503);
            return n;
          });
        },
      }),
      stage({
        name: 'store',
        concurrency: 2,
        handler: (n: number) => {
          if (n % 7 === 3) throw new HttpStatusError(400);
          return n * 2;
        },
      }),
    ],
  });
  try {
    const runner = new Runner({
      store,
      pipeline,
      logger: pino({ level: 'silent' }),
      tracing: false,
      pollMs: 5,
    });
    const result = await runner.run({
      runId: operatedRunId,
      seed: Array.from({ length: operatedItems }, (_, n) => ({ id: `n${n}`, input: n })),
    });
    if (result.status !== 'completed') throw new Error(`fixture run ended ${result.status}`);
  } finally {
    await store.close();
  }
}
