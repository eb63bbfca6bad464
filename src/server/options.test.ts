import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testToken } from '../../test/support/server-run.js';
import { createMetrics } from '../observe/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import { describeSqlite } from '../testing/vitest/index.js';
import { createServer } from './create-server.js';
import { parseServerOptions } from './options.js';

describeSqlite('server options', (sqlite) => {
  let store: Store;
  beforeAll(async () => {
    store = await createSqliteStore({ path: sqlite().path });
  });
  afterAll(() => store.close());

  const bad = (options: Record<string, unknown>) => () =>
    createServer({ store, token: testToken, ...options });

  it('requires a token unless auth: false, and refuses both or a short one, naming the field', () => {
    expect(() => createServer({ store })).toThrow(
      /^server\.token must be a bearer token of at least 16 characters, or tokens \(or auth: false/,
    );
    expect(() => createServer({ store, token: 'short' })).toThrow(
      'server.token must be a string of length >= 16, got "short"',
    );
    expect(() => createServer({ store, token: testToken, auth: false })).toThrow(
      /^server\.auth must be left out when a token is given/,
    );
    expect(() => createServer({ store, auth: true as unknown as false })).toThrow(
      'server.auth must be one of false, got true',
    );
  });

  it('names the field of every other bad option', () => {
    expect(bad({ store: {} })).toThrow(/^server\.store must be a Store/);
    expect(bad({ rateLimit: { ratePerSecond: 0 } })).toThrow(
      'server.rateLimit.ratePerSecond must be a number > 0, got 0',
    );
    expect(bad({ rateLimit: { burst: 0.5 } })).toThrow(
      'server.rateLimit.burst must be a number >= 1, got 0.5',
    );
    expect(bad({ rateLimit: { perSecond: 5 } })).toThrow(
      /^server\.rateLimit must be free of unknown keys \(perSecond\)/,
    );
    expect(bad({ metrics: 'prom' })).toThrow(/^server\.metrics must be/);
    expect(bad({ metrics: [] })).toThrow(/^server\.metrics must be/);
    expect(bad({ health: { status: 'healthy' } })).toThrow(
      /^server\.health must be a function returning a HealthReport/,
    );
    expect(bad({ dependencyChecks: [{ name: 'db' }] })).toThrow(
      /^server\.dependencyChecks\[0\]\.check must be a function/,
    );
    expect(bad({ bodyLimit: -1 })).toThrow('server.bodyLimit must be a number >= 1, got -1');
    expect(bad({ port: 80 })).toThrow(/^server must be free of unknown keys \(port\)/);
  });

  it('resolves defaults and metrics sources, frozen', () => {
    const registry = new Registry();
    const metrics = createMetrics({ defaultMetrics: false });
    const resolved = parseServerOptions({ store, token: testToken, metrics: [registry, metrics] });
    expect(resolved.metrics).toEqual([registry, metrics.registry]);
    expect(resolved.rateLimit).toEqual({
      ratePerSecond: 20,
      burst: 40,
      perToken: { ratePerSecond: 50, burst: 100 },
    });
    expect(resolved.tokens).toEqual([{ name: 'default', scope: 'admin', secret: testToken }]);
    expect(Object.isFrozen(resolved.tokens)).toBe(true);
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(Object.isFrozen(resolved.metrics)).toBe(true);
    expect(parseServerOptions({ store, auth: false, rateLimit: false })).toMatchObject({
      tokens: undefined,
      rateLimit: false,
      metrics: [],
    });
  });
});
