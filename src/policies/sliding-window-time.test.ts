import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { windowSnapshot, type WindowOutcome, type TimeWindowState } from './sliding-window.js';
import { TimeSlidingWindow } from './sliding-window-time.js';

interface Call {
  readonly at: number;
  readonly outcome: WindowOutcome;
  readonly slow: boolean;
}

/**
 * The definition, naively: a call made at time t sits in bucket floor(t / bucketMs); at time now
 * the window holds the calls whose bucket is one of the last `buckets` up to now's own.
 */
function reference(calls: readonly Call[], now: number, bucketMs: number, buckets: number) {
  const oldest = Math.floor(now / bucketMs) - buckets + 1;
  const inside = calls.filter((c) => Math.floor(c.at / bucketMs) >= oldest);
  return windowSnapshot(
    inside.length,
    inside.filter((c) => c.outcome === 'failure').length,
    inside.filter((c) => c.slow).length,
  );
}

function divisors(n: number): number[] {
  const result: number[] = [];
  for (let d = 1; d <= Math.min(n, 200); d++) if (n % d === 0) result.push(d);
  return result;
}

/** A window shape: seconds, a bucket count dividing its length, and a clock origin. */
const shape = fc.integer({ min: 1, max: 4 }).chain((seconds) =>
  fc.record({
    seconds: fc.constant(seconds),
    buckets: fc.constantFrom(...divisors(seconds * 1000)),
    start: fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.constant(0)),
  }),
);

/** Time moves in ways that stress the edges: to, just before and just past bucket boundaries. */
const step = fc.oneof(
  fc.record({ type: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 1500 }) }),
  fc.record({ type: fc.constant('waitBuckets' as const), n: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ type: fc.constant('toBoundary' as const), offset: fc.constantFrom(-1, 0, 1) }),
  fc.record({
    type: fc.constant('jumpPastWindow' as const),
    ms: fc.integer({ min: 0, max: 9000 }),
  }),
);

const op = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant('record' as const),
      outcome: fc.constantFrom<WindowOutcome>('success', 'failure'),
      slow: fc.boolean(),
    }),
  },
  { weight: 4, arbitrary: step },
  { weight: 1, arbitrary: fc.constant({ type: 'reset' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant('roundtrip' as const), agedBuckets: fc.nat(3) }),
  },
);

describe('TimeSlidingWindow', () => {
  it('agrees with the naive model through waits, boundaries, long jumps and restores', () => {
    fc.assert(
      fc.property(shape, fc.array(op, { maxLength: 60 }), ({ seconds, buckets, start }, ops) => {
        const bucketMs = (seconds * 1000) / buckets;
        let now = start;
        const clock = { now: () => now };
        let window = new TimeSlidingWindow({ seconds, buckets }, { clock });
        let model: Call[] = [];
        for (const o of ops) {
          switch (o.type) {
            case 'record':
              // Half the time the caller hands over its own clock reading.
              if (o.slow) window.record(o.outcome, o.slow, now);
              else window.record(o.outcome, o.slow);
              model.push({ at: now, outcome: o.outcome, slow: o.slow });
              break;
            case 'reset':
              window.reset();
              model = [];
              break;
            case 'wait':
              now += o.ms;
              break;
            case 'waitBuckets':
              now += o.n * bucketMs;
              break;
            case 'toBoundary': {
              const next = (Math.floor(now / bucketMs) + 1) * bucketMs + o.offset;
              now = Math.max(now, next);
              break;
            }
            case 'jumpPastWindow':
              now += seconds * 1000 + o.ms;
              break;
            case 'roundtrip': {
              // Restoring a state as if taken k whole buckets ago shifts every call back k buckets.
              const state = JSON.parse(JSON.stringify(window)) as TimeWindowState;
              const restoreAgeMs = o.agedBuckets * bucketMs;
              window = new TimeSlidingWindow(
                { seconds, buckets },
                { clock, restore: state, restoreAgeMs },
              );
              model = model.map((c) => ({ ...c, at: c.at - restoreAgeMs }));
              break;
            }
          }
          const expected = reference(model, now, bucketMs, buckets);
          expect(window.snapshot()).toEqual(expected);
          expect(window.calls).toBe(expected.calls);
          expect(window.failures).toBe(expected.failures);
          expect(window.slowCalls).toBe(expected.slowCalls);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('drops a bucket exactly when its last moment leaves the window', () => {
    let now = 0;
    const window = new TimeSlidingWindow({ seconds: 10 }, { clock: { now: () => now } });
    window.record('failure', false); // bucket 0: [0, 1000)
    now = 999;
    window.record('success', true); // still bucket 0
    now = 1000;
    window.record('success', false); // bucket 1
    now = 9_999; // bucket 9: buckets 0..9 are all inside
    expect(window.snapshot()).toMatchObject({ calls: 3, failures: 1, slowCalls: 1 });
    now = 10_000; // bucket 10: bucket 0 falls out, bucket 1 stays
    expect(window.snapshot()).toMatchObject({ calls: 1, failures: 0, slowCalls: 0 });
    now = 10_999;
    window.advance();
    expect(window.calls).toBe(1);
    now = 11_000;
    window.advance();
    expect(window.calls).toBe(0);
  });

  it('rotates through configurable buckets and clears everything on a jump past the window', () => {
    let now = 0;
    const window = new TimeSlidingWindow({ seconds: 2, buckets: 4 }, { clock: { now: () => now } });
    for (let t = 0; t < 2000; t += 250) {
      now = t;
      window.record(t < 1000 ? 'failure' : 'success', false);
    }
    expect(window.snapshot()).toMatchObject({ calls: 8, failures: 4, failureRate: 0.5 });
    now = 2250; // buckets 0 (0-499) gone
    expect(window.snapshot()).toMatchObject({ calls: 6, failures: 2 });
    now = 1_000_000;
    expect(window.snapshot()).toMatchObject({ calls: 0, failures: 0 });
    window.record('failure', true);
    expect(window.toJSON()).toEqual({
      kind: 'time',
      seconds: 2,
      buckets: 4,
      newestBucketAgeMs: 0,
      counts: [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
        [1, 1, 1],
      ],
    });
  });

  it('keeps filling the newest bucket if the clock steps back', () => {
    let now = 5000;
    const window = new TimeSlidingWindow({ seconds: 1, buckets: 1 }, { clock: { now: () => now } });
    window.record('failure', false);
    now = 1000;
    window.record('success', false);
    expect(window.snapshot()).toMatchObject({ calls: 2, failures: 1 });
    now = 6000;
    window.advance();
    expect(window.calls).toBe(0);
  });

  it('reads counts without the clock: they hold until the next record, advance or snapshot', () => {
    let reads = 0;
    let now = 0;
    const window = new TimeSlidingWindow({ seconds: 1 }, { clock: { now: () => (reads++, now) } });
    window.record('failure', false, 0);
    now = 5000;
    reads = 0;
    expect([window.calls, window.failures, window.slowCalls]).toEqual([1, 1, 0]);
    expect(reads).toBe(0);
    window.advance(5000);
    expect(reads).toBe(0);
    expect(window.calls).toBe(0);
    window.record('success', true, 5000);
    expect(window.snapshot(5000)).toMatchObject({ calls: 1, slowCalls: 1 });
    expect(reads).toBe(0);
    expect(window.snapshot()).toMatchObject({ calls: 1 });
    expect(reads).toBe(1);
  });

  it.each([
    [{ seconds: 0 }, 'w.seconds must be an integer in [1, 3600], got 0'],
    [{ seconds: 1.5 }, 'w.seconds must be an integer in [1, 3600], got 1.5'],
    [{ seconds: 4000 }, 'w.seconds must be an integer in [1, 3600], got 4000'],
    [
      { seconds: 10, buckets: 3 },
      'w.buckets must be an integer in [1, 10000] that divides 10000 (the window in ms), got 3',
    ],
    [
      { seconds: 1, buckets: 0 },
      'w.buckets must be an integer in [1, 1000] that divides 1000 (the window in ms), got 0',
    ],
  ])('rejects %j, naming the field', (config, message) => {
    expect(() => new TimeSlidingWindow(config, { field: 'w' })).toThrow(message);
  });

  it('rejects a restored state that does not fit, naming the field', () => {
    const good: TimeWindowState = {
      kind: 'time',
      seconds: 1,
      buckets: 2,
      newestBucketAgeMs: 0,
      counts: [
        [1, 1, 0],
        [2, 0, 2],
      ],
    };
    const restore =
      (state: unknown, restoreAgeMs = 0) =>
      () =>
        new TimeSlidingWindow(
          { seconds: 1, buckets: 2 },
          { restore: state as TimeWindowState, restoreField: 'r', field: 'w', restoreAgeMs },
        );
    expect(restore(good)).not.toThrow();
    expect(restore({ ...good, kind: 'count' })).toThrow(/^r must be a time window state/);
    expect(restore({ ...good, buckets: 1 })).toThrow(
      'r must be a window of 1 s in 2 buckets (the configured window), got "1 s in 1 buckets"',
    );
    expect(restore({ ...good, newestBucketAgeMs: -1 })).toThrow(
      'r.newestBucketAgeMs must be a finite number >= 0, got -1',
    );
    expect(restore({ ...good, counts: [[1, 0, 0]] })).toThrow(/^r\.counts must be an array of 2/);
    expect(
      restore({
        ...good,
        counts: [
          [1, 2, 0],
          [0, 0, 0],
        ],
      }),
    ).toThrow(/^r\.counts\[0\] must/);
    expect(restore(good, -5)).toThrow('w.restoreAgeMs must be a finite number >= 0, got -5');
  });
});
