import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoff, type BackoffKind, type Jitter } from './backoff.js';
import { seededRandom } from './random.js';

const sequence = (b: ReturnType<typeof backoff>, n: number): number[] => {
  const delays: number[] = [];
  let previous = 0;
  for (let retry = 1; retry <= n; retry++) delays.push((previous = b.next(retry, previous)));
  return delays;
};

describe('backoff curves without jitter', () => {
  it('grows constant, linear and exponential, capped', () => {
    const none = { jitter: 'none', initialMs: 100, capMs: 1000 } as const;
    expect(sequence(backoff({ ...none, kind: 'constant' }), 4)).toEqual([100, 100, 100, 100]);
    expect(sequence(backoff({ ...none, kind: 'linear' }), 4)).toEqual([100, 200, 300, 400]);
    expect(sequence(backoff({ ...none, kind: 'linear', factor: 0.5 }), 3)).toEqual([100, 150, 200]);
    expect(sequence(backoff({ ...none, kind: 'exponential' }), 6)).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(sequence(backoff({ ...none, factor: 3 }), 3)).toEqual([100, 300, 900]);
  });

  it('stays at the cap when the curve overflows, and at 0 from 0', () => {
    const b = backoff({ jitter: 'none', initialMs: 1, factor: 10, capMs: 5000 });
    expect(b.next(2000, 0)).toBe(5000);
    expect(backoff({ jitter: 'none', initialMs: 0, capMs: 10 }).next(2000, 0)).toBe(0);
  });

  it('defaults to exponential from 200 ms, x2, capped at 30 s, with full jitter', () => {
    expect(
      sequence(
        backoff(undefined, () => 0.999_999),
        9,
      ).map(Math.round),
    ).toEqual([200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 30_000]);
    expect(
      sequence(
        backoff(undefined, () => 0),
        3,
      ),
    ).toEqual([0, 0, 0]);
  });
});

const kinds: BackoffKind[] = ['constant', 'linear', 'exponential'];
const jitters: Jitter[] = ['none', 'full', 'equal', 'decorrelated'];

const config = fc
  .record({
    kind: fc.constantFrom(...kinds),
    jitter: fc.constantFrom(...jitters),
    initialMs: fc.integer({ min: 0, max: 5000 }),
    extraCap: fc.integer({ min: 0, max: 120_000 }),
    factor: fc.double({ min: 1, max: 5, noNaN: true }),
    seed: fc.integer(),
  })
  .filter((c) => c.jitter !== 'decorrelated' || c.kind === 'exponential');

describe('jitter bounds (property, over random seeds)', () => {
  it('keeps every delay within its documented bounds and never above the cap', () => {
    fc.assert(
      fc.property(config, ({ kind, jitter, initialMs, extraCap, factor, seed }) => {
        const capMs = initialMs + extraCap;
        const b = backoff(
          { kind, jitter, initialMs, capMs, ...(kind === 'constant' ? {} : { factor }) },
          seededRandom(seed),
        );
        let previous = 0;
        for (let retry = 1; retry <= 40; retry++) {
          const delay = b.next(retry, previous);
          const curve =
            kind === 'constant'
              ? initialMs
              : kind === 'linear'
                ? initialMs * (1 + factor * (retry - 1))
                : initialMs * factor ** (retry - 1);
          const ceiling = Math.min(capMs, curve);
          expect(Number.isFinite(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(capMs);
          if (jitter === 'none') expect(delay).toBe(ceiling);
          if (jitter === 'full') expect(delay).toBeLessThanOrEqual(ceiling);
          if (jitter === 'equal') {
            expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
            expect(delay).toBeLessThanOrEqual(ceiling);
          }
          if (jitter === 'decorrelated') {
            expect(delay).toBeGreaterThanOrEqual(initialMs);
            expect(delay).toBeLessThanOrEqual(Math.min(capMs, Math.max(previous, initialMs) * 3));
          }
          previous = delay;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reaches both ends of each range at the extremes of the random source', () => {
    const at = (jitter: Jitter, r: number, previous = 0): number =>
      backoff({ jitter, initialMs: 100, capMs: 10_000 }, () => r).next(3, previous);
    expect(at('full', 0)).toBe(0);
    expect(at('full', 0.999_999)).toBeCloseTo(400, 2);
    expect(at('equal', 0)).toBe(200);
    expect(at('equal', 0.999_999)).toBeCloseTo(400, 2);
    expect(at('decorrelated', 0, 1000)).toBe(100);
    expect(at('decorrelated', 0.999_999, 1000)).toBeCloseTo(3000, 1);
    expect(at('decorrelated', 0.999_999, 9000)).toBe(10_000);
  });

  it('spreads full jitter across its range rather than clustering', () => {
    const b = backoff({ jitter: 'full', kind: 'constant', initialMs: 1000 }, seededRandom(7));
    const delays = Array.from({ length: 4000 }, (_, i) => b.next(i + 1, 0));
    const quarters = [0, 0, 0, 0];
    for (const d of delays) quarters[Math.min(3, Math.floor(d / 250))]! += 1;
    for (const q of quarters) expect(q).toBeGreaterThan(850); // ~1000 each
  });

  it('clamps a misbehaving random source into [0, cap]', () => {
    for (const r of [2, -1, Number.NaN]) {
      for (const jitter of jitters) {
        const d = backoff({ jitter, initialMs: 100, capMs: 500 }, () => r).next(2, 300);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(500);
      }
    }
  });
});
