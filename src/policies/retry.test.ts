import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AbortedError,
  BreakerOpenError,
  HttpStatusError,
  RateLimitedError,
  createClassifier,
} from '../errors/index.js';
import type { Clock } from './clock.js';
import type { ExecuteContext } from './policy.js';
import {
  retry,
  isRetryPolicy,
  type GiveUpEvent,
  type RetryEvent,
  type RetryOptions,
} from './retry.js';
import { retryBudget } from './retry-budget.js';

const clock: Clock = { now: () => Date.now() };
const constant = (initialMs: number) => ({ kind: 'constant', jitter: 'none', initialMs }) as const;

/** A retry policy with its events recorded. */
function observed(options: RetryOptions) {
  const policy = retry({ clock, ...options });
  const retries: RetryEvent[] = [];
  const giveUps: GiveUpEvent[] = [];
  const successes: number[] = [];
  policy.onRetry((e) => retries.push(e));
  policy.onGiveUp((e) => giveUps.push(e));
  policy.onSuccess((e) => successes.push(e.attempts));
  return { policy, retries, giveUps, successes };
}

/** A function failing with each of `errors` in turn, then returning 'ok'. */
function failing(...errors: Error[]) {
  return vi.fn((_: ExecuteContext) => {
    const error = errors.shift();
    if (error !== undefined) return Promise.reject(error);
    return Promise.resolve('ok');
  });
}

/** Settles a promise without an unhandled rejection, for inspection later. */
function settle<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-11-23T12:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('retry', () => {
  it('returns a first success without waiting or retrying', async () => {
    const { policy, successes, retries } = observed({});
    const fn = failing();
    await expect(policy.execute(fn)).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn.mock.calls[0]![0]).toMatchObject({ attempt: 1, signal: { aborted: false } });
    expect(successes).toEqual([1]);
    expect(retries).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    expect(isRetryPolicy(policy)).toBe(true);
    expect(isRetryPolicy({})).toBe(false);
  });

  it('retries recoverable failures after the backoff, numbering attempts', async () => {
    const { policy, retries, successes } = observed({ backoff: constant(100) });
    const boom = new Error('ECONNRESET');
    const fn = failing(boom, boom);
    const signal = new AbortController().signal;
    const result = settle(policy.execute(fn, signal));
    await vi.advanceTimersByTimeAsync(99);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(result).toMatchObject({ done: true, value: 'ok' });
    expect(fn.mock.calls.map(([c]) => c.attempt)).toEqual([1, 2, 3]);
    expect(fn.mock.calls.every(([c]) => c.signal === signal)).toBe(true);
    expect(retries).toEqual([
      { attempt: 1, delayMs: 100, error: boom, category: 'recoverable' },
      { attempt: 2, delayMs: 100, error: boom, category: 'recoverable' },
    ]);
    expect(successes).toEqual([3]);
  });

  it('gives up after maxAttempts and rethrows the last failure itself', async () => {
    const { policy, giveUps } = observed({ maxAttempts: 3, backoff: constant(10) });
    const last = new HttpStatusError(503);
    const fn = failing(new Error('a'), new Error('b'), last, new Error('never reached'));
    const result = settle(policy.execute(fn));
    await vi.runAllTimersAsync();
    expect(result.error).toBe(last);
    expect(fn).toHaveBeenCalledTimes(3);
    expect(giveUps).toEqual([{ attempts: 3, error: last, reason: 'max_attempts' }]);
  });

  it('never retries a non-recoverable failure', async () => {
    for (const error of [new HttpStatusError(404), new TypeError('x is not a function')]) {
      const { policy, giveUps, retries } = observed({ maxAttempts: 5 });
      const fn = failing(error);
      await expect(policy.execute(fn)).rejects.toBe(error);
      expect(fn).toHaveBeenCalledTimes(1);
      expect(retries).toEqual([]);
      expect(giveUps).toEqual([{ attempts: 1, error, reason: 'non_recoverable' }]);
      expect(vi.getTimerCount()).toBe(0);
    }
  });

  it('uses an injected classifier', async () => {
    const classify = createClassifier([
      { match: (e) => e instanceof Error && e.message === 'quota', category: 'non_recoverable' },
    ]);
    const { policy } = observed({ classify });
    const fn = failing(new Error('quota'));
    await expect(policy.execute(fn)).rejects.toThrow('quota');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('lets shouldRetry override the category both ways', async () => {
    const shouldRetry = vi.fn(
      (error: unknown) => error instanceof HttpStatusError && error.status === 404,
    );
    const { policy, giveUps } = observed({ shouldRetry, backoff: constant(0) });
    await expect(policy.execute(failing(new HttpStatusError(404)))).resolves.toBe('ok');
    expect(shouldRetry).toHaveBeenCalledWith(
      expect.any(HttpStatusError),
      expect.objectContaining({ category: 'non_recoverable', status: 404 }),
      1,
    );
    const unavailable = new HttpStatusError(503);
    await expect(policy.execute(failing(unavailable))).rejects.toBe(unavailable);
    expect(giveUps.at(-1)).toMatchObject({ reason: 'non_recoverable', attempts: 1 });
  });

  it('uses a custom Backoff and passes it the previous delay', async () => {
    const next = vi.fn((retryNumber: number, previousMs: number) => previousMs + retryNumber * 10);
    const { policy, retries } = observed({ backoff: { next }, maxAttempts: 4 });
    const result = settle(policy.execute(failing(new Error('a'), new Error('b'), new Error('c'))));
    await vi.runAllTimersAsync();
    expect(result.value).toBe('ok');
    expect(next.mock.calls).toEqual([
      [1, 0],
      [2, 10],
      [3, 30],
    ]);
    expect(retries.map((r) => r.delayMs)).toEqual([10, 30, 60]);
  });
});

describe("retry honours the failure's own delay", () => {
  async function firstDelay(error: Error, options: RetryOptions = {}) {
    const { policy, retries, giveUps } = observed({ backoff: constant(100), ...options });
    const fn = failing(error);
    const result = settle(policy.execute(fn));
    await vi.advanceTimersByTimeAsync(0);
    const delayMs = retries[0]?.delayMs;
    if (delayMs !== undefined) {
      await vi.advanceTimersByTimeAsync(delayMs - 1);
      expect(fn).toHaveBeenCalledTimes(1); // it really waits that long
      await vi.advanceTimersByTimeAsync(1);
      expect(fn).toHaveBeenCalledTimes(2);
    }
    return { delayMs, giveUps, result, fn };
  }

  it('waits a Retry-After in delta-seconds', async () => {
    expect((await firstDelay(new HttpStatusError(503, '2'))).delayMs).toBe(2000);
  });

  it('waits a Retry-After HTTP-date', async () => {
    const in5s = 'Mon, 23 Nov 2026 12:00:05 GMT';
    expect((await firstDelay(new HttpStatusError(429, in5s))).delayMs).toBe(5000);
  });

  it('ignores a garbage Retry-After and keeps the backoff', async () => {
    for (const garbage of ['soon', '-3', '1.5', 'Mon, 99 Foo 2026']) {
      expect((await firstDelay(new HttpStatusError(503, garbage))).delayMs).toBe(100);
    }
  });

  it('keeps the backoff when it is longer than the Retry-After', async () => {
    expect((await firstDelay(new HttpStatusError(503, '0'))).delayMs).toBe(100);
  });

  it("waits a RateLimitedError's retryAfterMs", async () => {
    const { delayMs } = await firstDelay(new RateLimitedError(1500, 'api'));
    expect(delayMs).toBe(1500);
  });

  it('gives up at once when the delay asked exceeds maxRetryAfterMs', async () => {
    const error = new HttpStatusError(429, '3600');
    const { delayMs, giveUps, result, fn } = await firstDelay(error, { maxRetryAfterMs: 60_000 });
    expect(delayMs).toBeUndefined();
    expect(result.error).toBe(error);
    expect(giveUps).toEqual([{ attempts: 1, error, reason: 'deadline' }]);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('retry and an open circuit breaker', () => {
  it('waits until the breaker may half-open when that fits the deadline', async () => {
    const open = new BreakerOpenError('OPEN', 5000, 'api');
    const { delayMs, result } = await (async () => {
      const { policy, retries } = observed({ backoff: constant(100), maxElapsedMs: 10_000 });
      const fn = failing(open);
      const state = settle(policy.execute(fn));
      await vi.advanceTimersByTimeAsync(4999);
      expect(fn).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1);
      return { delayMs: retries[0]?.delayMs, result: state };
    })();
    expect(delayMs).toBe(5000);
    expect(result).toMatchObject({ done: true, value: 'ok' });
  });

  it('gives up at once when the wait would pass the deadline', async () => {
    const { policy, giveUps } = observed({ backoff: constant(100), maxElapsedMs: 10_000 });
    const open = new BreakerOpenError('OPEN', 7000);
    const fn = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 4000)); // a slow first attempt
      throw open;
    });
    const result = settle(policy.execute(fn));
    await vi.advanceTimersByTimeAsync(4000);
    expect(result.error).toBe(open);
    expect(giveUps).toEqual([{ attempts: 1, error: open, reason: 'deadline' }]);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives up at once when no attempt is left', async () => {
    const { policy, giveUps } = observed({ maxAttempts: 1 });
    const open = new BreakerOpenError('OPEN', 10);
    await expect(policy.execute(failing(open))).rejects.toBe(open);
    expect(giveUps[0]?.reason).toBe('max_attempts');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives up when the deadline would pass during an ordinary backoff too', async () => {
    const { policy, giveUps } = observed({
      backoff: constant(400),
      maxElapsedMs: 1000,
      maxAttempts: 10,
    });
    const result = settle(
      policy.execute(failing(...Array.from({ length: 9 }, () => new Error('x')))),
    );
    await vi.runAllTimersAsync();
    expect(result.error).toBeInstanceOf(Error);
    expect(giveUps).toEqual([expect.objectContaining({ attempts: 3, reason: 'deadline' })]);
  });
});

describe('retry and aborts', () => {
  it('stops waiting at once on abort, rejects with AbortedError and leaves no timer', async () => {
    const { policy, giveUps } = observed({ backoff: constant(60_000) });
    const controller = new AbortController();
    const fn = failing(new Error('x'));
    const result = settle(policy.execute(fn, controller.signal));
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort(new Error('shutdown'));
    await vi.advanceTimersByTimeAsync(0);
    expect(result.done).toBe(true);
    expect(result.error).toBeInstanceOf(AbortedError);
    expect(result.error).toMatchObject({ message: 'aborted: shutdown' });
    expect(vi.getTimerCount()).toBe(0);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(giveUps).toEqual([{ attempts: 1, error: result.error, reason: 'aborted' }]);
  });

  it('does not start when the signal is already aborted', async () => {
    const { policy, giveUps } = observed({});
    const fn = failing();
    await expect(policy.execute(fn, AbortSignal.abort())).rejects.toBeInstanceOf(AbortedError);
    expect(fn).not.toHaveBeenCalled();
    expect(giveUps[0]).toMatchObject({ attempts: 0, reason: 'aborted' });
  });

  it('does not retry a failure caused by the caller aborting mid-attempt', async () => {
    const { policy, giveUps } = observed({ backoff: constant(0) });
    const controller = new AbortController();
    const fn = vi.fn(({ signal }: ExecuteContext) => {
      controller.abort();
      return Promise.reject(signal.reason as Error);
    });
    await expect(policy.execute(fn, controller.signal)).rejects.toBeInstanceOf(AbortedError);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(giveUps[0]?.reason).toBe('aborted');
  });
});

describe('retry with a budget', () => {
  it('gives up with reason budget and rethrows the last failure when it is spent', async () => {
    const budget = retryBudget({ ratio: 0, minRetriesPerSecond: 0.1, windowMs: 10_000, clock });
    const { policy, giveUps } = observed({ budget, backoff: constant(0), maxAttempts: 10 });
    const last = new Error('still down');
    await expect(policy.execute(failing(new Error('down'), last, new Error('x')))).rejects.toBe(
      last,
    );
    expect(giveUps).toEqual([{ attempts: 2, error: last, reason: 'budget' }]);
  });
});
