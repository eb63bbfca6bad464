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
import { isLoopback } from './security.js';

describeSqlite('server: security headers, CORS, binding, limits', (sqlite) => {
  let fixture: PopulatedStore;
  let server: SluiceServer;
  beforeAll(async () => {
    fixture = await populatedStore(sqlite().path);
    server = testServer(fixture.store, { corsOrigins: ['https://ops.example.com'] });
  });
  afterAll(async () => {
    await server.close();
    await fixture.store.close();
  });

  it('sends nosniff, no framing, no referrer and a CSP without inline scripts on every answer', async () => {
    for (const url of ['/api/v1/runs', '/health/live', '/nope', '/api/v1/openapi.json']) {
      const response = await server.app.inject({ url, headers: bearer });
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
    }
  });

  it('allows CORS for configured origins only', async () => {
    const allowed = await server.app.inject({
      url: '/api/v1/runs',
      headers: { ...bearer, origin: 'https://ops.example.com' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ops.example.com');
    const preflight = await server.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/runs',
      headers: { origin: 'https://ops.example.com', 'access-control-request-method': 'GET' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('authorization');
    const other = await server.app.inject({
      url: '/api/v1/runs',
      headers: { ...bearer, origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const off = testServer(fixture.store);
    const none = await off.app.inject({
      url: '/api/v1/runs',
      headers: { ...bearer, origin: 'https://ops.example.com' },
    });
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
    await off.close();
  });

  it('refuses to serve the network without a token, and serves loopback', async () => {
    const open = testServer(fixture.store, { auth: false });
    await expect(open.listen({ host: '0.0.0.0' })).rejects.toThrow(
      /^host must be a loopback address .* configure a token/,
    );
    const url = await open.listen({ host: '127.0.0.1' });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await open.close();
    expect(isLoopback('::1') && isLoopback('[::1]') && isLoopback('localhost')).toBe(true);
    expect(isLoopback('127.0.0.53')).toBe(true);
    expect(isLoopback('0.0.0.0') || isLoopback('10.0.0.1') || isLoopback('127.example')).toBe(
      false,
    );
  });

  it('limits each token, 429 with Retry-After, whatever the client address', async () => {
    const limited = testServer(fixture.store, {
      rateLimit: { ratePerSecond: 1000, burst: 1000, perToken: { ratePerSecond: 1, burst: 2 } },
    });
    const call = (ip: string) =>
      limited.app.inject({ url: '/api/v1/runs', headers: bearer, remoteAddress: ip });
    expect((await call('127.0.0.2')).statusCode).toBe(200);
    expect((await call('127.0.0.3')).statusCode).toBe(200);
    const refused = await call('127.0.0.4');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(refused.json()).toMatchObject({
      error: { message: expect.stringContaining('from token default') as string },
    });
    expect(refused.body).not.toContain(testToken);
    await limited.close();
  });

  it('answers a body over the limit with 413 and never a stack trace', async () => {
    const small = testServer(fixture.store, { bodyLimit: 64 });
    const response = await small.app.inject({
      method: 'POST',
      url: '/api/v1/runs/srv-run/retry-failed',
      headers: { ...bearer, 'content-type': 'application/json' },
      payload: JSON.stringify({ stage: 'x'.repeat(200) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.body).not.toMatch(/at .*\.(ts|js):\d+/);
    await small.close();
  });
});
