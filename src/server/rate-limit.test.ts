import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  bearer,
  populatedStore,
  testServer,
  type PopulatedStore,
} from '../../test/support/server-run.js';
import { describeSqlite } from '../testing/vitest/index.js';
import type { SluiceServer } from './create-server.js';

describeSqlite('server: per-client rate limit on /api/v1', (sqlite) => {
  let fixture: PopulatedStore;
  let server: SluiceServer;
  let t = 0;
  const clock = { now: () => t };
  beforeAll(async () => {
    fixture = await populatedStore(sqlite().path);
    // 2 requests per second, 3 at once; time moves only when the test moves it.
    server = testServer(fixture.store, { rateLimit: { ratePerSecond: 2, burst: 3, clock } });
  });
  afterAll(async () => {
    await server.close();
    await fixture.store.close();
  });

  const get = (remoteAddress: string, headers: Record<string, string> = bearer) =>
    server.app.inject({ method: 'GET', url: '/api/v1/runs', remoteAddress, headers });

  it('admits the burst, then answers 429 with Retry-After until the bucket refills', async () => {
    for (let i = 0; i < 3; i++) expect((await get('10.0.0.1')).statusCode).toBe(200);
    const refused = await get('10.0.0.1');
    expect(refused.statusCode).toBe(429);
    // One token comes back every 500 ms: rounded up to whole seconds.
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toEqual({
      error: {
        code: 'rate_limited',
        message: expect.stringContaining('at most 2 per second (burst 3)') as string,
      },
    });

    t += 499;
    expect((await get('10.0.0.1')).statusCode).toBe(429);
    t += 1;
    expect((await get('10.0.0.1')).statusCode).toBe(200);
    expect((await get('10.0.0.1')).statusCode).toBe(429);
  });

  it('keeps one bucket per client IP', async () => {
    t += 10_000;
    for (let i = 0; i < 3; i++) expect((await get('10.0.0.2')).statusCode).toBe(200);
    expect((await get('10.0.0.2')).statusCode).toBe(429);
    expect((await get('10.0.0.3')).statusCode).toBe(200);
  });

  it('counts requests with a wrong token too, so tokens cannot be guessed at full speed', async () => {
    t += 10_000;
    const wrong = { authorization: 'Bearer not-the-token-0123456789' };
    for (let i = 0; i < 3; i++) expect((await get('10.0.0.4', wrong)).statusCode).toBe(401);
    const refused = await get('10.0.0.4', wrong);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
  });

  it('leaves health and metrics unlimited', async () => {
    t += 10_000;
    for (let i = 0; i < 10; i++) {
      const response = await server.app.inject({ url: '/health/live', remoteAddress: '10.0.0.5' });
      expect(response.statusCode).toBe(200);
    }
  });
});
