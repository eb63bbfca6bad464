import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from './clock.js';
import { retry } from './retry.js';
import { isRetryBudget, retryBudget } from './retry-budget.js';

function manualClock(start = 0) {
  let now = start;
  const clock: Clock = { now: () => now };
  return { clock, advance: (ms: number) => (now += ms) };
}

const take = (budget: ReturnType<typeof retryBudget>, n: number): number => {
  let granted = 0;
  for (let i = 0; i < n; i++) if (budget.tryAcquireRetry()) granted++;
  return granted;
};

describe('retryBudget', () => {
  it('allows the floor with no traffic, then ratio x requests on top', () => {
    const { clock } = manualClock();
    const budget = retryBudget({ ratio: 0.2, minRetriesPerSecond: 1, windowMs: 10_000, clock });
    expect(isRetryBudget(budget)).toBe(true);
    expect(take(budget, 100)).toBe(10); // 1/s over a 10 s window
    for (let i = 0; i < 100; i++) budget.recordRequest();
    expect(take(budget, 100)).toBe(20);
    expect(budget.snapshot()).toEqual({ requests: 100, retries: 30, available: 0 });
  });

  it('forgets requests and retries that slid out of the window', () => {
    const { clock, advance } = manualClock(123_456);
    const budget = retryBudget({ ratio: 1, minRetriesPerSecond: 0, windowMs: 1000, clock });
    for (let i = 0; i < 10; i++) budget.recordRequest();
    expect(take(budget, 20)).toBe(10);
    advance(500);
    for (let i = 0; i < 4; i++) budget.recordRequest();
    expect(take(budget, 20)).toBe(4);
    advance(500); // the first 10 requests and 10 retries have left the window
    expect(budget.snapshot()).toEqual({ requests: 4, retries: 4, available: 0 });
    advance(500);
    expect(budget.snapshot()).toEqual({ requests: 0, retries: 0, available: 0 });
    for (let i = 0; i < 3; i++) budget.recordRequest();
    expect(take(budget, 20)).toBe(3);
    advance(60_000); // a long idle gap clears everything
    expect(budget.snapshot()).toEqual({ requests: 0, retries: 0, available: 0 });
  });

  it('keeps counting if the clock steps backwards', () => {
    const { clock, advance } = manualClock(5000);
    const budget = retryBudget({ ratio: 1, minRetriesPerSecond: 0, windowMs: 1000, clock });
    budget.recordRequest();
    advance(-3000);
    budget.recordRequest();
    expect(budget.snapshot().requests).toBe(2);
  });
});

describe('a budget shared by retry policies under a total outage', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** 50 requests/s for `seconds` against a service that always fails; counts retries. */
  async function outage(seconds: number, withBudget: boolean) {
    vi.useFakeTimers();
    const clock: Clock = { now: () => Date.now() };
    const ratio = 0.2;
    const minRetriesPerSecond = 2;
    const budget = retryBudget({ ratio, minRetriesPerSecond, windowMs: 10_000, clock });
    const policies = [1, 2, 3].map(() =>
      retry({
        maxAttempts: 5,
        backoff: { kind: 'constant', jitter: 'none', initialMs: 50 },
        clock,
        ...(withBudget ? { budget } : {}),
      }),
    );
    let requests = 0;
    let retries = 0;
    let budgetGiveUps = 0;
    for (const p of policies) {
      p.onRetry(() => retries++);
      p.onGiveUp((e) => (budgetGiveUps += e.reason === 'budget' ? 1 : 0));
    }
    const samples: { requests: number; retries: number; seconds: number }[] = [];
    const down = () => Promise.reject(new Error('503 everywhere'));
    for (let tick = 1; tick <= seconds * 50; tick++) {
      requests++;
      policies[tick % 3]!.execute(down).catch(() => undefined);
      await vi.advanceTimersByTimeAsync(20);
      if (tick % 50 === 0) samples.push({ requests, retries, seconds: tick / 50 });
    }
    await vi.runAllTimersAsync();
    return { requests, retries, samples, budgetGiveUps, ratio, minRetriesPerSecond };
  }

  it('without a budget, every request retries 4 times (the storm the budget prevents)', async () => {
    const { requests, retries } = await outage(20, false);
    expect(retries).toBe(requests * 4);
  });

  it('with one, retries never grow beyond ratio x requests + the floor', async () => {
    const run = await outage(60, true);
    const windowSeconds = 10;
    for (const s of run.samples) {
      // The bound at every instant, with one window of slack for the sliding edge.
      const bound = run.ratio * s.requests + run.minRetriesPerSecond * (s.seconds + windowSeconds);
      expect(s.retries).toBeLessThanOrEqual(bound);
    }
    // Steady state: per 10 s window, ~ratio x 500 requests + 2/s x 10 s = 120 retries.
    const last = run.samples.at(-1)!;
    const tenSecondsEarlier = run.samples.at(-11)!;
    const perWindow = last.retries - tenSecondsEarlier.retries;
    expect(perWindow).toBeLessThanOrEqual(120);
    expect(perWindow).toBeGreaterThanOrEqual(100); // the budget is spent, not wasted
    expect(run.retries).toBeLessThan(run.requests * 0.3);
    expect(run.budgetGiveUps).toBeGreaterThan(run.requests * 0.7);
  });
});
