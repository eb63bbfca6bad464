import { describe, expect, it } from 'vitest';
import { HttpStatusError, isBreakerOpenError } from '../errors/index.js';
import { definePipeline } from './define-pipeline.js';
import { createServiceCaller } from './services.js';
import { stage } from './stage.js';

const signal = new AbortController().signal;
const failing = (): never => {
  throw new HttpStatusError(503);
};

describe('service policies', () => {
  it('retries inside ctx.call and reports the attempt', async () => {
    const services = createServiceCaller({
      api: {
        retry: { maxAttempts: 3, backoff: { kind: 'constant', initialMs: 0, jitter: 'none' } },
      },
    });
    const attempts: number[] = [];
    const result = await services.call(
      'api',
      ({ attempt }) => {
        attempts.push(attempt);
        if (attempt < 3) throw new HttpStatusError(503);
        return 'ok';
      },
      { signal },
    );
    expect(result).toEqual({ value: 'ok', degraded: false });
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('opens the breaker after failures and fails fast without calling', async () => {
    const services = createServiceCaller({
      api: {
        circuitBreaker: {
          window: { kind: 'count', size: 4 },
          minimumCalls: 4,
          failureRateThreshold: 0.5,
        },
      },
    });
    for (let i = 0; i < 4; i++)
      await expect(services.call('api', failing, { signal })).rejects.toThrow('HTTP 503');
    let called = false;
    const error: unknown = await services
      .call('api', () => (called = true), { signal })
      .catch((e: unknown) => e);
    expect(isBreakerOpenError(error)).toBe(true);
    expect(called).toBe(false);
    expect(services.policies.get('api')?.breaker?.state).toBe('OPEN');
  });

  it('keeps one breaker per key when perKey is set', async () => {
    const services = createServiceCaller({
      images: {
        perKey: true,
        circuitBreaker: {
          window: { kind: 'count', size: 2 },
          minimumCalls: 2,
          failureRateThreshold: 0.5,
        },
      },
    });
    for (let i = 0; i < 2; i++) {
      await expect(
        services.call('images', failing, { signal, key: 'bad.example' }),
      ).rejects.toThrow();
    }
    await expect(
      services.call('images', () => 1, { signal, key: 'bad.example' }),
    ).rejects.toMatchObject({
      code: 'SLUICE_BREAKER_OPEN',
    });
    await expect(
      services.call('images', () => 2, { signal, key: 'good.example' }),
    ).resolves.toEqual({
      value: 2,
      degraded: false,
    });
    expect(services.policies.get('images')?.breakers?.stats('images')).toMatchObject({
      breakers: 2,
    });
  });

  it('answers with a fallback and marks the result degraded', async () => {
    const services = createServiceCaller({ llm: { fallback: { recoverable: 'cached summary' } } });
    expect(await services.call('llm', failing, { signal })).toEqual({
      value: 'cached summary',
      degraded: true,
    });
    await expect(
      services.call('llm', () => Promise.reject(new HttpStatusError(400)), { signal }),
    ).rejects.toThrow('HTTP 400');
  });

  it('refuses an unknown service and names a bad option at load', async () => {
    const services = createServiceCaller({ api: {} });
    await expect(services.call('apii', () => 1, { signal })).rejects.toThrow(
      `ctx.call service must be one of the pipeline's services (api), got "apii"`,
    );
    expect(() =>
      definePipeline({
        name: 'p',
        version: '1',
        services: { images: { circuitBreaker: { failureRateThreshold: 1.5 } } },
        stages: [stage({ name: 's', handler: (n: number) => n })],
      }),
    ).toThrow(
      /^pipeline\.services\.images\.circuitBreaker\.failureRateThreshold must be in \(0, 1\], got 1\.5$/,
    );
    expect(() =>
      definePipeline({
        name: 'p',
        version: '1',
        services: { api: { rateLimit: { ratePerSecond: -1 } } },
        stages: [stage({ name: 's', handler: (n: number) => n })],
      }),
    ).toThrow(/^pipeline\.services\.api\.rateLimiter\.ratePerSecond must be/);
  });
});
