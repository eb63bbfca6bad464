import { describe, expect, it, vi } from 'vitest';
import {
  AbortedError,
  HttpStatusError,
  RateLimitedError,
  createClassifier,
} from '../errors/index.js';
import { fallback, isDegraded, isFallbackPolicy, type FallbackEvent } from './fallback.js';

describe('fallback', () => {
  const cached = { items: ['from cache'] };
  const policy = fallback({
    rate_limited: cached,
    recoverable: (error, category) =>
      Promise.resolve({
        items: [`stale after ${category}: ${String(error)}`],
      }),
  });
  const events: FallbackEvent[] = [];
  policy.onFallback((e) => events.push(e));

  it('passes a success through, not degraded, without firing', async () => {
    const fresh = { items: ['fresh'] };
    await expect(policy.execute(() => fresh)).resolves.toBe(fresh);
    const result = await policy.executeResult(() => Promise.resolve(fresh));
    expect(result).toEqual({ degraded: false, value: fresh });
    expect(isDegraded(result)).toBe(false);
    expect(events).toEqual([]);
    expect(isFallbackPolicy(policy)).toBe(true);
  });

  it('answers with the value registered for the failure category', async () => {
    const limited = new RateLimitedError(1000, 'api');
    await expect(policy.execute(() => Promise.reject(limited))).resolves.toBe(cached);
    const result = await policy.executeResult(() => Promise.reject(new HttpStatusError(429)));
    expect(result).toMatchObject({ degraded: true, value: cached, category: 'rate_limited' });
    expect(events[0]).toEqual({ error: limited, category: 'rate_limited' });
  });

  it('calls a handler function with the error and its category', async () => {
    const result = await policy.executeResult(() => {
      throw new HttpStatusError(503);
    });
    expect(isDegraded(result)).toBe(true);
    expect(result.value).toEqual({ items: ['stale after recoverable: HttpStatusError: HTTP 503'] });
    if (isDegraded(result)) expect(result.error).toBeInstanceOf(HttpStatusError);
  });

  it('rethrows categories it has no handler for', async () => {
    const notFound = new HttpStatusError(404);
    await expect(policy.execute(() => Promise.reject(notFound))).rejects.toBe(notFound);
    await expect(policy.executeResult(() => Promise.reject(notFound))).rejects.toBe(notFound);
  });

  it('falls back to a falsy value or undefined when that is what was registered', async () => {
    const zero = fallback({ recoverable: 0 });
    await expect(zero.execute(() => Promise.reject(new Error('x')))).resolves.toBe(0);
    const nothing = fallback({ recoverable: undefined });
    await expect(
      nothing.executeResult(() => Promise.reject(new Error('x'))),
    ).resolves.toMatchObject({
      degraded: true,
      value: undefined,
    });
  });

  it('propagates a failing handler', async () => {
    const broken = fallback({ recoverable: () => Promise.reject(new Error('cache down')) });
    await expect(broken.execute(() => Promise.reject(new Error('x')))).rejects.toThrow(
      'cache down',
    );
  });

  it('uses an injected classifier', async () => {
    const custom = fallback(
      { degraded: 'partial' },
      { classify: createClassifier([{ match: () => true, category: 'degraded' }]) },
    );
    await expect(custom.execute(() => Promise.reject(new HttpStatusError(404)))).resolves.toBe(
      'partial',
    );
  });

  it('never falls back when the caller aborted', async () => {
    const fn = vi.fn(() => 'never');
    await expect(policy.execute(fn, AbortSignal.abort())).rejects.toBeInstanceOf(AbortedError);
    expect(fn).not.toHaveBeenCalled();
    const controller = new AbortController();
    const during = policy.executeResult(({ signal }) => {
      controller.abort(new Error('shutdown'));
      return Promise.reject(signal.reason as Error);
    }, controller.signal);
    await expect(during).rejects.toMatchObject({
      code: 'SLUICE_ABORTED',
      message: 'aborted: shutdown',
    });
  });
});
