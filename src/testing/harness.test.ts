import { existsSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createRedisClient } from '../coordination/redis/index.js';
import { createPostgresTestSchema } from './postgres.js';
import { createRedisTestPrefix } from './redis.js';
import { probeService, serviceUrl, unreachableMessage } from './services.js';
import { createTempSqlite } from './sqlite.js';
import { describePostgres, describeRedis } from './vitest/index.js';

describe('harness', () => {
  it('gives each caller its own SQLite directory and removes it', () => {
    const a = createTempSqlite();
    const b = createTempSqlite();
    expect(a.dir).not.toBe(b.dir);
    writeFileSync(`${a.dir}/extra-wal`, 'x');
    a.cleanup();
    b.cleanup();
    expect(existsSync(a.dir)).toBe(false);
  });

  it('reports an unreachable service with its URL and how to start it', async () => {
    const status = await probeService('postgres', 'postgres://postgres@127.0.0.1:1/test');
    expect(status.problem).toMatch(/ECONNREFUSED/);
    expect(unreachableMessage(status)).toMatch(
      /^postgres not reachable at postgres:\/\/postgres@127\.0\.0\.1:1\/test \(.*\)\. Start it with `pg_ctlcluster .*`, or point SLUICE_TEST_PG_URL at a running one\.$/,
    );
    const redis = await probeService('redis', 'redis://127.0.0.1:1');
    expect(unreachableMessage(redis)).toMatch(/redis-server --daemonize yes/);
  });

  it('reads service URLs from the environment with documented defaults', () => {
    expect(serviceUrl('postgres', {})).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(serviceUrl('redis', { SLUICE_TEST_REDIS_URL: 'redis://elsewhere:7000' })).toBe(
      'redis://elsewhere:7000',
    );
  });
});

describePostgres('harness schema', () => {
  it('creates a schema used by the pool and drops it afterwards', async () => {
    const env = await createPostgresTestSchema();
    await env.pool.query('CREATE TABLE probe (id int)');
    const admin = new pg.Client({ connectionString: env.url });
    await admin.connect();
    try {
      const before = await admin.query(
        'SELECT 1 FROM information_schema.tables WHERE table_schema = $1',
        [env.schema],
      );
      expect(before.rowCount).toBe(1);
      await env.drop();
      const after = await admin.query(
        'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1',
        [env.schema],
      );
      expect(after.rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  });
});

describeRedis('harness prefix', () => {
  it('deletes every key under its prefix and nothing else', async () => {
    const env = await createRedisTestPrefix();
    const raw = createRedisClient({ url: env.url, keyPrefix: '' });
    await raw.connect();
    const outsider = `sluice:test:outsider:${process.pid}`;
    try {
      await raw.set(outsider, '1');
      for (let i = 0; i < 1200; i++) await env.client.set(`k${i}`, String(i));
      await env.cleanup();
      expect(await raw.keys(`${env.prefix}*`)).toEqual([]);
      expect(await raw.get(outsider)).toBe('1');
    } finally {
      await raw.del(outsider);
      await raw.quit();
    }
  });
});
