import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AbortedError,
  HttpStatusError,
  RateLimitedError,
  TimeoutError,
  createClassifier,
} from '../errors/index.js';
import { circuitBreaker, type CircuitBreaker } from './circuit-breaker.js';
import type { CircuitBreakerOptions, OutcomeVerdict } from './circuit-breaker-options.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** What the breaker recorded for one error: read off the window, so nothing is taken on trust. */
async function recorded(
  error: unknown,
  options: CircuitBreakerOptions = {},
  signal?: AbortSignal,
): Promise<OutcomeVerdict> {
  const breaker: CircuitBreaker = circuitBreaker({ minimumCalls: 1, ...options });
  const thrown = await breaker
    .execute(async () => {
      await Promise.resolve();
      throw error; // after a tick, as real I/O fails
    }, signal)
    .catch((e: unknown) => e);
  expect(thrown).toBe(error); // the caller always gets the call's own error
  const { calls, failures } = breaker.metrics();
  return calls === 0 ? 'ignore' : failures === 1 ? 'failure' : 'success';
}

describe('what counts as a failure', () => {
  it.each([
    ['a 503', new HttpStatusError(503)],
    ['a 500', new HttpStatusError(500)],
    ['a 501 (non-recoverable, but the service is broken)', new HttpStatusError(501)],
    ['a timeout', new TimeoutError(100)],
    ['a connection reset', Object.assign(new Error('reset'), { code: 'ECONNRESET' })],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a thrown string', 'boom'],
  ])('%s is a failure', async (_, error) => {
    expect(await recorded(error)).toBe('failure');
  });

  it.each([
    ['a 429', new HttpStatusError(429, '1')],
    ['a RateLimitedError', new RateLimitedError(100, 'api')],
  ])('%s is ignored by default and a failure with countRateLimited', async (_, error) => {
    expect(await recorded(error)).toBe('ignore');
    expect(await recorded(error, { countRateLimited: true })).toBe('failure');
  });

  it.each([400, 401, 403, 404, 422])(
    'a %i is a success by default (the service answered) and a failure with countClientErrors',
    async (status) => {
      expect(await recorded(new HttpStatusError(status))).toBe('success');
      expect(await recorded({ status }, { countClientErrors: true })).toBe('failure');
    },
  );

  it('a 408 is a failure (a timeout, not an answer)', async () => {
    expect(await recorded(new HttpStatusError(408))).toBe('failure');
  });

  it('a degraded answer is a success', async () => {
    expect(await recorded(Object.assign(new Error('partial'), { category: 'degraded' }))).toBe(
      'success',
    );
  });

  it("the caller's own abort is ignored by default and a failure with countCallerAbort", async () => {
    const aborted = () => {
      const controller = new AbortController();
      controller.abort();
      return controller.signal;
    };
    // The signal fires mid-call and the work rejects with whatever it likes.
    const midCall = async (options: CircuitBreakerOptions) => {
      const controller = new AbortController();
      const breaker = circuitBreaker({ minimumCalls: 1, ...options });
      const call = breaker.execute(
        ({ signal }) =>
          new Promise((_, reject) => {
            signal.addEventListener('abort', () => reject(new Error('socket closed')));
          }),
        controller.signal,
      );
      controller.abort();
      await call.catch(() => {});
      return breaker.metrics();
    };
    expect(await midCall({})).toMatchObject({ calls: 0 });
    expect(await midCall({ countCallerAbort: true })).toMatchObject({ calls: 1, failures: 1 });
    expect(await recorded(new AbortedError())).toBe('ignore');
    expect(await recorded(new AbortedError(), { countCallerAbort: true })).toBe('failure');

    const viaPermit = circuitBreaker({ minimumCalls: 1 });
    const permit = viaPermit.tryAcquire(aborted());
    if (!('success' in permit)) throw permit;
    permit.failure(new Error('socket closed'), 5);
    expect(viaPermit.metrics().calls).toBe(0);
  });

  it('an abort that is not the caller’s (e.g. a fetch timeout) is a failure', async () => {
    expect(await recorded(new DOMException('The operation timed out', 'TimeoutError'))).toBe(
      'failure',
    );
  });

  it('isFailure decides first, and undefined falls through to the defaults', async () => {
    const isFailure = (error: unknown) => {
      if (error instanceof HttpStatusError && error.status === 404) return true;
      if (error instanceof HttpStatusError && error.status === 503) return false;
      if (error instanceof HttpStatusError && error.status === 500) return 'ignore' as const;
      return undefined;
    };
    expect(await recorded(new HttpStatusError(404), { isFailure })).toBe('failure');
    expect(await recorded(new HttpStatusError(503), { isFailure })).toBe('success');
    expect(await recorded(new HttpStatusError(500), { isFailure })).toBe('ignore');
    expect(await recorded(new HttpStatusError(502), { isFailure })).toBe('failure');
    expect(await recorded(new HttpStatusError(429), { isFailure })).toBe('ignore');
    // The caller's abort is settled before the hook is asked.
    expect(await recorded(new AbortedError(), { isFailure: () => true })).toBe('ignore');
  });

  it('hands isFailure the classification', async () => {
    const seen: unknown[] = [];
    await recorded(new HttpStatusError(503, '2'), {
      isFailure: (_, c) => void seen.push(c),
    });
    expect(seen).toEqual([
      expect.objectContaining({ category: 'recoverable', status: 503, retryAfterMs: 2000 }),
    ]);
  });

  it('uses a custom classifier', async () => {
    const classifier = createClassifier([
      { match: (e) => e instanceof Error && /quota/.test(e.message), category: 'rate_limited' },
    ]);
    expect(await recorded(new Error('quota exceeded'), { classifier })).toBe('ignore');
    expect(await recorded(new Error('quota exceeded'))).toBe('failure');
  });

  it('counts the error as a failure and reports the bug when a hook throws', async () => {
    const reported: (() => void)[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => void reported.push(task));
    const hookBug = new Error('hook bug');
    const error = new HttpStatusError(404);
    expect(
      await recorded(error, {
        isFailure: () => {
          throw hookBug;
        },
      }),
    ).toBe('failure');
    expect(reported).toHaveLength(1);
    expect(() => reported[0]!()).toThrow(hookBug);
  });
});
