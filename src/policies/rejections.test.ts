import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BreakerOpenError,
  BulkheadFullError,
  classify,
  isBreakerOpenError,
  isBulkheadFullError,
  isRateLimitedError,
  RateLimitedError,
  setErrorStacks,
} from '../errors/index.js';
import { breakerRegistry } from './breaker-registry.js';
import { bulkhead } from './bulkhead.js';
import { circuitBreaker, type CircuitBreaker } from './circuit-breaker.js';
import type { BreakerRejectEvent } from './circuit-breaker-events.js';
import { rateLimiter, type RateLimitRejectEvent } from './rate-limiter.js';
import { rejectLater } from './reject-later.js';

/**
 * The refusals that run hottest in an outage (an open breaker, a full bulkhead, a limiter that
 * will not wait) are made without a stack by default and handed back through rejectLater; these
 * tests pin what callers still see: the policy's own error with its fields, delivered as a
 * rejection, with a full stack again once stacks are turned on.
 */

afterEach(() => setErrorStacks(false));

const clock = { t: 0, now: () => clock.t };

async function openBreaker(name = 'api'): Promise<CircuitBreaker> {
  clock.t = 0;
  const breaker = circuitBreaker({
    name,
    window: { kind: 'count', size: 4 },
    minimumCalls: 2,
    openDurationMs: 1000,
    clock,
  });
  for (let i = 0; i < 2; i++)
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
  expect(breaker.state).toBe('OPEN');
  clock.t = 250;
  return breaker;
}

const hang = () => new Promise<never>(() => {});
const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('an open breaker', () => {
  it('rejects with a stackless BreakerOpenError carrying state, time left and name', async () => {
    const breaker = await openBreaker();
    const events: BreakerRejectEvent[] = [];
    breaker.onReject((event) => events.push(event));
    const error = await caught(breaker.execute(() => 'never run'));
    expect(error).toBeInstanceOf(BreakerOpenError);
    expect(isBreakerOpenError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'SLUICE_BREAKER_OPEN',
      state: 'OPEN',
      retryAfterMs: 750,
      breaker: 'api',
      message: 'api is OPEN; may admit a call in 750 ms',
      stack: 'BreakerOpenError: api is OPEN; may admit a call in 750 ms',
    });
    expect(events.map((e) => e.error)).toEqual([error]);
    expect(events[0]!.error).toBe(error);
    expect(classify(error)).toEqual({
      category: 'recoverable',
      code: 'SLUICE_BREAKER_OPEN',
      message: 'api is OPEN; may admit a call in 750 ms',
      retryAfterMs: 750,
    });
  });

  it('refuses a permit with the same error from tryAcquire', async () => {
    const breaker = await openBreaker();
    const refused = breaker.tryAcquire();
    expect(refused).toEqual(new BreakerOpenError('OPEN', 750, 'api'));
    expect((refused as BreakerOpenError).stack).not.toContain('\n');
  });

  it('names the service and key of a registry breaker', async () => {
    clock.t = 0;
    const registry = breakerRegistry({
      breaker: { window: { kind: 'count', size: 4 }, minimumCalls: 2, openDurationMs: 1000 },
      clock,
    });
    const breaker = registry.for('images', 'cdn.example.com');
    for (let i = 0; i < 2; i++) await caught(breaker.execute(() => Promise.reject(new Error('x'))));
    clock.t = 100;
    const error = await caught(registry.for('images', 'cdn.example.com').execute(() => 'no'));
    expect(error).toMatchObject({ breaker: 'images:cdn.example.com', retryAfterMs: 900 });
    expect(isBreakerOpenError(error)).toBe(true);
  });

  it('captures where the caller was once stacks are turned on', async () => {
    const breaker = await openBreaker();
    setErrorStacks(true);
    const error = (await caught(breaker.execute(() => 'no'))) as BreakerOpenError;
    expect(error.stack).toContain('rejections.test.ts');
    expect(error).toEqual(new BreakerOpenError('OPEN', 750, 'api'));
  });
});

describe('a full bulkhead', () => {
  it('rejects with a stackless BulkheadFullError carrying its limits', async () => {
    const policy = bulkhead(1, 0);
    void policy.execute(hang);
    const error = await caught(policy.execute(() => 'never run'));
    expect(isBulkheadFullError(error)).toBe(true);
    expect(error).toEqual(new BulkheadFullError(1, 0));
    expect((error as Error).stack).toBe('BulkheadFullError: bulkhead full: 1 running and 0 queued');
    setErrorStacks(true);
    const withStack = (await caught(policy.execute(() => 'no'))) as Error;
    expect(withStack.stack).toContain('rejections.test.ts');
  });
});

describe('a limiter that will not wait', () => {
  it('rejects execute and acquire with a stackless RateLimitedError carrying the wait', async () => {
    clock.t = 0;
    const limiter = rateLimiter({ ratePerSecond: 10, burst: 1, maxWaitMs: 0, clock });
    const rejects: RateLimitRejectEvent[] = [];
    limiter.onReject((event) => rejects.push(event));
    await limiter.execute(() => 'first');
    for (const refused of [limiter.execute(() => 'no'), limiter.acquire('default')]) {
      const error = await caught(refused);
      expect(isRateLimitedError(error)).toBe(true);
      expect(error).toEqual(new RateLimitedError(100, 'default'));
      expect((error as Error).stack).toBe(
        'RateLimitedError: rate limit for default reached; retry in 100 ms',
      );
    }
    expect(rejects.map((e) => e.reason)).toEqual(['max-wait', 'max-wait']);
    const queueFull = rateLimiter({ ratePerSecond: 10, burst: 1, maxQueued: 0, clock });
    await queueFull.keyed('user-1').execute(() => 'first');
    const error = await caught(queueFull.keyed('user-1').execute(() => 'no'));
    expect(error).toEqual(new RateLimitedError(100, 'user-1'));
    setErrorStacks(true);
    const withStack = (await caught(limiter.execute(() => 'no'))) as Error;
    expect(withStack.stack).toContain('rejections.test.ts');
  });
});

describe('rejectLater', () => {
  it('is pending when returned and rejects with exactly the value given', async () => {
    const reason = { not: 'an Error' };
    let settled = false;
    const promise = rejectLater(reason);
    void promise.catch(() => (settled = true));
    expect(settled).toBe(false);
    await expect(promise).rejects.toBe(reason);
    expect(settled).toBe(true);
  });

  it('still reports a rejection nobody handles as unhandled', () => {
    const module = fileURLToPath(new URL('./reject-later.ts', import.meta.url));
    const script = [
      `const { rejectLater } = await import(${JSON.stringify(module)});`,
      `process.on('unhandledRejection', (reason) => { console.log('unhandled', reason.code); });`,
      `rejectLater({ code: 'REFUSED' });`,
    ].join('\n');
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('unhandled REFUSED');
  });
});
