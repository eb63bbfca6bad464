import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  bearer,
  populatedStore,
  testServer,
  testToken,
  type PopulatedStore,
} from '../../test/support/server-run.js';
import { describeSqlite } from '../testing/vitest/index.js';
import type { SluiceServer } from './create-server.js';

describeSqlite('server: bearer auth on /api/v1', (sqlite) => {
  let fixture: PopulatedStore;
  let server: SluiceServer;
  beforeAll(async () => {
    fixture = await populatedStore(sqlite().path);
    server = testServer(fixture.store);
  });
  afterAll(async () => {
    await server.close();
    await fixture.store.close();
  });

  const get = (headers: Record<string, string> = {}) =>
    server.app.inject({ method: 'GET', url: '/api/v1/runs', headers });

  it('answers 401 with WWW-Authenticate when the token is missing', async () => {
    const response = await get();
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="sluice"');
    expect(response.json()).toEqual({
      error: {
        code: 'unauthorized',
        message: expect.stringContaining('Bearer <token>') as string,
        field: 'authorization',
      },
    });
  });

  it('answers 401 invalid_token for a wrong token, a token with a right prefix, another scheme', async () => {
    for (const authorization of [
      'Bearer wrong-token-0123456789',
      `Bearer ${testToken}x`,
      `Bearer ${testToken.slice(0, -1)}`,
    ]) {
      const response = await get({ authorization });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
      expect(response.json<{ error: { code: string } }>().error.code).toBe('unauthorized');
    }
    const basic = await get({
      authorization: `Basic ${Buffer.from(`u:${testToken}`).toString('base64')}`,
    });
    expect(basic.statusCode).toBe(401);
    expect(basic.headers['www-authenticate']).toBe('Bearer realm="sluice"');
  });

  it('admits the right token (any case of the scheme) and answers from the store', async () => {
    const response = await get(bearer);
    expect(response.statusCode).toBe(200);
    const ids = response.json<{ items: { id: string }[] }>().items.map((r) => r.id);
    const stored = (await fixture.store.listRuns()).items.map((r) => r.id);
    expect(ids).toEqual(stored);
    expect((await get({ authorization: `bearer ${testToken}` })).statusCode).toBe(200);
  });

  it('does not guard the health and metrics endpoints', async () => {
    expect((await server.app.inject({ url: '/health/live' })).statusCode).toBe(200);
    expect((await server.app.inject({ url: '/health/ready' })).statusCode).toBe(200);
  });

  it('serves /api/v1 without a token when auth: false is explicit', async () => {
    const open = testServer(fixture.store, { auth: false });
    try {
      const response = await open.app.inject({ url: '/api/v1/runs' });
      expect(response.statusCode).toBe(200);
      expect(response.json<{ items: unknown[] }>().items).toHaveLength(
        (await fixture.store.listRuns()).items.length,
      );
    } finally {
      await open.close();
    }
  });
});
