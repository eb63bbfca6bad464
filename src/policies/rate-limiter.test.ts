import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isAbortedError, isRateLimitedError } from '../errors/index.js';
import {
  isRateLimiter,
  rateLimiter,
  type RateLimiterAlgorithm,
  type RateLimitRejectEvent,
  type RateLimitWaitEvent,
} from './rate-limiter.js';

// Waits run on setTimeout and admission reads performance.now(): fake timers drive both.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Records when each promise settles, in fake milliseconds since `start`. */
function track(promise: Promise<unknown>, log: string[], label: string, start: number): void {
  promise.then(
    () => log.push(`${label}@${performance.now() - start}`),
    (error: unknown) => log.push(`${label}!${(error as Error).name}@${performance.now() - start}`),
  );
}

describe.each<RateLimiterAlgorithm>(['token-bucket', 'gcra'])('%s waits', (algorithm) => {
  it('admits waiters in FIFO order at the exact times the rate allows', async () => {
    const limiter = rateLimiter({ algorithm, ratePerSecond: 10, burst: 2, maxQueued: 3 });
    const start = performance.now();
    const log: string[] = [];
    await limiter.acquire('k', 2);
    track(limiter.acquire('k', 1), log, 'a', start);
    track(limiter.acquire('k', 2), log, 'b', start);
    track(limiter.acquire('k', 1), log, 'c', start);
    expect(limiter.queued('k')).toBe(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['a@100', 'b@300', 'c@400']);
    expect(limiter.queued('k')).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects beyond maxQueued with RateLimitedError saying when it would fit', async () => {
    const limiter = rateLimiter({ algorithm, ratePerSecond: 10, burst: 1, maxQueued: 2 });
    await limiter.acquire('k');
    const queued = [limiter.acquire('k'), limiter.acquire('k')];
    const error: unknown = await limiter.acquire('k').catch((e: unknown) => e);
    expect(isRateLimitedError(error)).toBe(true);
    expect(error).toMatchObject({ retryAfterMs: 300, key: 'k', code: 'SLUICE_RATE_LIMITED' });
    expect(limiter.queued('k')).toBe(2);
    await vi.advanceTimersByTimeAsync(200);
    await Promise.all(queued);
  });

  it('never lets small calls overtake a big one at the head', async () => {
    const limiter = rateLimiter({ algorithm, ratePerSecond: 1, burst: 5 });
    const start = performance.now();
    const log: string[] = [];
    await limiter.acquire('k', 5);
    track(limiter.acquire('k', 5), log, 'big', start);
    track(limiter.acquire('k', 1), log, 'small', start);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(log).toEqual([]);
    // Tokens are there for a small call, but it must not barge past the queue.
    expect(limiter.tryAcquire('k').allowed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['big@5000']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['big@5000', 'small@6000']);
  });

  it('removes an aborted waiter, frees its place and lets the next one go', async () => {
    const limiter = rateLimiter({ algorithm, ratePerSecond: 1, burst: 5, maxQueued: 2 });
    const start = performance.now();
    const log: string[] = [];
    await limiter.acquire('k', 5);
    const controller = new AbortController();
    const big = limiter.acquire('k', 5, controller.signal);
    track(big, log, 'big', start);
    track(limiter.acquire('k', 1), log, 'small', start);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(new Error('shutdown'));
    await expect(big).rejects.toMatchObject({
      code: 'SLUICE_ABORTED',
      message: 'aborted: shutdown',
    });
    await vi.advanceTimersByTimeAsync(0);
    // Two tokens had accrued: the small one behind goes at once.
    expect(log).toEqual(['big!AbortedError@2000', 'small@2000']);
    expect(limiter.queued('k')).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('aborting a waiter in the middle keeps the others in order and frees the place', async () => {
    const limiter = rateLimiter({ algorithm, ratePerSecond: 10, burst: 1, maxQueued: 3 });
    const start = performance.now();
    const log: string[] = [];
    await limiter.acquire('k');
    const controller = new AbortController();
    track(limiter.acquire('k'), log, 'a', start);
    track(limiter.acquire('k', 1, controller.signal), log, 'b', start);
    track(limiter.acquire('k'), log, 'c', start);
    controller.abort();
    track(limiter.acquire('k'), log, 'd', start); // fits: b's place was freed
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['b!AbortedError@0', 'a@100', 'c@200', 'd@300']);
  });

  it('rejects an already aborted signal without queueing', async () => {
    const limiter = rateLimiter({ algorithm, ratePerSecond: 1, burst: 1 });
    const controller = new AbortController();
    controller.abort();
    await expect(limiter.acquire('k', 1, controller.signal)).rejects.toSatisfy(isAbortedError);
    expect(limiter.queued('k')).toBe(0);
  });

  it('leaves no listener on a signal once its waiter is admitted', async () => {
    const limiter = rateLimiter({ algorithm, ratePerSecond: 10, burst: 1 });
    const controller = new AbortController();
    await limiter.acquire('k', 1, controller.signal);
    const waiting = limiter.acquire('k', 1, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    await waiting;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('rate limiter', () => {
  it('rejects at once when the wait would exceed maxWaitMs', async () => {
    const limiter = rateLimiter({ ratePerSecond: 10, burst: 1, maxWaitMs: 150 });
    await limiter.acquire('k');
    const first = limiter.acquire('k'); // 100 ms
    await expect(limiter.acquire('k')).rejects.toMatchObject({ retryAfterMs: 200 });
    expect(limiter.queued('k')).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    await first;
  });

  it('maxQueued 0 means reject instead of waiting', async () => {
    const limiter = rateLimiter({ ratePerSecond: 10, burst: 1, maxQueued: 0 });
    await limiter.acquire('k');
    await expect(limiter.acquire('k')).rejects.toMatchObject({ retryAfterMs: 100 });
  });

  it('runs execute under the default key and waits when limited', async () => {
    const limiter = rateLimiter({ ratePerSecond: 10, burst: 1, key: 'svc' });
    const fn = vi.fn(({ signal, attempt }: { signal: AbortSignal; attempt: number }) => {
      expect(signal.aborted).toBe(false);
      expect(attempt).toBe(1);
      return 'ok';
    });
    await expect(limiter.execute(fn)).resolves.toBe('ok');
    const second = limiter.execute(fn);
    expect(limiter.queued('svc')).toBe(1);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(100);
    await expect(second).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(2);
    expect(limiter.tryAcquire('other').allowed).toBe(true);
  });

  it('passes the caller signal to fn and turns a synchronous throw into a rejection', async () => {
    const limiter = rateLimiter({ ratePerSecond: 10 });
    const controller = new AbortController();
    await expect(
      limiter.execute(({ signal }) => {
        expect(signal).toBe(controller.signal);
        throw new Error('boom');
      }, controller.signal),
    ).rejects.toThrow('boom');
    controller.abort();
    const fn = vi.fn();
    await expect(limiter.execute(fn, controller.signal)).rejects.toSatisfy(isAbortedError);
    expect(fn).not.toHaveBeenCalled();
  });

  it('keyed views share buckets and queues with the limiter', async () => {
    const limiter = rateLimiter({ ratePerSecond: 10, burst: 1 });
    const view = limiter.keyed('example.com');
    expect(view.key).toBe('example.com');
    await expect(view.execute(() => 1)).resolves.toBe(1);
    expect(limiter.tryAcquire('example.com').allowed).toBe(false);
    const waiting = view.acquire();
    expect(limiter.queued('example.com')).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    await waiting;
    expect(view.tryAcquire()).toMatchObject({ allowed: false, retryAfterMs: 100 });
  });

  it('reports waits and rejections as events', async () => {
    const limiter = rateLimiter({ ratePerSecond: 10, burst: 1, maxQueued: 1 });
    const waits: RateLimitWaitEvent[] = [];
    const rejects: RateLimitRejectEvent[] = [];
    limiter.onWait((event) => waits.push(event));
    limiter.onReject((event) => rejects.push(event));
    await limiter.acquire('k');
    const waiting = limiter.acquire('k');
    await limiter.acquire('k').catch(() => undefined);
    limiter.tryAcquire('k');
    expect(waits).toEqual([{ key: 'k', cost: 1, waitMs: 100 }]);
    expect(rejects).toEqual([
      { key: 'k', cost: 1, retryAfterMs: 200, reason: 'queue-full' },
      { key: 'k', cost: 1, retryAfterMs: 200, reason: 'try-acquire' },
    ]);
    await vi.advanceTimersByTimeAsync(100);
    await waiting;
    const slow = rateLimiter({ ratePerSecond: 1, maxWaitMs: 10 });
    slow.onReject((event) => rejects.push(event));
    slow.tryAcquire('k');
    await slow.acquire('k').catch(() => undefined);
    expect(rejects.at(-1)).toMatchObject({ reason: 'max-wait', retryAfterMs: 1000 });
  });

  it('has a marker type guard', () => {
    expect(isRateLimiter(rateLimiter({ ratePerSecond: 1 }))).toBe(true);
    expect(isRateLimiter({ execute: () => undefined })).toBe(false);
  });
});
