import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testing/free-port.js';
import { OwnedRedisServer, redisServerAvailable } from '../../testing/redis-server.js';
import { SharedCircuitBreaker } from '../shared-circuit-breaker.js';
import { SharedRateLimiter } from '../shared-rate-limiter.js';
import { SharedStateLink, type LinkRejoinEvent } from '../shared-state-link.js';
import { createRedisClient } from './client.js';
import { RedisCoordination } from './redis-coordination.js';

const available = redisServerAvailable();
if (!available) console.warn('redis outage suite skipped: no redis-server binary on PATH');

describe.skipIf(!available)('redis outage: shared policies fall back to local and rejoin', () => {
  let server: OwnedRedisServer;
  beforeAll(async () => {
    server = new OwnedRedisServer(await freePort());
    await server.start();
  });
  afterAll(() => server.stop());

  it('keeps admitting calls while Redis is down, warns once, and rejoins when it returns', async () => {
    const client = createRedisClient({ url: server.url, commandTimeoutMs: 200 });
    await client.connect();
    const backend = new RedisCoordination({ client });
    const link = new SharedStateLink({ backend, rejoinIntervalMs: 50 });
    const fallbacks: unknown[] = [];
    link.onFallback((event) => fallbacks.push(event.error));
    const limiter = new SharedRateLimiter({ link, name: 'outage', ratePerSecond: 1000, burst: 50 });
    const breaker = new SharedCircuitBreaker({ link, name: 'outage' });
    await breaker.ready();
    try {
      await limiter.acquire('k');
      expect(link.shared).toBe(true);

      await server.stop();
      // Every call still goes through: the first one notices, the rest decide locally.
      const done = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          await limiter.acquire('k');
          return breaker.execute(() => i);
        }),
      );
      expect(done).toHaveLength(20);
      expect(link.shared).toBe(false);
      expect(fallbacks).toHaveLength(1);

      const rejoined = new Promise<LinkRejoinEvent>((resolve) => link.onRejoin(resolve));
      await server.start();
      const event = await rejoined;
      expect(event.backend).toBe('redis');
      expect(link.shared).toBe(true);
      // Shared again: the limit's state is in Redis once more.
      const slow = new SharedRateLimiter({ link, name: 'after', ratePerSecond: 1, burst: 1 });
      await slow.acquire('k');
      slow.close();
      expect(await client.exists('coord:limit:after:k')).toBe(1);
      expect(fallbacks).toHaveLength(1);
    } finally {
      limiter.close();
      link.close();
      await breaker.close().catch(() => {});
      await backend.close();
      client.disconnect();
    }
  });
});
