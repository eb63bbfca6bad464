import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpStatusError, RateLimitedError, isBreakerOpenError } from '../errors/index.js';
import { CircuitBreaker, circuitBreaker } from './circuit-breaker.js';
import type { BreakerWindowOptions, CircuitBreakerOptions } from './circuit-breaker-options.js';
import type { CircuitBreakerSnapshot } from './circuit-breaker-snapshot.js';

type Op =
  | { type: 'call'; result: 'ok' | 'slow' | 'fail' | 'rateLimited' }
  | { type: 'wait'; ms: number }
  | { type: 'isolate' | 'reset' | 'metricsOnly' | 'disable' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      type: fc.constant('call' as const),
      result: fc.constantFrom(
        'ok' as const,
        'slow' as const,
        'fail' as const,
        'rateLimited' as const,
      ),
    }),
  },
  { weight: 5, arbitrary: fc.record({ type: fc.constant('wait' as const), ms: fc.nat(2500) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constantFrom(
        'isolate' as const,
        'reset' as const,
        'metricsOnly' as const,
        'disable' as const,
      ),
    }),
  },
);

function options(window: BreakerWindowOptions, clock: { now(): number }): CircuitBreakerOptions {
  return {
    window,
    minimumCalls: 3,
    failureRateThreshold: 0.5,
    slowCallDurationMs: 100,
    slowCallRateThreshold: 0.5,
    openDurationMs: 1000,
    openDurationGrowth: { factor: 2, maxMs: 3000 },
    halfOpen: { permits: 3, successThreshold: 2, maxWaitMs: 2000 },
    clock,
  };
}

/** Runs one op; returns what a caller would observe. */
function apply(b: CircuitBreaker, o: Op, clock: { t: number }): unknown {
  switch (o.type) {
    case 'wait':
      clock.t += o.ms;
      return null;
    case 'call': {
      const permit = b.tryAcquire();
      if (isBreakerOpenError(permit)) return [permit.state, permit.retryAfterMs];
      if (o.result === 'ok') permit.success(10);
      else if (o.result === 'slow') permit.success(150);
      else if (o.result === 'fail') permit.failure(new HttpStatusError(503), 10);
      else permit.failure(new RateLimitedError(50), 10);
      return 'admitted';
    }
    default:
      b[o.type]();
      return null;
  }
}

const observe = (b: CircuitBreaker) => ({ state: b.state, metrics: b.metrics(), json: b.toJSON() });

const windows: BreakerWindowOptions[] = [
  { kind: 'count', size: 5 },
  { kind: 'time', seconds: 3, buckets: 6 },
];

describe('toJSON and restore', () => {
  it.each(windows)('a restored breaker behaves exactly like the original (%j)', (window) => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.nat(60), (ops, at) => {
        const clock = { t: 0, now: () => clock.t };
        const original = circuitBreaker(options(window, clock));
        const split = Math.min(at, ops.length);
        for (const o of ops.slice(0, split)) apply(original, o, clock);
        // Through real JSON, as the store would save it.
        const saved = JSON.parse(JSON.stringify(original)) as CircuitBreakerSnapshot;
        const restored = CircuitBreaker.fromJSON(saved, options(window, clock));
        expect(observe(restored)).toEqual(observe(original));
        for (const o of ops.slice(split)) {
          expect(apply(restored, o, clock)).toEqual(apply(original, o, clock));
          expect(observe(restored)).toEqual(observe(original));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('writes one variant per state', () => {
    const clock = { t: 0, now: () => clock.t };
    const b = circuitBreaker({ ...options({ kind: 'count', size: 5 }, clock), minimumCalls: 1 });
    expect(b.toJSON()).toEqual({
      version: 1,
      state: 'CLOSED',
      consecutiveOpens: 0,
      window: { kind: 'count', size: 5, outcomes: '' },
    });
    apply(b, { type: 'call', result: 'ok' }, clock);
    apply(b, { type: 'call', result: 'fail' }, clock); // 1 failure in 2 calls: opens
    clock.t = 400;
    expect(b.toJSON()).toEqual({
      version: 1,
      state: 'OPEN',
      consecutiveOpens: 1,
      openedAgoMs: 400,
      remainingMs: 600,
      window: { kind: 'count', size: 5, outcomes: 'SF' },
    });
    clock.t = 1000;
    apply(b, { type: 'call', result: 'fail' }, clock);
    clock.t = 3000;
    apply(b, { type: 'call', result: 'ok' }, clock);
    expect(b.toJSON()).toMatchObject({
      state: 'HALF_OPEN',
      consecutiveOpens: 1,
      successes: 1,
      failures: 1,
    });
    b.isolate();
    expect(b.toJSON()).toMatchObject({ state: 'FORCED_OPEN', consecutiveOpens: 1 });
  });

  it('carries state across clocks with different origins (another process)', () => {
    const here = { t: 5_000_000, now: () => here.t };
    const b = circuitBreaker({ ...options({ kind: 'time', seconds: 3 }, here), minimumCalls: 1 });
    apply(b, { type: 'call', result: 'fail' }, here);
    here.t += 250;
    const there = { t: 17, now: () => there.t };
    const copy = circuitBreaker({
      ...options({ kind: 'time', seconds: 3 }, there),
      restore: b.toJSON(),
    });
    expect(copy.state).toBe('OPEN');
    expect(copy.metrics()).toMatchObject({ calls: 1, failures: 1 });
    there.t += 749;
    expect(copy.state).toBe('OPEN');
    there.t += 1;
    expect(copy.state).toBe('HALF_OPEN');
    // The failure's bucket began 250 ms before the snapshot, i.e. at -233 on the new clock; it
    // lands in the bucket [-1000, 0) there (edges shift by under a bucket) and leaves at 2000.
    there.t = 1999;
    expect(copy.metrics().calls).toBe(1);
    there.t = 2000;
    expect(copy.metrics().calls).toBe(0);
  });

  it('ages a snapshot by restoreAgeMs', () => {
    const clock = { t: 0, now: () => clock.t };
    const opts = { ...options({ kind: 'time', seconds: 3 }, clock), minimumCalls: 1 };
    const b = circuitBreaker(opts);
    apply(b, { type: 'call', result: 'fail' }, clock);
    const saved = b.toJSON(); // OPEN, 1000 ms left; the failure is in bucket 0
    expect(circuitBreaker({ ...opts, restore: saved, restoreAgeMs: 999 }).state).toBe('OPEN');
    const aged = circuitBreaker({ ...opts, restore: saved, restoreAgeMs: 1000 });
    expect(aged.state).toBe('HALF_OPEN');
    expect(aged.metrics().calls).toBe(1);
    expect(circuitBreaker({ ...opts, restore: saved, restoreAgeMs: 3000 }).metrics().calls).toBe(0);
  });

  it.each(['ok', 'fail'] as const)(
    'restores HALF_OPEN after a probe that went %s and reissues the permits of unsettled probes',
    (first) => {
      const clock = { t: 0, now: () => clock.t };
      const opts = { ...options({ kind: 'count', size: 5 }, clock), minimumCalls: 1 };
      const b = circuitBreaker(opts);
      apply(b, { type: 'call', result: 'fail' }, clock);
      clock.t = 1000;
      apply(b, { type: 'call', result: first }, clock);
      b.tryAcquire(); // in flight when the snapshot is taken
      b.tryAcquire();
      expect(isBreakerOpenError(b.tryAcquire())).toBe(true);
      const copy = circuitBreaker({ ...opts, restore: b.toJSON() });
      const p1 = copy.tryAcquire();
      const p2 = copy.tryAcquire();
      expect([isBreakerOpenError(p1), isBreakerOpenError(p2)]).toEqual([false, false]);
      expect(isBreakerOpenError(copy.tryAcquire())).toBe(true); // 3 permits, 1 already used
      if (!isBreakerOpenError(p1)) p1.success(1);
      // After a restored success, one more closes it; after a restored failure, two are needed.
      expect(copy.state).toBe(first === 'ok' ? 'CLOSED' : 'HALF_OPEN');
    },
  );

  describe('rejects a snapshot that does not fit, naming the field', () => {
    const clock = { now: () => 0 };
    const good = circuitBreaker(options({ kind: 'count', size: 5 }, clock)).toJSON();
    const cases: [string, unknown, string][] = [
      [
        'not an object',
        'OPEN',
        'circuitBreaker.restore must be a snapshot from CircuitBreaker.toJSON(), got "OPEN"',
      ],
      [
        'another version',
        { ...good, version: 2 },
        'circuitBreaker.restore.version must be 1, got 2',
      ],
      [
        'an unknown state',
        { ...good, state: 'AJAR' },
        'circuitBreaker.restore.state must be one of CLOSED, OPEN, HALF_OPEN, FORCED_OPEN, DISABLED, METRICS_ONLY, got "AJAR"',
      ],
      [
        'negative opens',
        { ...good, consecutiveOpens: -1 },
        'circuitBreaker.restore.consecutiveOpens must be an integer >= 0, got -1',
      ],
      [
        'OPEN without times',
        { ...good, state: 'OPEN' },
        'circuitBreaker.restore.openedAgoMs must be a finite number >= 0, got undefined',
      ],
      [
        'OPEN with negative time left',
        { ...good, state: 'OPEN', openedAgoMs: 0, remainingMs: -5 },
        'circuitBreaker.restore.remainingMs must be a finite number >= 0, got -5',
      ],
      [
        'HALF_OPEN already decided',
        { ...good, state: 'HALF_OPEN', successes: 2, failures: 0 },
        'circuitBreaker.restore.successes must be an integer in [0, 1], got 2',
      ],
      [
        'HALF_OPEN with too many failures',
        { ...good, state: 'HALF_OPEN', successes: 0, failures: 2 },
        'circuitBreaker.restore.failures must be an integer in [0, 1], got 2',
      ],
      [
        'no window',
        { ...good, window: null },
        'circuitBreaker.restore.window must be a sliding window state, got null',
      ],
      [
        'another window kind',
        { ...good, window: { kind: 'time' } },
        'circuitBreaker.restore.window must be a count window state, got {"kind":"time"}',
      ],
      [
        'another window size',
        { ...good, window: { kind: 'count', size: 6, outcomes: '' } },
        'circuitBreaker.restore.window.size must be 5 (the configured size), got 6',
      ],
    ];
    it.each(cases)('%s', (_, restore, message) => {
      expect(
        () =>
          new CircuitBreaker({
            ...options({ kind: 'count', size: 5 }, clock),
            restore: restore as never,
          }),
      ).toThrow(message);
    });
  });
});
