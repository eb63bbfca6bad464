import { describe, expect, it } from 'vitest';
import { circuitBreaker } from './circuit-breaker.js';

/**
 * The breaker watches one call at a time with reactions made once (the solo call) and any call
 * overlapping it with closures of its own; these pin that each call is still timed from its own
 * start and recorded under its own generation, whatever order they settle in.
 */

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup() {
  const clock = { t: 0, now: () => clock.t };
  const breaker = circuitBreaker({
    window: { kind: 'count', size: 10 },
    minimumCalls: 10,
    slowCallDurationMs: 25,
    clock,
  });
  return { clock, breaker };
}

describe('circuitBreaker solo and overlapping calls', () => {
  it('times each call from its own start when they settle out of order', async () => {
    const { clock, breaker } = setup();
    const first = deferred();
    const second = deferred();
    const a = breaker.execute(() => first.promise); // the solo call, from t=0
    clock.t = 10;
    const b = breaker.execute(() => second.promise); // overlapping, from t=10
    clock.t = 20;
    second.resolve(); // 10 ms: not slow
    await b;
    expect(breaker.metrics()).toMatchObject({ calls: 1, slowCalls: 0 });
    clock.t = 30;
    first.reject(new Error('down')); // 30 ms from its own start: slow, and a failure
    await a.catch(() => {});
    expect(breaker.metrics()).toMatchObject({ calls: 2, failures: 1, slowCalls: 1 });
    // Both slots free again: the next call is solo and timed from its own start.
    await breaker.execute(() => {
      clock.t += 26;
    });
    expect(breaker.metrics()).toMatchObject({ calls: 3, failures: 1, slowCalls: 2 });
  });

  it('frees the solo slot before a listener starts the next call', async () => {
    const { clock, breaker } = setup();
    const durations: number[] = [];
    let next: Promise<unknown> | undefined;
    breaker.onSuccess(({ durationMs }) => {
      durations.push(durationMs);
      next ??= breaker.execute(() => {
        clock.t += 30;
      });
    });
    await breaker.execute(() => {
      clock.t += 5;
    });
    await next;
    expect(durations).toEqual([5, 30]);
    expect(breaker.metrics()).toMatchObject({ calls: 2, slowCalls: 1 });
  });

  it("ignores the solo call's failure when its own caller aborted", async () => {
    const { breaker } = setup();
    const controller = new AbortController();
    const gate = deferred();
    const call = breaker.execute(() => gate.promise, controller.signal);
    controller.abort();
    gate.reject(new Error('gave up'));
    await call.catch(() => {});
    expect(breaker.metrics()).toMatchObject({ calls: 0 });
  });
});
