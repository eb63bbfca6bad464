import { describe, expect, it } from 'vitest';
import {
  HttpStatusError,
  RateLimitedError,
  isBreakerOpenError,
  type BreakerOpenError,
} from '../errors/index.js';
import { circuitBreaker, type CircuitBreaker } from './circuit-breaker.js';
import type { BreakerStateChange } from './circuit-breaker-events.js';

function setup(permits: number, maxWaitMs = 5000) {
  const clock = { t: 0, now: () => clock.t };
  const breaker = circuitBreaker({
    window: { kind: 'count', size: 4 },
    minimumCalls: 1,
    openDurationMs: 1000,
    halfOpen: { permits, maxWaitMs },
    clock,
  });
  const changes: BreakerStateChange[] = [];
  breaker.onStateChange((c) => changes.push(c));
  return { clock, breaker, changes };
}

async function openThenHalfOpen(breaker: CircuitBreaker, clock: { t: number }): Promise<void> {
  await breaker.execute(() => Promise.reject(new HttpStatusError(500))).catch(() => {});
  expect(breaker.state).toBe('OPEN');
  clock.t += 1000;
  expect(breaker.state).toBe('HALF_OPEN');
}

/** Starts a call that hangs until released; resolves `started` when the work actually runs. */
function hung(breaker: CircuitBreaker) {
  let release!: (ok: boolean) => void;
  let ran = false;
  const result = breaker
    .execute(() => {
      ran = true;
      return new Promise<string>((resolve, reject) => {
        release = (ok) => (ok ? resolve('late') : reject(new HttpStatusError(503)));
      });
    })
    .catch((e: unknown) => e);
  return { result, release: (ok: boolean) => release(ok), ran: () => ran };
}

describe('HALF_OPEN', () => {
  it.each([1, 3, 7])('admits exactly %i of 1,000 concurrent calls', async (permits) => {
    const { clock, breaker } = setup(permits);
    await openThenHalfOpen(breaker, clock);
    const calls = Array.from({ length: 1000 }, () => hung(breaker));
    const admitted = calls.filter((c) => c.ran());
    expect(admitted).toHaveLength(permits);
    const rejected = await Promise.all(calls.filter((c) => !c.ran()).map((c) => c.result));
    expect(rejected).toHaveLength(1000 - permits);
    for (const error of rejected) {
      expect(isBreakerOpenError(error)).toBe(true);
      expect(error).toMatchObject({ state: 'HALF_OPEN', retryAfterMs: undefined });
    }
    for (const call of admitted) call.release(true);
    await Promise.all(admitted.map((c) => c.result));
    expect(breaker.state).toBe('CLOSED');
  });

  it('gives up on hung probes after maxWaitMs, re-opens, and reissues permits later', async () => {
    const { clock, breaker, changes } = setup(2, 5000);
    await openThenHalfOpen(breaker, clock); // t = 1000
    const first = hung(breaker);
    const second = hung(breaker);
    clock.t = 5999;
    expect(breaker.state).toBe('HALF_OPEN');
    expect(hung(breaker).ran()).toBe(false); // permits are all out
    clock.t = 6000;
    expect(breaker.state).toBe('OPEN');
    expect(changes.at(-1)).toEqual({ from: 'HALF_OPEN', to: 'OPEN', reason: 'half-open-timeout' });
    const rejected = (await hung(breaker).result) as BreakerOpenError;
    expect(rejected).toMatchObject({ state: 'OPEN', retryAfterMs: 1000 });

    clock.t = 7000;
    expect(breaker.state).toBe('HALF_OPEN');
    const fresh = hung(breaker);
    expect(fresh.ran()).toBe(true);
    // The hung probes finally answer: they belong to the abandoned phase and cannot close it.
    first.release(true);
    second.release(true);
    await Promise.all([first.result, second.result]);
    expect(breaker.state).toBe('HALF_OPEN');
    fresh.release(true);
    await fresh.result;
    expect(breaker.state).toBe('HALF_OPEN'); // one of two successes
    await breaker.execute(() => 'ok');
    expect(breaker.state).toBe('CLOSED');
  });

  it('starts the maxWait clock when a probe goes out, not when HALF_OPEN is first observed', async () => {
    const { clock, breaker } = setup(1, 5000);
    await openThenHalfOpen(breaker, clock); // observed at t = 1000
    clock.t = 100_000; // nobody called for a long time: nothing is stuck
    expect(breaker.state).toBe('HALF_OPEN');
    const probe = hung(breaker);
    expect(probe.ran()).toBe(true);
    clock.t = 104_999;
    expect(breaker.state).toBe('HALF_OPEN');
    clock.t = 105_000;
    expect(breaker.state).toBe('OPEN');
  });

  it('counts a probe that answers within maxWait', async () => {
    const { clock, breaker } = setup(1, 5000);
    await openThenHalfOpen(breaker, clock);
    const probe = hung(breaker);
    clock.t += 4999;
    probe.release(true);
    await probe.result;
    expect(breaker.state).toBe('CLOSED');
  });

  it('discards a probe that answers at maxWait, since the phase has already timed out', async () => {
    const { clock, breaker, changes } = setup(1, 5000);
    await openThenHalfOpen(breaker, clock);
    const probe = hung(breaker);
    clock.t += 5000;
    probe.release(true);
    await probe.result;
    expect(breaker.state).toBe('OPEN');
    expect(changes.at(-1)?.reason).toBe('half-open-timeout');
  });

  it('gives back the permit of a probe that is ignored (caller abort, 429)', async () => {
    const { clock, breaker } = setup(1);
    await openThenHalfOpen(breaker, clock);
    const controller = new AbortController();
    const aborted = breaker.execute(
      () =>
        new Promise((_, reject) => {
          controller.signal.addEventListener('abort', () => reject(new Error('gave up')));
        }),
      controller.signal,
    );
    expect(hung(breaker).ran()).toBe(false);
    controller.abort();
    await expect(aborted).rejects.toThrow('gave up');
    await expect(
      breaker.execute(() => Promise.reject(new RateLimitedError(100))),
    ).rejects.toMatchObject({ code: 'SLUICE_RATE_LIMITED' });
    expect(breaker.state).toBe('HALF_OPEN');
    const permit = breaker.tryAcquire();
    if (isBreakerOpenError(permit)) throw permit;
    expect(isBreakerOpenError(breaker.tryAcquire())).toBe(true);
    permit.ignore();
    const again = breaker.tryAcquire();
    if (isBreakerOpenError(again)) throw again;
    again.success(1);
    expect(breaker.state).toBe('CLOSED');
  });
});
