import { describe, expect, it } from 'vitest';
import { HttpStatusError, isBreakerOpenError, type BreakerOpenError } from '../errors/index.js';
import { circuitBreaker, isCircuitBreaker, type CircuitBreaker } from './circuit-breaker.js';
import type { BreakerStateChange } from './circuit-breaker-events.js';
import type { CircuitBreakerOptions } from './circuit-breaker-options.js';

function setup(options: CircuitBreakerOptions = {}) {
  const clock = { t: 0, now: () => clock.t };
  const breaker = circuitBreaker({
    name: 'api',
    window: { kind: 'count', size: 10 },
    minimumCalls: 4,
    failureRateThreshold: 0.5,
    openDurationMs: 1000,
    halfOpen: { permits: 2, maxWaitMs: 5000 },
    clock,
    ...options,
  });
  const changes: BreakerStateChange[] = [];
  breaker.onStateChange((c) => changes.push(c));
  return { clock, breaker, changes };
}

const ok = (b: CircuitBreaker, value: unknown = 'ok') => b.execute(() => value);
const fail = (b: CircuitBreaker, status = 503) =>
  b.execute(() => Promise.reject(new HttpStatusError(status))).catch((e: unknown) => e);

async function openIt(b: CircuitBreaker): Promise<void> {
  for (let i = 0; i < 4; i++) await fail(b);
  expect(b.state).toBe('OPEN');
}

describe('circuitBreaker', () => {
  it('runs calls and passes their results through while CLOSED', async () => {
    const { breaker } = setup();
    await expect(breaker.execute(({ attempt }) => attempt)).resolves.toBe(1);
    await expect(fail(breaker)).resolves.toMatchObject({ status: 503 });
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.metrics()).toMatchObject({ calls: 2, failures: 1 });
    expect(isCircuitBreaker(breaker)).toBe(true);
    expect(isCircuitBreaker({})).toBe(false);
  });

  it('honours minimumCalls: no verdict until the window holds that many calls', async () => {
    const { breaker } = setup();
    for (let i = 0; i < 3; i++) await fail(breaker);
    expect(breaker.state).toBe('CLOSED'); // 100% failures, but only 3 calls
    await fail(breaker);
    expect(breaker.state).toBe('OPEN');
  });

  it('opens when the failure rate reaches the threshold, not below it', async () => {
    const { breaker, changes } = setup({ minimumCalls: 10 });
    for (let i = 0; i < 6; i++) await ok(breaker);
    for (let i = 0; i < 4; i++) await fail(breaker);
    expect(breaker.state).toBe('CLOSED'); // 4 / 10 < 0.5
    await fail(breaker); // the oldest success leaves: 5 / 10
    expect(breaker.state).toBe('OPEN');
    expect(changes).toEqual([{ from: 'CLOSED', to: 'OPEN', reason: 'failure-rate' }]);
  });

  it('fails fast while OPEN with the time left, without running the call', async () => {
    const { clock, breaker } = setup();
    await openIt(breaker);
    clock.t = 300;
    let ran = false;
    const error = await breaker
      .execute(() => {
        ran = true;
      })
      .catch((e: unknown) => e as BreakerOpenError);
    expect(ran).toBe(false);
    expect(isBreakerOpenError(error)).toBe(true);
    expect(error).toMatchObject({ state: 'OPEN', retryAfterMs: 700, breaker: 'api' });
    expect((error as Error).message).toBe('api is OPEN; may admit a call in 700 ms');
  });

  it('half-opens when the open duration has elapsed, exactly at its end', async () => {
    const { clock, breaker, changes } = setup();
    await openIt(breaker);
    clock.t = 999;
    expect(breaker.state).toBe('OPEN');
    clock.t = 1000;
    expect(breaker.state).toBe('HALF_OPEN');
    expect(changes.at(-1)).toEqual({
      from: 'OPEN',
      to: 'HALF_OPEN',
      reason: 'open-duration-elapsed',
    });
  });

  it('closes after successThreshold healthy probes, with a fresh window', async () => {
    const { clock, breaker, changes } = setup();
    await openIt(breaker);
    clock.t = 1000;
    await ok(breaker);
    expect(breaker.state).toBe('HALF_OPEN');
    await ok(breaker);
    expect(breaker.state).toBe('CLOSED');
    expect(changes.at(-1)).toEqual({ from: 'HALF_OPEN', to: 'CLOSED', reason: 'probes-succeeded' });
    expect(breaker.metrics().calls).toBe(0);
  });

  it('re-opens on a failed probe', async () => {
    const { clock, breaker, changes } = setup();
    await openIt(breaker);
    clock.t = 1000;
    await ok(breaker);
    await fail(breaker);
    expect(breaker.state).toBe('OPEN');
    expect(changes.at(-1)).toEqual({ from: 'HALF_OPEN', to: 'OPEN', reason: 'probe-failed' });
  });

  it('tolerates probe failures while successThreshold stays reachable', async () => {
    const { clock, breaker } = setup({ halfOpen: { permits: 4, successThreshold: 2 } });
    await openIt(breaker);
    clock.t = 1000;
    await fail(breaker);
    await fail(breaker);
    expect(breaker.state).toBe('HALF_OPEN'); // 2 permits left can still make 2 successes
    await ok(breaker);
    await ok(breaker);
    expect(breaker.state).toBe('CLOSED');

    await openIt(breaker);
    clock.t += 1000;
    await fail(breaker);
    await fail(breaker);
    await fail(breaker); // only 1 permit left: 2 successes are out of reach
    expect(breaker.state).toBe('OPEN');
  });

  it('opens on slow calls that all succeeded', async () => {
    const { clock, breaker, changes } = setup({
      slowCallDurationMs: 100,
      slowCallRateThreshold: 0.5,
    });
    const slow = () =>
      breaker.execute(() => {
        clock.t += 100; // exactly the threshold counts as slow
        return 'late';
      });
    await ok(breaker);
    await ok(breaker);
    await expect(slow()).resolves.toBe('late');
    expect(breaker.state).toBe('CLOSED'); // 3 calls < minimumCalls
    await slow();
    expect(breaker.metrics()).toMatchObject({ calls: 4, failures: 0, slowCalls: 2 });
    expect(breaker.state).toBe('OPEN');
    expect(changes).toEqual([{ from: 'CLOSED', to: 'OPEN', reason: 'slow-call-rate' }]);
  });

  it('does not count a call just under the slow threshold as slow', async () => {
    const { clock, breaker } = setup({ slowCallDurationMs: 100, slowCallRateThreshold: 0.25 });
    for (let i = 0; i < 4; i++) {
      await breaker.execute(() => {
        clock.t += 99;
      });
    }
    expect(breaker.metrics().slowCalls).toBe(0);
    expect(breaker.state).toBe('CLOSED');
  });

  it('treats a slow successful probe as a failed one', async () => {
    const { clock, breaker } = setup({ slowCallDurationMs: 50 });
    await openIt(breaker);
    clock.t = 1000;
    await breaker.execute(() => {
      clock.t += 50;
    });
    expect(breaker.state).toBe('OPEN');
  });

  it('fires success, failure and reject events with what it recorded', async () => {
    const { clock, breaker } = setup({ slowCallDurationMs: 10 });
    const seen: unknown[] = [];
    breaker.onSuccess((e) => seen.push(['success', e]));
    breaker.onFailure((e) => seen.push(['failure', e.durationMs, e.slow, e.recordedAs]));
    breaker.onReject((e) => seen.push(['reject', e.error.state, e.error.retryAfterMs]));
    await breaker.execute(() => {
      clock.t += 10;
    });
    await fail(breaker, 429);
    await fail(breaker, 404);
    await fail(breaker, 500);
    breaker.isolate();
    await ok(breaker).catch(() => {});
    expect(seen).toEqual([
      ['success', { durationMs: 10, slow: true }],
      ['failure', 0, false, 'ignore'],
      ['failure', 0, false, 'success'],
      ['failure', 0, false, 'failure'],
      ['reject', 'FORCED_OPEN', undefined],
    ]);
  });

  it('works with the time-based window', async () => {
    const { clock, breaker } = setup({ window: { kind: 'time', seconds: 10 }, minimumCalls: 4 });
    await fail(breaker);
    await fail(breaker);
    await fail(breaker);
    clock.t = 10_000; // those three fall out of the window
    await fail(breaker);
    expect(breaker.metrics().calls).toBe(1);
    expect(breaker.state).toBe('CLOSED');
    for (let i = 0; i < 3; i++) await fail(breaker);
    expect(breaker.state).toBe('OPEN');
  });

  it('rejects with AbortedError without running when the caller has already aborted', async () => {
    const { breaker } = setup();
    const controller = new AbortController();
    controller.abort(new Error('shutdown'));
    let ran = false;
    await expect(
      breaker.execute(() => {
        ran = true;
      }, controller.signal),
    ).rejects.toMatchObject({ code: 'SLUICE_ABORTED' });
    expect(ran).toBe(false);
  });

  it('hands the caller signal to the work', async () => {
    const { breaker } = setup();
    const controller = new AbortController();
    await expect(breaker.execute(({ signal }) => signal, controller.signal)).resolves.toBe(
      controller.signal,
    );
    await expect(breaker.execute(({ signal }) => signal.aborted)).resolves.toBe(false);
  });

  it('lets a call that ends after the state moved on fire events but not touch the new state', async () => {
    const { clock, breaker } = setup();
    let finish!: () => void;
    const late = breaker.execute(() => new Promise<void>((resolve) => (finish = resolve)));
    await openIt(breaker);
    clock.t = 1000;
    await ok(breaker); // probe 1 of 2
    finish(); // the CLOSED-era call succeeds now: it must not count as probe 2
    await late;
    expect(breaker.state).toBe('HALF_OPEN');
    await ok(breaker);
    expect(breaker.state).toBe('CLOSED');
  });
});

describe('permits', () => {
  it('lets callers run the work themselves', () => {
    const { clock, breaker } = setup();
    for (let i = 0; i < 4; i++) {
      const permit = breaker.tryAcquire();
      if (isBreakerOpenError(permit)) throw permit;
      permit.failure(new HttpStatusError(502), 5);
      permit.failure(new HttpStatusError(502), 5); // settling twice is a no-op
    }
    expect(breaker.metrics().calls).toBe(4);
    const rejected = breaker.tryAcquire();
    expect(isBreakerOpenError(rejected)).toBe(true);
    clock.t = 1000;
    const probes = [breaker.tryAcquire(), breaker.tryAcquire(), breaker.tryAcquire()];
    expect(probes.map(isBreakerOpenError)).toEqual([false, false, true]);
    for (const p of probes) if (!isBreakerOpenError(p)) p.success(1);
    expect(breaker.state).toBe('CLOSED');
  });
});
