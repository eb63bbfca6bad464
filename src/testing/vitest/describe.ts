import { afterAll, beforeAll, describe, inject } from 'vitest';
import type { ServiceName, ServiceStatus } from '../services.js';
import { createPostgresTestSchema, type PostgresTestSchema } from '../postgres.js';
import { createRedisTestPrefix, type RedisTestPrefix } from '../redis.js';
import { createTempSqlite, type TempSqlite } from '../sqlite.js';
import { providedKey, suitePrefix } from './provided.js';

/**
 * Suites that need a real backend. Each registers its resource in beforeAll and removes it in
 * afterAll, and hands the body a getter that is valid inside tests and hooks.
 */
export type Resource<T> = () => T;

export function describeSqlite(name: string, body: (sqlite: Resource<TempSqlite>) => void): void {
  describe(`${suitePrefix('sqlite')}${name}`, () => {
    const sqlite = holdResource(
      () => createTempSqlite(),
      (resource) => resource.cleanup(),
    );
    body(sqlite);
  });
}

export function describePostgres(
  name: string,
  body: (postgres: Resource<PostgresTestSchema>) => void,
): void {
  const status = serviceStatus('postgres');
  describe.skipIf(status.problem !== null)(`${suitePrefix('postgres')}${name}`, () => {
    const postgres = holdResource(
      () => createPostgresTestSchema(status.url),
      (resource) => resource.drop(),
    );
    body(postgres);
  });
}

export function describeRedis(
  name: string,
  body: (redis: Resource<RedisTestPrefix>) => void,
): void {
  const status = serviceStatus('redis');
  describe.skipIf(status.problem !== null)(`${suitePrefix('redis')}${name}`, () => {
    const redis = holdResource(
      () => createRedisTestPrefix(status.url),
      (resource) => resource.cleanup(),
    );
    body(redis);
  });
}

function serviceStatus(service: ServiceName): ServiceStatus {
  const provided = inject(providedKey) as Partial<Record<ServiceName, ServiceStatus>> | undefined;
  const status = provided?.[service];
  if (!status) {
    throw new Error(
      `describe${service === 'postgres' ? 'Postgres' : 'Redis'} needs sluice's global setup: add globalSetup: ['sluice/testing/vitest-setup'] to your vitest config`,
    );
  }
  return status;
}

function holdResource<T>(
  create: () => T | Promise<T>,
  release: (resource: T) => void | Promise<void>,
): Resource<T> {
  let resource: T | undefined;
  beforeAll(async () => {
    resource = await create();
  });
  afterAll(async () => {
    if (resource !== undefined) await release(resource);
    resource = undefined;
  });
  return () => {
    if (resource === undefined)
      throw new Error('the test resource is only available inside tests and hooks');
    return resource;
  };
}
