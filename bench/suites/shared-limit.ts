/**
 * The fleet-wide limit case of `npm run bench -- queue` (also `npm run bench -- shared_limit`):
 * three processes share one 200/s limit through Redis (GCRA in Lua, src/coordination) for 30 s
 * (3 s with --quick); reported: the achieved rate over the whole run, and the most admissions in
 * any one-second window against the limit plus its burst.
 *
 *   {"suite":"queue","case":"shared_limit","achieved_per_s":...,"limit_per_s":200,...}
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createRedisClient } from '../../src/coordination/redis/index.js';
import type { BenchRecord, BenchSuite } from '../suite.js';
import { runChild } from './queue.js';

const child = fileURLToPath(new URL('../coordination/shared-limit-child.ts', import.meta.url));
const redisUrl = process.env.SLUICE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const limit = 200;
const processes = 3;
/** SharedRateLimiter's default burst: a tenth of a second's worth. */
const burst = limit / 10;

/** The most timestamps (sorted) that fall in any window of `windowMs`. */
export function maxInWindow(sorted: readonly number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

export async function sharedLimit(
  emit: (record: BenchRecord) => void,
  scale: number,
): Promise<void> {
  const forMs = scale < 1 ? 3_000 : 30_000;
  const prefix = `sluice:bench:${randomBytes(4).toString('hex')}:`;
  // Children take a while to load; all start on the same wall-clock instant.
  const startAt = Date.now() + 3_000;
  const results = await Promise.all(
    Array.from({ length: processes }, () =>
      runChild(child, [redisUrl, prefix, String(limit), String(startAt), String(forMs)]),
    ),
  );
  const admitted = results
    .flatMap((lines) =>
      lines.flatMap((line) => (line as unknown as { admitted: number[] }).admitted),
    )
    .sort((a, b) => a - b);
  const achieved = admitted.length / (forMs / 1000);
  emit({
    suite: 'queue',
    case: 'shared_limit',
    lib: 'sluice',
    backend: 'redis',
    processes,
    seconds: forMs / 1000,
    limit_per_s: limit,
    burst,
    achieved_per_s: Math.round(achieved * 10) / 10,
    achieved_ratio: Math.round((achieved / limit) * 1000) / 1000,
    max_in_1s: maxInWindow(admitted, 1000),
    fell_back: results.some((lines) => lines.some((line) => line.fell_back === true)),
  });
  const client = createRedisClient({ url: redisUrl, keyPrefix: '' });
  await client.connect();
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
  await client.quit();
}

export const suite: BenchSuite = {
  description: 'three processes sharing one 200/s limit through Redis',
  run: (emit, options) => sharedLimit(emit, options.scale),
};
