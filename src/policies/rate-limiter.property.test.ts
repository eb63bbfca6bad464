import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAbortedError } from '../errors/index.js';
import { rateLimiter, type RateLimiterAlgorithm } from './rate-limiter.js';

/**
 * The one promise of a rate limiter: over any interval [t1, t2], the cost admitted for a key
 * never exceeds burst + rate * (t2 - t1). Checked over random schedules, for every pair of
 * admissions (the tightest intervals start and end on one).
 */
function assertWithinLimit(
  admitted: readonly { t: number; cost: number }[],
  ratePerSecond: number,
  burst: number,
): void {
  for (let i = 0; i < admitted.length; i++) {
    let sum = 0;
    for (let j = i; j < admitted.length; j++) {
      sum += admitted[j]!.cost;
      const allowance = burst + (ratePerSecond * (admitted[j]!.t - admitted[i]!.t)) / 1000;
      if (sum > allowance + 1e-6 * allowance) {
        throw new Error(`admitted ${sum} in [${admitted[i]!.t}, ${admitted[j]!.t}] > ${allowance}`);
      }
    }
  }
}

const algorithms: RateLimiterAlgorithm[] = ['token-bucket', 'gcra'];

afterEach(() => {
  vi.useRealTimers();
});

describe.each(algorithms)('%s under any schedule', (algorithm) => {
  it('tryAcquire never admits more than burst + rate * interval per key', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(
          fc.record({
            dt: fc.double({ min: 0, max: 400, noNaN: true }),
            share: fc.double({ min: 0.01, max: 1, noNaN: true }),
            key: fc.integer({ min: 0, max: 2 }),
          }),
          { maxLength: 150 },
        ),
        (ratePerSecond, burst, steps) => {
          const clock = { t: 0, now: () => clock.t };
          const limiter = rateLimiter({ algorithm, ratePerSecond, burst, clock });
          const admitted: { t: number; cost: number }[][] = [[], [], []];
          let refusedWithZeroWait = 0;
          for (const { dt, share, key } of steps) {
            clock.t += dt;
            const cost = share * burst;
            const decision = limiter.tryAcquire(String(key), cost);
            if (decision.allowed) admitted[key]!.push({ t: clock.t, cost });
            else if (!(decision.retryAfterMs > 0)) refusedWithZeroWait++;
          }
          for (const list of admitted) assertWithinLimit(list, ratePerSecond, burst);
          expect(refusedWithZeroWait).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('acquire, with waits and random aborts, keeps the limit, FIFO order and no leftovers', async () => {
    vi.useFakeTimers();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 300 }),
            cost: fc.integer({ min: 1, max: 5 }),
            abortAfter: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
          }),
          { maxLength: 40 },
        ),
        async (ratePerSecond, burst, steps) => {
          const limiter = rateLimiter({ algorithm, ratePerSecond, burst, maxQueued: 8 });
          const admitted: { t: number; cost: number; index: number }[] = [];
          const outcomes: string[] = [];
          const pending: Promise<void>[] = [];
          for (const [index, { dt, cost: rawCost, abortAfter }] of steps.entries()) {
            await vi.advanceTimersByTimeAsync(dt);
            const cost = Math.min(rawCost, burst);
            const controller = new AbortController();
            if (abortAfter !== undefined) setTimeout(() => controller.abort(), abortAfter);
            pending.push(
              limiter.acquire('k', cost, controller.signal).then(
                () => {
                  admitted.push({ t: performance.now(), cost, index });
                  outcomes[index] = 'admitted';
                },
                (error: unknown) => {
                  outcomes[index] = isAbortedError(error) ? 'aborted' : 'rejected';
                },
              ),
            );
          }
          await vi.advanceTimersByTimeAsync(60_000);
          await Promise.all(pending);
          expect(outcomes.filter(Boolean)).toHaveLength(steps.length);
          assertWithinLimit(admitted, ratePerSecond, burst);
          const order = admitted.map((a) => a.index);
          expect(order).toEqual([...order].sort((a, b) => a - b));
          expect(limiter.queued('k')).toBe(0);
          expect(vi.getTimerCount()).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
