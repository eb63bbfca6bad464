import fc from 'fast-check';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { TimerEntry, TimerWheel } from './timer-wheel.js';

class Probe extends TimerEntry {
  firedAt: number | undefined = undefined;
  onTimer(): void {
    this.firedAt = performance.now();
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

it('fires every entry no earlier than its delay and at most two resolutions later', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 10 }),
      fc.array(fc.record({ gap: fc.nat(40), delay: fc.integer({ min: 1, max: 300 }) }), {
        minLength: 1,
        maxLength: 30,
      }),
      async (resolutionMs, plan) => {
        const wheel = new TimerWheel({ resolutionMs });
        const probes: { probe: Probe; at: number; delay: number }[] = [];
        for (const { gap, delay } of plan) {
          await vi.advanceTimersByTimeAsync(gap);
          const probe = new Probe();
          probes.push({ probe, at: performance.now(), delay });
          wheel.schedule(probe, delay);
        }
        await vi.advanceTimersByTimeAsync(400);
        for (const { probe, at, delay } of probes) {
          const late = probe.firedAt! - at - delay;
          expect(late).toBeGreaterThanOrEqual(0);
          expect(late).toBeLessThanOrEqual(2 * resolutionMs);
        }
        expect(wheel.size).toBe(0);
        await vi.advanceTimersByTimeAsync(2 * resolutionMs);
        expect(wheel.running).toBe(false);
        expect(vi.getTimerCount()).toBe(0);
      },
    ),
    { numRuns: 50 },
  );
});

it('uses one timer for any number of entries, and none once idle', async () => {
  const wheel = new TimerWheel({ resolutionMs: 5 });
  const probes = Array.from({ length: 1_000 }, (_, i) => {
    const probe = new Probe();
    wheel.schedule(probe, 10 + i);
    return probe;
  });
  expect(vi.getTimerCount()).toBe(1);
  expect(wheel.size).toBe(1_000);
  for (const probe of probes.slice(500)) expect(wheel.cancel(probe)).toBe(true);
  expect(wheel.cancel(probes[999]!)).toBe(false);
  expect(wheel.size).toBe(500);
  await vi.advanceTimersByTimeAsync(600);
  expect(probes.filter((p) => p.firedAt !== undefined)).toHaveLength(500);
  expect(probes.slice(500).every((p) => p.firedAt === undefined)).toBe(true);
  await vi.advanceTimersByTimeAsync(10);
  expect(vi.getTimerCount()).toBe(0);
});

it('recovers when fake timers are swapped under an armed wheel', async () => {
  const wheel = new TimerWheel({ resolutionMs: 5 });
  const first = new Probe();
  wheel.schedule(first, 50);
  await vi.advanceTimersByTimeAsync(5); // stamped and filed in a slot
  vi.useRealTimers(); // the armed fake timer is gone for good
  vi.useFakeTimers();
  const second = new Probe();
  wheel.schedule(second, 50);
  await vi.advanceTimersByTimeAsync(70);
  expect(first.firedAt).toBeDefined();
  expect(second.firedAt).toBeDefined();
  expect(wheel.size).toBe(0);
});

it('names a bad resolution', () => {
  expect(() => new TimerWheel({ resolutionMs: 0 })).toThrow(
    'timerWheel.resolutionMs must be a number in [1, 1000], got 0',
  );
  expect(() => new TimerWheel({ resolutionMs: NaN })).toThrow(
    'timerWheel.resolutionMs must be a number in [1, 1000], got NaN',
  );
});
