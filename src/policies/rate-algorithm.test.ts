import { describe, expect, it } from 'vitest';
import { Gcra } from './gcra.js';
import { rateLimiter, type RateLimiterAlgorithm } from './rate-limiter.js';
import { TokenBucket } from './token-bucket.js';

/** A clock the test moves by hand. */
function manualClock(start = 0) {
  return {
    t: start,
    now(): number {
      return this.t;
    },
  };
}

describe.each<RateLimiterAlgorithm>(['token-bucket', 'gcra'])('%s', (algorithm) => {
  it('admits the burst at once, then exactly one call per 1/rate', () => {
    const clock = manualClock(1_000);
    const limiter = rateLimiter({ algorithm, ratePerSecond: 10, burst: 5, clock });
    for (let i = 0; i < 5; i++) expect(limiter.tryAcquire('k')).toEqual({ allowed: true });
    expect(limiter.tryAcquire('k')).toEqual({ allowed: false, retryAfterMs: 100 });
    for (let step = 1; step <= 20; step++) {
      clock.t = 1_000 + step * 100 - 1;
      expect(limiter.tryAcquire('k').allowed).toBe(false);
      clock.t = 1_000 + step * 100;
      expect(limiter.tryAcquire('k')).toEqual({ allowed: true });
      expect(limiter.tryAcquire('k')).toEqual({ allowed: false, retryAfterMs: 100 });
    }
  });

  it('refills to the burst and no further after a quiet spell', () => {
    const clock = manualClock();
    const limiter = rateLimiter({ algorithm, ratePerSecond: 10, burst: 5, clock });
    for (let i = 0; i < 5; i++) limiter.tryAcquire('k');
    clock.t = 60_000;
    let admitted = 0;
    while (limiter.tryAcquire('k').allowed) admitted++;
    expect(admitted).toBe(5);
  });

  it("tells the exact wait in tryAcquire's retryAfterMs, for any cost", () => {
    const clock = manualClock();
    const limiter = rateLimiter({ algorithm, ratePerSecond: 4, burst: 8, clock });
    expect(limiter.tryAcquire('k', 6).allowed).toBe(true); // 2 left
    clock.t = 125; // + 0.5 token
    expect(limiter.tryAcquire('k', 4)).toEqual({ allowed: false, retryAfterMs: 375 });
    clock.t = 499;
    expect(limiter.tryAcquire('k', 4).allowed).toBe(false);
    clock.t = 500;
    expect(limiter.tryAcquire('k', 4)).toEqual({ allowed: true });
    expect(limiter.tryAcquire('k', 0.5)).toEqual({ allowed: false, retryAfterMs: 125 });
  });

  it('keeps keys independent', () => {
    const clock = manualClock();
    const limiter = rateLimiter({ algorithm, ratePerSecond: 1, burst: 2, clock });
    expect(limiter.tryAcquire('a', 2).allowed).toBe(true);
    expect(limiter.tryAcquire('a').allowed).toBe(false);
    expect(limiter.tryAcquire('b', 2).allowed).toBe(true);
    const c = limiter.keyed('c');
    expect(c.tryAcquire(2).allowed).toBe(true);
    expect(limiter.tryAcquire('c').allowed).toBe(false);
    expect(limiter.size).toBe(3);
  });

  it('handles rates that are not whole milliseconds without drifting', () => {
    const clock = manualClock();
    const limiter = rateLimiter({ algorithm, ratePerSecond: 3, burst: 1, clock });
    expect(limiter.tryAcquire('k').allowed).toBe(true);
    let admitted = 0;
    for (let step = 1; step <= 3000; step++) {
      clock.t = (step * 1000) / 3;
      const decision = limiter.tryAcquire('k');
      if (decision.allowed) admitted++;
    }
    expect(admitted).toBe(3000);
  });
});

describe('the algorithms on their own', () => {
  it('agree on when a state is idle again', () => {
    const bucket = new TokenBucket(10, 5);
    const state = bucket.take(undefined, 3, 1_000);
    expect(state).toEqual({ tokens: 2, at: 1_000 });
    expect(bucket.idleAt(state!)).toBe(1_300);
    const gcra = new Gcra(10, 5);
    expect(gcra.idleAt(gcra.take(undefined, 3, 1_000)!)).toBe(1_300);
  });

  it('refuse a cost above the burst even on a fresh key', () => {
    expect(new TokenBucket(10, 5).take(undefined, 6, 0)).toBeUndefined();
    expect(new Gcra(10, 5).take(undefined, 6, 0)).toBeUndefined();
    expect(new TokenBucket(10, 5).waitMs(undefined, 6, 0)).toBe(100);
    expect(new Gcra(10, 5).waitMs(undefined, 6, 0)).toBe(100);
  });

  it('name the field of a bad rate or burst', () => {
    expect(() => new TokenBucket(0, 5)).toThrow(
      'tokenBucket.ratePerSecond must be a finite number > 0, got 0',
    );
    expect(() => new TokenBucket(10, 0.5)).toThrow(
      'tokenBucket.burst must be a finite number >= 1, got 0.5',
    );
    expect(() => new Gcra(Infinity, 5)).toThrow(
      'gcra.ratePerSecond must be a finite number > 0, got Infinity',
    );
    expect(() => new Gcra(10, NaN)).toThrow('gcra.burst must be a finite number >= 1, got NaN');
  });
});
