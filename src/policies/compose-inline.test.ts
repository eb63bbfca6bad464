import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpStatusError } from '../errors/index.js';
import { bulkhead } from './bulkhead.js';
import { circuitBreaker } from './circuit-breaker.js';
import { compose } from './compose.js';
import type { ExecuteContext, Policy } from './policy.js';
import { rateLimiter } from './rate-limiter.js';
import { retry } from './retry.js';
import { timeout } from './timeout.js';
import { sharedTimerWheel } from './timer-wheel.js';

/**
 * compose() runs built-in policies by their inline steps (one async frame for the stack). These
 * tests run the same scenarios through compose and through plain nesting of `execute` calls, and
 * expect the same outcome, the same events in the same order and the same end state.
 */

type Step = 'ok' | 'fail' | 'client-error' | 'throw-sync' | 'hang';

const clock = { t: 0, now: () => clock.t };
const slack = 2 * sharedTimerWheel.resolutionMs;

interface Options {
  slots?: number;
  queue?: number;
  isolate?: boolean;
  /** The breaker outside the retry (it then sees one call however many attempts). */
  breakerOutside?: boolean;
}

function setup(options: Options = {}) {
  const log: string[] = [];
  const r = retry({ maxAttempts: 3, backoff: { kind: 'constant', initialMs: 0, jitter: 'none' } });
  // Open longer than the retry's maxRetryAfterMs: the retry gives up on a fast-fail at once.
  const b = circuitBreaker({
    window: { kind: 'count', size: 10 },
    minimumCalls: 4,
    openDurationMs: 120_000,
    clock,
  });
  const t = timeout(100);
  const h = bulkhead(options.slots ?? 2, options.queue ?? 0);
  const l = rateLimiter({ ratePerSecond: 1000, burst: 100, clock });
  r.onRetry((e) => log.push(`retry ${e.attempt} ${String(e.error)}`));
  r.onGiveUp((e) => log.push(`give up ${e.attempts} ${e.reason}`));
  r.onSuccess((e) => log.push(`retry ok ${e.attempts}`));
  b.onSuccess((e) => log.push(`breaker ok ${e.durationMs}`));
  b.onFailure((e) => log.push(`breaker failure ${e.recordedAs}`));
  b.onReject(() => log.push('breaker reject'));
  b.onStateChange((c) => log.push(`breaker ${c.from}->${c.to}`));
  t.onTimeout(() => log.push('timeout'));
  h.onReject(() => log.push('bulkhead reject'));
  if (options.isolate === true) b.isolate();
  const [outer, inner] = options.breakerOutside === true ? [b, r] : [r, b];
  const composed = compose(l, outer, inner, t, h);
  const nested: Policy = {
    execute: <T>(fn: (context: ExecuteContext) => PromiseLike<T> | T, signal?: AbortSignal) =>
      l.execute(
        (c0) =>
          outer.execute(
            (c1) =>
              inner.execute(
                (c2) => t.execute((c3) => h.execute(fn, c3.signal), c2.signal),
                c1.signal,
              ),
            c0.signal,
          ),
        signal,
      ),
  };
  return { log, breaker: b, gate: h, composed, nested };
}

/** fn playing `steps`, one per call (the last one repeats), logging what it sees. */
function script(steps: readonly Step[], log: string[]) {
  let call = 0;
  return ({ signal }: ExecuteContext): Promise<string> | string => {
    const step = steps[Math.min(call, steps.length - 1)]!;
    call++;
    log.push(`fn ${call} ${step}`);
    switch (step) {
      case 'ok':
        return Promise.resolve(`value ${call}`);
      case 'fail':
        return Promise.reject(new HttpStatusError(503));
      case 'client-error':
        return Promise.reject(new HttpStatusError(400));
      case 'throw-sync':
        throw new HttpStatusError(502);
      case 'hang':
        return new Promise((_, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        });
    }
  };
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    return `value: ${String(await promise)}`;
  } catch (error) {
    const e = error as { name?: string; code?: string; message?: string };
    return `error: ${e.name} ${e.code} ${e.message}`;
  }
}

type Run = (
  policy: Policy,
  fn: (context: ExecuteContext) => Promise<string> | string,
) => Promise<string>;

const plain: Run = (policy, fn) => outcome(policy.execute(fn));

/** Runs `scenario` both ways and expects the same report. */
async function same(options: Options, steps: readonly Step[], run: Run = plain): Promise<void> {
  const reports: unknown[] = [];
  for (const way of ['composed', 'nested'] as const) {
    const s = setup(options);
    const result = await run(s[way], script(steps, s.log));
    reports.push({
      result,
      log: s.log,
      state: s.breaker.state,
      metrics: s.breaker.metrics(),
      slots: s.gate.executionSlots,
      queue: s.gate.queueSlots,
    });
  }
  expect(reports[0]).toEqual(reports[1]);
}

describe('compose runs inline exactly as nesting would', () => {
  beforeEach(() => {
    clock.t = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    [['ok']],
    [['fail', 'ok']],
    [['fail', 'fail', 'ok']],
    [['fail']],
    [['client-error']],
    [['throw-sync', 'ok']],
    [['throw-sync']],
  ] as const)('fn playing %j', async (steps) => {
    await same({}, steps);
    await same({ breakerOutside: true }, steps);
  });

  it('refuses with the open breaker, through the retry', async () => {
    await same({ isolate: true }, ['ok']);
  });

  it('opens the breaker after enough failures and fails fast after that', async () => {
    await same({}, ['fail'], async (policy, fn) => {
      const results: string[] = [];
      for (let i = 0; i < 3; i++) results.push(await outcome(policy.execute(fn)));
      return results.join(' | ');
    });
  });

  it('rejects when the bulkhead is full, and queues when it has room', async () => {
    for (const queue of [0, 1]) {
      await same({ slots: 1, queue }, ['hang'], async (policy, fn) => {
        const caller = new AbortController();
        const first = outcome(policy.execute(fn, caller.signal));
        const second = outcome(policy.execute(() => 'second'));
        await new Promise((resolve) => setImmediate(resolve));
        caller.abort(new Error('stop'));
        return `${await first} | ${await second}`;
      });
    }
  });

  it('refuses a call whose caller aborted before it', async () => {
    await same({}, ['ok'], (policy, fn) => outcome(policy.execute(fn, AbortSignal.abort())));
  });

  it('propagates an abort during the call to fn and gives up', async () => {
    await same({}, ['hang'], async (policy, fn) => {
      const caller = new AbortController();
      const result = outcome(policy.execute(fn, caller.signal));
      await new Promise((resolve) => setImmediate(resolve));
      caller.abort(new Error('user'));
      return result;
    });
  });

  it('times out each attempt and gives up after the last', async () => {
    vi.useFakeTimers();
    for (const breakerOutside of [false, true]) {
      await same({ breakerOutside }, ['hang'], async (policy, fn) => {
        const result = outcome(policy.execute(fn));
        await vi.advanceTimersByTimeAsync(3 * (100 + slack));
        return result;
      });
    }
  });

  it('counts a slow success as slow in the breaker', async () => {
    await same({}, ['ok'], (policy) =>
      outcome(
        policy.execute(() => {
          clock.t += 60_000;
          return 'slow';
        }),
      ),
    );
  });
});
