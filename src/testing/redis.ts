import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../coordination/redis/index.js';
import { serviceUrl } from './services.js';

export interface RedisTestPrefix {
  readonly url: string;
  /** Every key `client` touches starts with this prefix, unique to one test file. */
  readonly prefix: string;
  readonly client: Redis;
  /** Deletes every key under the prefix and closes the connection. */
  cleanup(): Promise<void>;
}

export async function createRedisTestPrefix(url = serviceUrl('redis')): Promise<RedisTestPrefix> {
  const prefix = `sluice:test:${process.pid}:${randomBytes(4).toString('hex')}:`;
  const client = createRedisClient({ url, keyPrefix: prefix });
  await client.connect();
  return {
    url,
    prefix,
    client,
    cleanup: async () => {
      // SCAN ignores keyPrefix, so match on the full prefix and delete with it stripped.
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await client.del(...keys.map((key) => key.slice(prefix.length)));
      } while (cursor !== '0');
      await client.quit();
    },
  };
}
