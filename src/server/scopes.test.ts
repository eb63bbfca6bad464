/**
 * The auth matrix, generated from the route list itself so a new route cannot skip it: every
 * route refuses a missing token (401), every POST refuses a read token (403) and every GET
 * admits it; every admin action is logged with the token's name and never its secret.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { populatedStore, type PopulatedStore } from '../../test/support/server-run.js';
import { describeSqlite } from '../testing/vitest/index.js';
import { createServer, type SluiceServer } from './create-server.js';
import { apiPrefix, apiRouteList } from './routes/api.js';
import { scopeOf } from './route-spec.js';

const readSecret = 'read-secret-0123456789abcdef';
const adminSecret = 'admin-secret-0123456789abcdef';

const example: Record<string, string> = {
  runId: 'srv-run',
  stage: 'fetch',
  itemId: 'n1',
  service: 'api',
  name: 'default',
};

describeSqlite('server: token scopes on every route', (sqlite) => {
  let fixture: PopulatedStore;
  let server: SluiceServer;
  const lines: string[] = [];
  beforeAll(async () => {
    fixture = await populatedStore(sqlite().path);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    server = createServer({
      store: fixture.store,
      rateLimit: false,
      logger: pino({ level: 'info' }, sink),
      tokens: `board:read:${readSecret},oncall:admin:${adminSecret}`,
    });
  });
  afterAll(async () => {
    await server.close();
    await fixture.store.close();
  });

  const routes = apiRouteList({
    store: undefined as never,
    now: Date.now,
    breakers: undefined,
    workers: undefined,
  });
  const urlOf = (url: string) =>
    apiPrefix + url.replace(/:([A-Za-z]+)/g, (_, name: string) => example[name] ?? name);

  it('covers at least the routes our users asked for', () => {
    expect(routes.length).toBeGreaterThanOrEqual(18);
    expect(routes.filter((r) => r.method === 'POST').length).toBeGreaterThanOrEqual(5);
  });

  for (const route of routes) {
    it(`${route.method} ${route.url}: 401 without a token, ${scopeOf(route)} scope enforced`, async () => {
      const call = (secret?: string) =>
        server.app.inject({
          method: route.method,
          url: urlOf(route.url),
          headers: secret === undefined ? {} : { authorization: `Bearer ${secret}` },
          ...(route.method === 'POST' ? { payload: {} } : {}),
        });
      const none = await call();
      expect(none.statusCode).toBe(401);
      expect((await call('not-a-token-0123456789')).statusCode).toBe(401);
      const read = await call(readSecret);
      if (route.method === 'POST') {
        expect(read.statusCode).toBe(403);
        expect(read.json()).toMatchObject({ error: { code: 'forbidden', field: 'authorization' } });
        expect(read.headers['www-authenticate']).toContain('insufficient_scope');
      } else {
        expect([401, 403]).not.toContain(read.statusCode);
      }
      const admin = await call(adminSecret);
      expect([401, 403]).not.toContain(admin.statusCode);
      expect(admin.statusCode).toBeLessThan(500);
    });
  }

  it('logs every admin action with the token name, and never a secret anywhere', async () => {
    lines.length = 0;
    const response = await server.app.inject({
      method: 'POST',
      url: `${apiPrefix}/runs/srv-run/retry-failed`,
      headers: { authorization: `Bearer ${adminSecret}` },
      payload: { stage: 'fetch' },
    });
    expect(response.statusCode).toBe(200);
    const actions = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(actions).toContainEqual(
      expect.objectContaining({ msg: 'admin action', token: 'oncall', method: 'POST' }),
    );
    expect(lines.join('')).not.toContain(adminSecret);
    expect(lines.join('')).not.toContain(readSecret);
  });
});
