import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBreakerOpenError, isHttpStatusError, isInvalidConfigError } from '../errors/index.js';
import type { ExternalCallOutcome } from '../observe/index.js';
import { startFixtureServer, type FixtureServer } from '../http/fixture-server.js';
import type { ServiceObserver } from './service-observer.js';
import { createServiceCaller } from './services.js';

const signal = new AbortController().signal;
const bind = (onDegraded = (): void => {}) => ({ signal, onDegraded });

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

function recordingObserver(calls: [string, ExternalCallOutcome][]): ServiceObserver {
  return {
    retried: () => {},
    breakerTransition: () => {},
    breakerEvicted: () => {},
    rateLimitWaited: () => {},
    rateLimitRejected: () => {},
    called: (service, outcome) => calls.push([service, outcome]),
  };
}

describe('ctx.http through the service caller', () => {
  let dead: FixtureServer;
  let alive: FixtureServer;

  beforeAll(async () => {
    dead = await startFixtureServer(
      { '/': (_q, r) => r.writeHead(503).end(), '/never': () => {} },
      '127.0.0.1',
    );
    alive = await startFixtureServer({ '/': (_q, r) => r.end('ok') }, '127.0.0.2');
  });
  afterAll(async () => {
    await dead.close();
    await alive.close();
  });

  it('keys the breaker by host even when the service is not perKey', async () => {
    const calls: [string, ExternalCallOutcome][] = [];
    const services = createServiceCaller(
      {
        web: {
          circuitBreaker: { window: { kind: 'count', size: 3 }, minimumCalls: 3 },
          http: { connections: 2 },
        },
      },
      { observer: recordingObserver(calls) },
    );
    const http = services.http('web', bind());
    try {
      for (let i = 0; i < 3; i++) {
        expect(isHttpStatusError(await failure(http.get(`${dead.origin}/`)))).toBe(true);
      }
      expect(isBreakerOpenError(await failure(http.get(`${dead.origin}/`)))).toBe(true);
      await expect(http.get(`${alive.origin}/`)).resolves.toMatchObject({ status: 200 });
      const breakers = services.policies.get('web')!.breakers!;
      expect(breakers.get('web', new URL(dead.origin).host)?.state).toBe('OPEN');
      expect(breakers.get('web', new URL(alive.origin).host)?.state).toBe('CLOSED');
      expect(calls.map(([, outcome]) => outcome)).toEqual([
        'failure',
        'failure',
        'failure',
        'short_circuited',
        'success',
      ]);
    } finally {
      await services.policies.get('web')!.close();
    }
  });

  it('counts an HTTP phase timeout as a timeout outcome', async () => {
    const calls: [string, ExternalCallOutcome][] = [];
    const services = createServiceCaller(
      { web: { http: { headersTimeoutMs: 30 } } },
      { observer: recordingObserver(calls) },
    );
    try {
      const error = await failure(services.http('web', bind()).get(`${dead.origin}/never`));
      expect(error).toMatchObject({ code: 'SLUICE_HTTP_TIMEOUT', phase: 'headers' });
      expect(calls).toEqual([['web', 'timeout']]);
    } finally {
      await services.policies.get('web')!.close();
    }
  });

  it('enforces the attempt timeout of the service itself and still reports a TimeoutError', async () => {
    const calls: [string, ExternalCallOutcome][] = [];
    const services = createServiceCaller(
      {
        web: {
          timeoutMs: 40,
          retry: { maxAttempts: 2, backoff: { kind: 'constant', initialMs: 0, jitter: 'none' } },
        },
      },
      { observer: recordingObserver(calls) },
    );
    expect(services.policies.get('web')!.httpAttemptTimeoutMs).toBe(40);
    const before = dead.hits('/never');
    try {
      const started = performance.now();
      const error = await failure(services.http('web', bind()).get(`${dead.origin}/never`));
      expect(error).toMatchObject({ code: 'SLUICE_TIMEOUT', timeoutMs: 40 });
      expect(performance.now() - started).toBeLessThan(1000);
      expect(dead.hits('/never') - before).toBe(2);
      expect(calls).toEqual([['web', 'timeout']]);
    } finally {
      await services.policies.get('web')!.close();
    }
  });

  it('leaves the attempt timeout to the policy signal when a total timeout also runs', async () => {
    const services = createServiceCaller({ web: { timeoutMs: 40, totalTimeoutMs: 1000 } });
    expect(services.policies.get('web')!.httpAttemptTimeoutMs).toBeUndefined();
    try {
      const error = await failure(services.http('web', bind()).get(`${dead.origin}/never`));
      expect(error).toMatchObject({ code: 'SLUICE_TIMEOUT', timeoutMs: 40 });
    } finally {
      await services.policies.get('web')!.close();
    }
  });

  it('tells the item when a fallback answered', async () => {
    let degraded = false;
    const services = createServiceCaller({
      web: { fallback: { recoverable: () => ({ status: 200, body: Buffer.from('stale') }) } },
    });
    try {
      const response = await services
        .http(
          'web',
          bind(() => (degraded = true)),
        )
        .get(`${dead.origin}/`);
      expect(response.body.toString()).toBe('stale');
      expect(degraded).toBe(true);
    } finally {
      await services.policies.get('web')!.close();
    }
  });

  it('refuses an undeclared service, naming ctx.http', () => {
    const services = createServiceCaller({ web: {} });
    let error: unknown;
    try {
      services.http('wbe', bind());
    } catch (e) {
      error = e;
    }
    expect(isInvalidConfigError(error)).toBe(true);
    expect(error).toMatchObject({ field: 'ctx.http service', got: 'wbe' });
  });

  it('refuses a bad http option at load, naming the service', () => {
    expect(() => createServiceCaller({ web: { http: { connections: -1 } } })).toThrow(
      'pipeline.services.web.http.connections must be an integer in [1, 10000], got -1',
    );
  });
});
