import { describe, expect, it } from 'vitest';
import { HttpStatusError, isBreakerOpenError } from '../errors/index.js';
import { circuitBreaker, type CircuitBreaker } from './circuit-breaker.js';
import type { BreakerStateChange } from './circuit-breaker-events.js';
import type { CircuitBreakerOptions } from './circuit-breaker-options.js';

function setup(options: CircuitBreakerOptions = {}) {
  const clock = { t: 0, now: () => clock.t };
  const breaker = circuitBreaker({
    window: { kind: 'count', size: 4 },
    minimumCalls: 2,
    openDurationMs: 1000,
    halfOpen: { permits: 1, maxWaitMs: 500 },
    clock,
    ...options,
  });
  const changes: BreakerStateChange[] = [];
  breaker.onStateChange((c) => changes.push(c));
  return { clock, breaker, changes };
}

const fail = (b: CircuitBreaker) =>
  b.execute(() => Promise.reject(new HttpStatusError(503))).catch((e: unknown) => e);
const ok = (b: CircuitBreaker) => b.execute(() => 'ok');

/** The open duration of the current OPEN phase, read off the fast-fail error. */
async function openFor(b: CircuitBreaker): Promise<number | undefined> {
  const error = await ok(b).catch((e: unknown) => e);
  if (!isBreakerOpenError(error)) throw new Error(`expected a fast fail, got ${String(error)}`);
  return error.retryAfterMs;
}

describe('open duration growth', () => {
  const growth = { openDurationGrowth: { factor: 2, maxMs: 5000 } };

  it('multiplies the open duration on each consecutive re-open, up to maxMs', async () => {
    const { clock, breaker } = setup(growth);
    await fail(breaker);
    await fail(breaker);
    const durations = [await openFor(breaker)];
    for (let i = 0; i < 4; i++) {
      clock.t += durations.at(-1)!;
      await fail(breaker); // the probe fails: re-open
      durations.push(await openFor(breaker));
    }
    expect(durations).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('counts a half-open timeout as a re-open', async () => {
    const { clock, breaker } = setup(growth);
    await fail(breaker);
    await fail(breaker);
    clock.t += 1000;
    void breaker.execute(() => new Promise(() => {})); // a probe that never answers
    clock.t += 500;
    expect(await openFor(breaker)).toBe(2000);
  });

  it('starts again from openDurationMs after a close', async () => {
    const { clock, breaker } = setup(growth);
    await fail(breaker);
    await fail(breaker);
    clock.t += 1000;
    await fail(breaker);
    expect(await openFor(breaker)).toBe(2000);
    clock.t += 2000;
    await ok(breaker);
    expect(breaker.state).toBe('CLOSED');
    await fail(breaker);
    await fail(breaker);
    expect(await openFor(breaker)).toBe(1000);
  });

  it('starts again from openDurationMs after a reset', async () => {
    const { clock, breaker } = setup(growth);
    await fail(breaker);
    await fail(breaker);
    clock.t += 1000;
    await fail(breaker);
    expect(await openFor(breaker)).toBe(2000);
    breaker.reset();
    await fail(breaker);
    await fail(breaker);
    expect(await openFor(breaker)).toBe(1000);
  });

  it('does not grow without the option', async () => {
    const { clock, breaker } = setup();
    await fail(breaker);
    await fail(breaker);
    clock.t += 1000;
    await fail(breaker);
    expect(await openFor(breaker)).toBe(1000);
  });
});

describe('manual states', () => {
  it('FORCED_OPEN rejects every call, whatever the time, until reset', async () => {
    const { clock, breaker, changes } = setup();
    breaker.isolate();
    expect(breaker.state).toBe('FORCED_OPEN');
    clock.t = 1_000_000;
    const error = await ok(breaker).catch((e: unknown) => e);
    expect(error).toMatchObject({ state: 'FORCED_OPEN', retryAfterMs: undefined });
    expect(isBreakerOpenError(breaker.tryAcquire())).toBe(true);
    breaker.reset();
    await expect(ok(breaker)).resolves.toBe('ok');
    expect(changes).toEqual([
      { from: 'CLOSED', to: 'FORCED_OPEN', reason: 'isolate' },
      { from: 'FORCED_OPEN', to: 'CLOSED', reason: 'reset' },
    ]);
  });

  it('DISABLED admits every call, records nothing and never opens', async () => {
    const { breaker } = setup();
    let events = 0;
    breaker.onFailure(() => events++);
    breaker.disable();
    for (let i = 0; i < 10; i++) await fail(breaker);
    expect(breaker.state).toBe('DISABLED');
    expect(breaker.metrics().calls).toBe(0);
    expect(events).toBe(0);
    const permit = breaker.tryAcquire();
    if (isBreakerOpenError(permit)) throw permit;
    permit.failure(new Error('x'), 1);
    expect(breaker.metrics().calls).toBe(0);
    breaker.reset();
    expect(breaker.state).toBe('CLOSED');
  });

  it('METRICS_ONLY records and reports every call but never opens', async () => {
    const { breaker } = setup();
    let events = 0;
    breaker.onFailure(() => events++);
    breaker.metricsOnly();
    for (let i = 0; i < 10; i++) await fail(breaker);
    expect(breaker.state).toBe('METRICS_ONLY');
    expect(breaker.metrics()).toMatchObject({ calls: 4, failures: 4, failureRate: 1 });
    expect(events).toBe(10);
    breaker.reset();
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.metrics().calls).toBe(0);
  });

  it('reset closes an OPEN breaker and empties its window', async () => {
    const { breaker, changes } = setup();
    await fail(breaker);
    await fail(breaker);
    expect(breaker.state).toBe('OPEN');
    breaker.reset();
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.metrics().calls).toBe(0);
    await fail(breaker);
    expect(breaker.state).toBe('CLOSED'); // one call < minimumCalls: the old failures are gone
    expect(changes.at(-1)).toEqual({ from: 'OPEN', to: 'CLOSED', reason: 'reset' });
  });

  it('moves between manual states and ignores calls admitted before the move', async () => {
    const { breaker, changes } = setup();
    let finish!: (v: unknown) => void;
    const inFlight = breaker.execute(() => new Promise((_, reject) => (finish = reject)));
    breaker.metricsOnly();
    breaker.metricsOnly(); // already there: no event
    breaker.disable();
    breaker.isolate();
    breaker.metricsOnly();
    finish(new HttpStatusError(503));
    await inFlight.catch(() => {});
    expect(breaker.metrics().calls).toBe(0);
    expect(changes.map((c) => c.to)).toEqual([
      'METRICS_ONLY',
      'DISABLED',
      'FORCED_OPEN',
      'METRICS_ONLY',
    ]);
  });

  it('reset drops calls admitted before it even when already CLOSED', async () => {
    const { breaker } = setup();
    let finish!: (v: unknown) => void;
    const inFlight = breaker.execute(() => new Promise((_, reject) => (finish = reject)));
    breaker.reset();
    finish(new HttpStatusError(503));
    await inFlight.catch(() => {});
    expect(breaker.metrics().calls).toBe(0);
  });
});
