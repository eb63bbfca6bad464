import { expect, it } from 'vitest';
import { describeRedis } from '../../testing/vitest/index.js';
import { createRedisClient } from './client.js';

describeRedis('client', (redis) => {
  it('round-trips a value under the isolated key prefix', async () => {
    const { client, prefix, url } = redis();
    await client.set('breaker:example.com', JSON.stringify({ state: 'OPEN' }));
    expect(JSON.parse((await client.get('breaker:example.com'))!)).toEqual({ state: 'OPEN' });

    // A client without the prefix sees the key under its full name, proving the isolation.
    const raw = createRedisClient({ url, keyPrefix: '' });
    await raw.connect();
    try {
      expect(await raw.exists(`${prefix}breaker:example.com`)).toBe(1);
      expect(await raw.exists('breaker:example.com')).toBe(0);
    } finally {
      await raw.quit();
    }
  });
});
