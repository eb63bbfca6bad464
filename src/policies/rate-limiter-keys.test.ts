import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyStateMap } from './key-state-map.js';
import { rateLimiter, type RateLimiterAlgorithm } from './rate-limiter.js';

function manualClock(start = 0) {
  return {
    t: start,
    now(): number {
      return this.t;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe.each<RateLimiterAlgorithm>(['token-bucket', 'gcra'])('%s keys', (algorithm) => {
  it('holds at most maxKeys of 100,000 busy keys, forgetting the oldest', () => {
    const clock = manualClock();
    const limiter = rateLimiter({ algorithm, ratePerSecond: 1, burst: 1, maxKeys: 1_000, clock });
    let largest = 0;
    let admitted = 0;
    for (let i = 0; i < 100_000; i++) {
      if (limiter.tryAcquire(`ip-${i}`).allowed) admitted++;
      largest = Math.max(largest, limiter.size);
    }
    expect(admitted).toBe(100_000);
    expect(largest).toBeLessThanOrEqual(1_000);
    expect(limiter.size).toBeGreaterThan(250);
    expect(limiter.evictedBusy).toBeGreaterThan(0);
    // Recent keys are still limited; a long-forgotten one starts from a full bucket.
    expect(limiter.tryAcquire('ip-99999').allowed).toBe(false);
    expect(limiter.tryAcquire('ip-0').allowed).toBe(true);
  });

  it('drops idle keys losslessly, so 100,000 keys over time stay small', () => {
    const clock = manualClock();
    const limiter = rateLimiter({ algorithm, ratePerSecond: 1_000, burst: 1, maxKeys: 200, clock });
    let largest = 0;
    let admitted = 0;
    for (let i = 0; i < 100_000; i++) {
      clock.t += 1; // each key is idle (full again) 1 ms after its call
      if (limiter.tryAcquire(`user-${i}`).allowed) admitted++;
      largest = Math.max(largest, limiter.size);
    }
    expect(admitted).toBe(100_000);
    expect(largest).toBeLessThanOrEqual(200);
    expect(limiter.evictedBusy).toBe(0);
  });

  it('keeps a busy key that is used often, however many other keys pass by', () => {
    const clock = manualClock();
    const limiter = rateLimiter({ algorithm, ratePerSecond: 1, burst: 1, maxKeys: 100, clock });
    limiter.tryAcquire('hot');
    let hotAdmitted = 0;
    for (let i = 0; i < 10_000; i++) {
      limiter.tryAcquire(`cold-${i}`);
      if (i % 20 === 0 && limiter.tryAcquire('hot').allowed) hotAdmitted++;
    }
    expect(hotAdmitted).toBe(0);
    expect(limiter.evictedBusy).toBeGreaterThan(0);
  });

  it('never forgets a key with waiters', async () => {
    vi.useFakeTimers();
    const limiter = rateLimiter({ algorithm, ratePerSecond: 1, burst: 2, maxKeys: 10 });
    await limiter.acquire('hot', 2);
    let admitted = false;
    void limiter.acquire('hot', 2).then(() => (admitted = true));
    for (let i = 0; i < 10_000; i++) limiter.tryAcquire(`cold-${i}`);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(admitted).toBe(false); // a forgotten key would have been admitted from a full bucket
    await vi.advanceTimersByTimeAsync(1);
    expect(admitted).toBe(true);
    expect(limiter.tryAcquire('hot').allowed).toBe(false);
  });
});

describe('KeyStateMap', () => {
  it('moves a key found in the previous generation back to the current one', () => {
    const map = new KeyStateMap<number>(
      4,
      (idleAt) => idleAt,
      () => false,
    );
    map.set('a', 100, 0);
    map.set('b', 100, 0); // generation of 2 full: rotate
    expect(map.get('a', 0)).toBe(100); // promoted
    map.set('c', 100, 0); // rotate: b (not promoted) carried while room, a and c kept
    expect(map.size).toBeLessThanOrEqual(4);
    expect(map.get('a', 0)).toBe(100);
    expect(map.get('c', 0)).toBe(100);
  });

  it('drops idle entries at rotation and keeps pinned ones beyond the carry limit', () => {
    const pinned = new Set(['p1', 'p2', 'p3']);
    const map = new KeyStateMap<number>(
      4,
      (idleAt) => idleAt,
      (key) => pinned.has(key),
    );
    map.set('p1', 50, 0);
    map.set('p2', 50, 0);
    map.set('idle', 5, 0);
    map.set('p3', 50, 0);
    map.set('x', 50, 10);
    map.set('y', 50, 10);
    // Rotations: {p1,p2} -> {idle,p3} -> {p1,p2,x} dropped at y: pinned kept, x over the limit.
    expect(map.evictedBusy).toBe(1);
    expect(map.get('x', 10)).toBeUndefined();
    expect(map.get('idle', 10)).toBeUndefined();
    for (const key of pinned) expect(map.get(key, 10)).toBe(50);
  });
});

describe('rate limiter validation', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ ratePerSecond: 0 }, 'rateLimiter.ratePerSecond must be a finite number > 0, got 0'],
    [{ ratePerSecond: -1 }, 'rateLimiter.ratePerSecond must be a finite number > 0, got -1'],
    [{ ratePerSecond: NaN }, 'rateLimiter.ratePerSecond must be a finite number > 0, got NaN'],
    [{ ratePerSecond: '10' }, 'rateLimiter.ratePerSecond must be a finite number > 0, got "10"'],
    [{}, 'rateLimiter.ratePerSecond must be a finite number > 0, got undefined'],
    [{ ratePerSecond: 1, burst: 0.5 }, 'rateLimiter.burst must be a finite number >= 1, got 0.5'],
    [
      { ratePerSecond: 1, burst: Infinity },
      'rateLimiter.burst must be a finite number >= 1, got Infinity',
    ],
    [{ ratePerSecond: 1, maxQueued: -1 }, 'rateLimiter.maxQueued must be an integer >= 0, got -1'],
    [
      { ratePerSecond: 1, maxQueued: 1.5 },
      'rateLimiter.maxQueued must be an integer >= 0, got 1.5',
    ],
    [{ ratePerSecond: 1, maxKeys: 0 }, 'rateLimiter.maxKeys must be an integer >= 1, got 0'],
    [
      { ratePerSecond: 1, maxWaitMs: -5 },
      'rateLimiter.maxWaitMs must be a number >= 0 (or Infinity), got -5',
    ],
    [
      { ratePerSecond: 1, algorithm: 'leaky' },
      `rateLimiter.algorithm must be 'token-bucket' or 'gcra', got "leaky"`,
    ],
    [{ ratePerSecond: 1, key: 7 }, 'rateLimiter.key must be a string, got 7'],
    [
      { ratePerSecond: 1, clock: {} },
      'rateLimiter.clock must be an object with a now() method, got {}',
    ],
  ];
  it.each(cases)('rejects %j', (options, message) => {
    expect(() => rateLimiter(options as never)).toThrow(message);
    expect(() => rateLimiter(options as never)).toThrow(
      expect.objectContaining({ code: 'SLUICE_INVALID_CONFIG' }) as Error,
    );
  });

  it('rejects a missing options object', () => {
    expect(() => rateLimiter(undefined as never)).toThrow(
      'rateLimiter must be an options object, got undefined',
    );
  });

  it('names the cost field, and says that a cost above the burst can never fit', async () => {
    const limiter = rateLimiter({ ratePerSecond: 10, burst: 5 });
    expect(() => limiter.tryAcquire('k', 6)).toThrow(
      'cost must be a number in (0, 5] (the burst), got 6',
    );
    expect(() => limiter.tryAcquire('k', 0)).toThrow(
      'cost must be a number in (0, 5] (the burst), got 0',
    );
    expect(() => limiter.tryAcquire('k', NaN)).toThrow(
      'cost must be a number in (0, 5] (the burst), got NaN',
    );
    await expect(limiter.acquire('k', -1)).rejects.toMatchObject({
      field: 'cost',
      message: 'cost must be a number in (0, 5] (the burst), got -1',
    });
    expect(() => limiter.keyed(5 as never)).toThrow('key must be a string, got 5');
  });
});
