import type { Redis } from 'ioredis';
import { afterEach } from 'vitest';
import { describeRedis } from '../../testing/vitest/index.js';
import { sharedBackendContract } from '../shared-backend.contract.js';
import { SharedStateLink } from '../shared-state-link.js';
import { createRedisClient } from './client.js';
import { RedisCoordination } from './redis-coordination.js';

describeRedis('redis coordination', (redis) => {
  const opened: { client: Redis; link: SharedStateLink; backend: RedisCoordination }[] = [];
  /** One "process": its own connection, backend and link, like a separate worker would have. */
  async function member(): Promise<{ link: SharedStateLink; backend: RedisCoordination }> {
    const client = createRedisClient({ url: redis().url, keyPrefix: redis().prefix });
    await client.connect();
    const backend = new RedisCoordination({ client });
    const link = new SharedStateLink({ backend });
    opened.push({ client, link, backend });
    return { link, backend };
  }
  afterEach(async () => {
    for (const { client, link, backend } of opened.splice(0)) {
      link.close();
      await backend.close();
      await client.quit();
    }
  });

  sharedBackendContract(member);
});
