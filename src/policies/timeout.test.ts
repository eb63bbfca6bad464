import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { isAbortedError, isTimeoutError, TimeoutError } from '../errors/index.js';
import type { ExecuteContext } from './policy.js';
import { isTimeoutPolicy, timeout, type TimeoutEvent } from './timeout.js';
import { sharedTimerWheel } from './timer-wheel.js';
import { countAbortControllers } from '../../test/support/count-abort-controllers.js';

// The shared wheel ticks every 5 ms: a deadline fires between ms and ms + 10 ms, never before.
const slack = 2 * sharedTimerWheel.resolutionMs;
const realSetImmediate = globalThis.setImmediate;
const controllersCreated = countAbortControllers();

/** Never settles by itself; rejects with the signal's reason when it aborts. */
function untilAborted({ signal }: ExecuteContext): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

function resolveAfter<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

/** Lets Node run a real turn, so that it would report an unhandled rejection. */
function nextRealTurn(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

describe('cooperative timeout', () => {
  it('aborts the signal at the deadline, not before, and rejects with TimeoutError', async () => {
    const policy = timeout(100);
    const events: TimeoutEvent[] = [];
    policy.onTimeout((event) => events.push(event));
    let signal: AbortSignal | undefined;
    const result = policy.execute((context) => {
      signal = context.signal;
      return untilAborted(context);
    });
    const outcome = result.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(99);
    expect(signal!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1 + slack);
    expect(signal!.aborted).toBe(true);
    expect(isTimeoutError(signal!.reason)).toBe(true);
    const error = await outcome;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'SLUICE_TIMEOUT', timeoutMs: 100 });
    expect((error as Error).cause).toBe(signal!.reason);
    expect(events).toEqual([{ timeoutMs: 100, strategy: 'cooperative' }]);
  });

  it('rejects with TimeoutError when fn ignores the signal and settles late', async () => {
    const policy = timeout(100);
    const fn = vi.fn(() => resolveAfter(300, 'late'));
    const outcome = policy.execute(fn).catch((error: unknown) => error);
    let settled = false;
    void outcome.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(100 + slack);
    expect(settled).toBe(false); // cooperative: waits for fn
    await vi.advanceTimersByTimeAsync(200);
    expect(isTimeoutError(await outcome)).toBe(true);
  });

  it('creates no AbortController and leaves nothing behind on the success path', async () => {
    const policy = timeout(1_000);
    for (let i = 0; i < 100; i++) {
      await expect(policy.execute(() => Promise.resolve(i))).resolves.toBe(i);
      await expect(policy.execute(({ attempt }) => attempt)).resolves.toBe(1);
    }
    expect(controllersCreated()).toBe(0);
    expect(sharedTimerWheel.size).toBe(0);
    expect(vi.getTimerCount()).toBeLessThanOrEqual(1); // the wheel ticks on briefly
    await vi.advanceTimersByTimeAsync(slack);
    expect(vi.getTimerCount()).toBe(0);
    // Reading the signal creates exactly one, lazily.
    await policy.execute(({ signal }) => signal.aborted);
    expect(controllersCreated()).toBe(1);
  });

  it("propagates the caller's abort to fn's signal and rejects with AbortedError", async () => {
    const policy = timeout(1_000);
    const caller = new AbortController();
    let signal: AbortSignal | undefined;
    const outcome = policy
      .execute((context) => {
        signal = context.signal;
        return untilAborted(context);
      }, caller.signal)
      .catch((error: unknown) => error);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('shutdown');
    caller.abort(reason);
    const error = await outcome;
    expect(isAbortedError(error)).toBe(true);
    expect((error as Error).cause).toBe(reason);
    expect(signal!.reason).toBe(reason);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('does not run fn when the caller has already aborted', async () => {
    const caller = new AbortController();
    caller.abort();
    const fn = vi.fn();
    await expect(timeout(100).execute(fn, caller.signal)).rejects.toSatisfy(isAbortedError);
    expect(fn).not.toHaveBeenCalled();
  });

  it('hands over an aborted signal if fn reads it after the caller aborted', async () => {
    const caller = new AbortController();
    const outcome = timeout(1_000).execute(async (context) => {
      await resolveAfter(10, undefined);
      return context.signal.aborted;
    }, caller.signal);
    caller.abort();
    await vi.advanceTimersByTimeAsync(10);
    await expect(outcome).resolves.toBe(true);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('passes on what fn threw, synchronously or not, before the deadline', async () => {
    const policy = timeout(100);
    await expect(
      policy.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(policy.execute(() => Promise.reject(new Error('async')))).rejects.toThrow('async');
  });
});

describe('aggressive timeout', () => {
  it('rejects at the deadline while the work goes on, and swallows its late failure', async () => {
    const policy = timeout(100, { strategy: 'aggressive' });
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      let finished = false;
      let signal: AbortSignal | undefined;
      const outcome = policy
        .execute(async (context) => {
          signal = context.signal;
          await resolveAfter(300, undefined);
          finished = true;
          throw new Error('late failure');
        })
        .catch((error: unknown) => error);
      let settledAt: number | undefined;
      const start = performance.now();
      void outcome.then(() => (settledAt = performance.now() - start));
      await vi.advanceTimersByTimeAsync(99);
      expect(settledAt).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1 + slack);
      expect(settledAt).toBeGreaterThanOrEqual(100);
      expect(settledAt).toBeLessThanOrEqual(100 + slack);
      expect(isTimeoutError(await outcome)).toBe(true);
      expect(signal!.aborted).toBe(true);
      expect(finished).toBe(false);
      await vi.advanceTimersByTimeAsync(300);
      expect(finished).toBe(true);
      await nextRealTurn();
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('ignores a late value, and creates no AbortController when the signal is not read', async () => {
    const policy = timeout(50, { strategy: 'aggressive' });
    const outcome = policy.execute(() => resolveAfter(80, 'late'));
    await expect(Promise.all([outcome, vi.advanceTimersByTimeAsync(50 + slack)])).rejects.toSatisfy(
      isTimeoutError,
    );
    await vi.advanceTimersByTimeAsync(50);
    await expect(policy.execute(() => 'sync value')).resolves.toBe('sync value');
    await expect(policy.execute(() => Promise.resolve('fast'))).resolves.toBe('fast');
    expect(controllersCreated()).toBe(0);
    await expect(
      policy.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
  });

  it("rejects at once on the caller's abort even if fn ignores it", async () => {
    const policy = timeout(1_000, { strategy: 'aggressive' });
    const caller = new AbortController();
    const outcome = policy.execute(() => resolveAfter(500, 'x'), caller.signal);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    caller.abort(new Error('stop'));
    await expect(outcome).rejects.toMatchObject({
      code: 'SLUICE_ABORTED',
      message: 'aborted: stop',
    });
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(500);
  });
});

it.each(['cooperative', 'aggressive'] as const)(
  '%s: leaves no listener on a long-lived caller signal after many calls',
  async (strategy) => {
    const policy = timeout(1_000, { strategy });
    const caller = new AbortController();
    for (let i = 0; i < 1_000; i++) {
      await policy.execute((context) => (i % 2 === 0 ? context.signal.aborted : i), caller.signal);
    }
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    expect(sharedTimerWheel.size).toBe(0);
  },
);

describe('timeout validation', () => {
  it.each([0, -1, NaN, Infinity, 2 ** 31, '100'])('names a bad ms: %s', (ms) => {
    expect(() => timeout(ms as number)).toThrow(
      /^timeout\.ms must be a number in \(0, 2147483648\), got /,
    );
  });

  it('names a bad strategy and options', () => {
    expect(() => timeout(100, { strategy: 'eager' as never })).toThrow(
      `timeout.strategy must be 'cooperative' or 'aggressive', got "eager"`,
    );
    expect(() => timeout(100, null as never)).toThrow(
      'timeout.options must be an options object, got null',
    );
    expect(() => timeout(0)).toThrow('timeout.ms must be a number in (0, 2147483648), got 0');
  });

  it('has a marker type guard', () => {
    expect(isTimeoutPolicy(timeout(1))).toBe(true);
    expect(isTimeoutPolicy({})).toBe(false);
  });
});
