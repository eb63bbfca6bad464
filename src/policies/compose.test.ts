import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { AbortedError, TimeoutError } from '../errors/index.js';
import { bulkhead } from './bulkhead.js';
import { circuitBreaker } from './circuit-breaker.js';
import { compose } from './compose.js';
import { faultInjection } from './fault-injection.js';
import type { ExecuteContext, Policy } from './policy.js';
import { rateLimiter } from './rate-limiter.js';
import { retry } from './retry.js';
import { timeout } from './timeout.js';
import { sharedTimerWheel } from './timer-wheel.js';
import { countAbortControllers } from '../../test/support/count-abort-controllers.js';

/** A policy that records the order layers are entered in, passing the signal on unchanged. */
function tracer(name: string, log: string[]): Policy {
  return {
    async execute<T>(
      fn: (context: ExecuteContext) => PromiseLike<T> | T,
      signal?: AbortSignal,
    ): Promise<T> {
      log.push(`enter ${name}`);
      try {
        return await fn({ signal: signal ?? new AbortController().signal, attempt: 1 });
      } finally {
        log.push(`leave ${name}`);
      }
    },
  };
}

describe('compose', () => {
  it('nests policies with the first outermost', async () => {
    const log: string[] = [];
    const result = await compose(tracer('a', log), tracer('b', log), tracer('c', log)).execute(
      () => {
        log.push('fn');
        return 42;
      },
    );
    expect(result).toBe(42);
    expect(log).toEqual(['enter a', 'enter b', 'enter c', 'fn', 'leave c', 'leave b', 'leave a']);
  });

  it('hands the retry attempt number through inner layers to fn', async () => {
    const attempts: number[] = [];
    const policy = compose(
      retry({ maxAttempts: 3, backoff: { kind: 'constant', initialMs: 0, jitter: 'none' } }),
      tracer('inner', []),
    );
    const result = await policy.execute(({ attempt }) => {
      attempts.push(attempt);
      if (attempt < 3) throw new Error('flaky');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('lets a retry outside recover from faults injected inside', async () => {
    let calls = 0;
    const faults = faultInjection({ error: { rate: 1 } });
    const policy = compose(
      retry({ maxAttempts: 4, backoff: { kind: 'constant', initialMs: 0, jitter: 'none' } }),
      faults,
    );
    const pending = policy.execute(() => ++calls);
    await expect(pending).rejects.toMatchObject({ code: 'SLUICE_INJECTED_FAULT' });
    expect(calls).toBe(0);
    faults.enabled = false;
    await expect(policy.execute(() => ++calls)).resolves.toBe(1);
  });

  it('passes the caller signal to fn through every layer', async () => {
    const controller = new AbortController();
    const seen = await compose(tracer('a', []), tracer('b', [])).execute(
      ({ signal }) => signal,
      controller.signal,
    );
    expect(seen).toBe(controller.signal);
    expect(await compose().execute(({ attempt }) => attempt)).toBe(1);
  });
});

describe('compose with lazy signals', () => {
  // The shared wheel ticks every 5 ms: a deadline fires between ms and ms + 10 ms, never before.
  const slack = 2 * sharedTimerWheel.resolutionMs;
  const controllersCreated = countAbortControllers();

  const noWait = { kind: 'constant', initialMs: 0, jitter: 'none' } as const;
  /** The benchmark's composition: retry + breaker + timeout + bulkhead. */
  const full = () =>
    compose(
      retry({ maxAttempts: 3, backoff: noWait }),
      circuitBreaker(),
      timeout(1_000),
      bulkhead(10),
    );

  /** Never settles by itself; rejects with the signal's reason when it aborts. */
  function untilAborted({ signal }: ExecuteContext): Promise<never> {
    return new Promise((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
  }

  it('creates no AbortController on the success path when fn never reads the signal', async () => {
    const policy = full();
    const caller = new AbortController(); // counted: the test's own
    for (let i = 0; i < 100; i++) {
      await expect(policy.execute(() => Promise.resolve(i))).resolves.toBe(i);
      await expect(policy.execute(({ attempt }) => attempt, caller.signal)).resolves.toBe(1);
    }
    expect(controllersCreated()).toBe(1);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    expect(sharedTimerWheel.size).toBe(0);
    // The same without a timeout layer, and with a limiter in front.
    const limited = compose(rateLimiter({ ratePerSecond: 1e6 }), retry(), bulkhead(1));
    await expect(limited.execute(() => 'ok', caller.signal)).resolves.toBe('ok');
    expect(controllersCreated()).toBe(1);
    // Reading the signal makes exactly one, the timeout's.
    await expect(policy.execute(({ signal }) => signal.aborted)).resolves.toBe(false);
    expect(controllersCreated()).toBe(2);
  });

  it('hands fn the retry attempt through the timeout without making its signal', async () => {
    const attempts: number[] = [];
    const result = full().execute(({ attempt }) => {
      attempts.push(attempt);
      if (attempt < 3) throw new Error('flaky');
      return 'ok';
    });
    await vi.advanceTimersByTimeAsync(0);
    await expect(result).resolves.toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
    expect(controllersCreated()).toBe(0);
  });

  it("propagates the caller's abort to the signal fn reads, and leaves no listener", async () => {
    const caller = new AbortController();
    let signal: AbortSignal | undefined;
    const outcome = full()
      .execute((context) => {
        signal = context.signal;
        return untilAborted(context);
      }, caller.signal)
      .catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    expect(signal!.aborted).toBe(false);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('user cancelled');
    caller.abort(reason);
    const error = await outcome;
    expect(error).toBeInstanceOf(AbortedError);
    expect(signal!.reason).toBe(reason);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('refuses to start when the caller aborted before the call', async () => {
    const ran = vi.fn();
    await expect(full().execute(ran, AbortSignal.abort())).rejects.toBeInstanceOf(AbortedError);
    expect(ran).not.toHaveBeenCalled();
  });

  it("aborts fn's signal at each attempt's deadline through the other layers", async () => {
    const reasons: unknown[] = [];
    const outcome = full()
      .execute((context) => {
        context.signal.addEventListener('abort', () => reasons.push(context.signal.reason));
        return untilAborted(context);
      })
      .catch((error: unknown) => error);
    // A timeout is recoverable: the retry tries three times, each cut at 1 s.
    await vi.advanceTimersByTimeAsync(3 * (1_000 + slack));
    expect(await outcome).toBeInstanceOf(TimeoutError);
    expect(reasons).toHaveLength(3);
    expect(reasons.every((reason) => reason instanceof TimeoutError)).toBe(true);
  });

  it('times out a call waiting in an inner bulkhead queue, which frees its place', async () => {
    const gate = bulkhead(1, 1);
    const policy = compose(timeout(100), gate);
    let release: () => void = () => {};
    const holder = gate.execute(() => new Promise<void>((resolve) => (release = resolve)));
    const queued = policy.execute(() => 'never').catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    expect(gate.queueSlots).toBe(0);
    await vi.advanceTimersByTimeAsync(100 + slack);
    expect(await queued).toBeInstanceOf(TimeoutError);
    expect(gate.queueSlots).toBe(1);
    release();
    await holder;
    expect(gate.executionSlots).toBe(1);
  });
});
