import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RedisCoordination,
  SharedStateLink,
  createRedisClient,
} from '../src/coordination/redis/index.js';
import { createMetrics } from '../src/observe/index.js';
import { Runner, definePipeline, stage } from '../src/runtime/index.js';
import { createSqliteStore, type Store } from '../src/store/index.js';
import { freePort } from '../src/testing/free-port.js';
import { OwnedRedisServer, redisServerAvailable } from '../src/testing/redis-server.js';
import { createTempSqlite, type TempSqlite } from '../src/testing/index.js';
import { describeRedis } from '../src/testing/vitest/index.js';
import { metricValue } from './support/metric-value.js';

function apiPipeline(ratePerSecond: number) {
  return definePipeline({
    name: 'shared-api',
    version: '1',
    services: {
      api: {
        rateLimit: { ratePerSecond, burst: 5 },
        circuitBreaker: { window: { kind: 'time', seconds: 10 }, minimumCalls: 1000 },
        retry: { maxAttempts: 3, backoff: { initialMs: 1 } },
      },
    },
    stages: [
      stage({
        name: 'call',
        concurrency: 16,
        handler: (input: { n: number }, ctx) => ctx.call('api', () => input.n * 2),
      }),
    ],
  });
}

const seed = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `i${i}`, input: { n: i } }));

function capture(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

let sqlite: TempSqlite | undefined;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  sqlite?.cleanup();
  store = undefined;
  sqlite = undefined;
});

describeRedis('runner with fleet coordination', (redis) => {
  it("runs every service call under the fleet's shared limit and breaker", async () => {
    sqlite = createTempSqlite();
    store = await createSqliteStore({ path: sqlite.path });
    const { client } = redis();
    const link = new SharedStateLink({ backend: new RedisCoordination({ client }) });
    const runner = new Runner({
      store,
      pipeline: apiPipeline(50),
      logger: pino({ level: 'silent' }),
      coordination: link,
    });
    const started = performance.now();
    const result = await runner.run({ runId: 'shared', seed: seed(60) });
    const elapsed = performance.now() - started;
    link.close();
    expect(result.counts.call?.completed).toBe(60);
    // 60 calls at 50/s with a burst of 5 cannot take less than (60 - 5) / 50 s.
    expect(elapsed).toBeGreaterThanOrEqual(1050);
    // The breaker's window is counted in Redis, not in the process.
    expect(await client.keys(`${redis().prefix}coord:breaker:api:w:*`)).not.toHaveLength(0);
  });
});

const available = redisServerAvailable();
describe.skipIf(!available)('runner when Redis goes away mid-run', () => {
  it('completes every item on local limits, with one warning and one counted fallback', async () => {
    const server = new OwnedRedisServer(await freePort());
    await server.start();
    const client = createRedisClient({ url: server.url, commandTimeoutMs: 200 });
    await client.connect();
    sqlite = createTempSqlite();
    store = await createSqliteStore({ path: sqlite.path });
    const link = new SharedStateLink({ backend: new RedisCoordination({ client }) });
    const metrics = createMetrics();
    const { logger, lines } = capture();
    let attempts = 0;
    const runner = new Runner({
      store,
      pipeline: apiPipeline(200),
      logger,
      metrics,
      coordination: link,
      onAttempt: () => {
        if (++attempts === 50) void server.stop();
      },
    });
    try {
      const result = await runner.run({ runId: 'outage', seed: seed(200) });
      expect(result.counts.call?.completed).toBe(200);
      expect(result.counts.call?.dead ?? 0).toBe(0);
      const warnings = lines.filter((line) =>
        String(line.msg).startsWith('shared coordination unreachable'),
      );
      expect(warnings).toHaveLength(1);
      expect(
        await metricValue(metrics.registry, 'sluice_coordination_fallbacks_total', {
          backend: 'redis',
        }),
      ).toBe(1);
      expect(
        await metricValue(metrics.registry, 'sluice_coordination_shared', { backend: 'redis' }),
      ).toBe(0);
    } finally {
      link.close();
      client.disconnect();
      await server.stop();
    }
  });
});
