/**
 * One process of the shared_limit case: takes from a fleet-wide limit on Redis (argv[2], key
 * prefix argv[3]) at `ratePerSecond` argv[4] from 20 concurrent loops, starting at wall-clock
 * argv[5] (ms since the epoch, so the processes start together) for argv[6] ms, and prints the
 * wall-clock times of its admissions as one JSON line.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  RedisCoordination,
  SharedRateLimiter,
  SharedStateLink,
  createRedisClient,
} from '../../src/coordination/redis/index.js';

const [url, keyPrefix, rate, startAt, forMs] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const client = createRedisClient({ url, keyPrefix });
await client.connect();
const backend = new RedisCoordination({ client });
const link = new SharedStateLink({ backend });
const limiter = new SharedRateLimiter({ link, name: 'bench', ratePerSecond: Number(rate) });
await delay(Math.max(0, Number(startAt) - Date.now()));
const end = Number(startAt) + Number(forMs);
const admitted: number[] = [];
await Promise.all(
  Array.from({ length: 20 }, async () => {
    for (;;) {
      await limiter.acquire('api');
      const now = Date.now();
      if (now >= end) return;
      admitted.push(now);
    }
  }),
);
limiter.close();
link.close();
await backend.close();
await client.quit();
process.stdout.write(`${JSON.stringify({ admitted, fell_back: !link.shared })}\n`);
