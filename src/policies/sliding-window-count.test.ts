import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { windowSnapshot, type WindowOutcome } from './sliding-window.js';
import { CountSlidingWindow } from './sliding-window-count.js';

interface Call {
  readonly outcome: WindowOutcome;
  readonly slow: boolean;
}

/** The definition, naively: the last `size` calls recorded since the last reset. */
function reference(calls: readonly Call[], size: number) {
  const last = calls.slice(Math.max(0, calls.length - size));
  return windowSnapshot(
    last.length,
    last.filter((c) => c.outcome === 'failure').length,
    last.filter((c) => c.slow).length,
  );
}

const call = fc.record({
  outcome: fc.constantFrom<WindowOutcome>('success', 'failure'),
  slow: fc.boolean(),
});

const op = fc.oneof(
  { weight: 8, arbitrary: call.map((c) => ({ type: 'record' as const, ...c })) },
  { weight: 1, arbitrary: fc.constant({ type: 'roundtrip' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'reset' as const }) },
);

describe('CountSlidingWindow', () => {
  it('agrees with the naive model after every operation', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(op, { maxLength: 80 }), (size, ops) => {
        let window = new CountSlidingWindow(size);
        let model: Call[] = [];
        for (const o of ops) {
          if (o.type === 'record') {
            window.record(o.outcome, o.slow);
            model.push(o);
          } else if (o.type === 'reset') {
            window.reset();
            model = [];
          } else {
            const state = JSON.parse(JSON.stringify(window)) as ReturnType<typeof window.toJSON>;
            window = new CountSlidingWindow(size, { restore: state });
          }
          const expected = reference(model, size);
          expect(window.snapshot()).toEqual(expected);
          expect([window.calls, window.failures, window.slowCalls]).toEqual([
            expected.calls,
            expected.failures,
            expected.slowCalls,
          ]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('evicts the oldest call once full and serialises oldest first', () => {
    const window = new CountSlidingWindow(3);
    window.record('failure', true);
    window.record('success', false);
    window.record('success', true);
    expect(window.snapshot()).toEqual({
      calls: 3,
      failures: 1,
      slowCalls: 2,
      failureRate: 1 / 3,
      slowCallRate: 2 / 3,
    });
    window.record('failure', false);
    expect(window.toJSON()).toEqual({ kind: 'count', size: 3, outcomes: 'SsF' });
    expect(window.snapshot()).toMatchObject({ calls: 3, failures: 1, slowCalls: 1 });
  });

  it('reports zero rates when empty', () => {
    expect(new CountSlidingWindow(5).snapshot()).toEqual({
      calls: 0,
      failures: 0,
      slowCalls: 0,
      failureRate: 0,
      slowCallRate: 0,
    });
  });

  it.each([0, -1, 1.5, Number.NaN, 2_000_000, '10'])('rejects size %s, naming it', (size) => {
    expect(() => new CountSlidingWindow(size as number, { field: 'w' })).toThrow(
      /^w\.size must be an integer in \[1, 1000000\], got /,
    );
  });

  it('rejects a restored state that does not fit, naming the field', () => {
    const restore = (state: unknown) => () =>
      new CountSlidingWindow(3, { restore: state as never, restoreField: 'r' });
    expect(restore({ kind: 'time' })).toThrow(
      'r must be a count window state, got {"kind":"time"}',
    );
    expect(restore({ kind: 'count', size: 4, outcomes: '' })).toThrow(
      'r.size must be 3 (the configured size), got 4',
    );
    expect(restore({ kind: 'count', size: 3, outcomes: 'SSSS' })).toThrow(
      'r.outcomes must be a string of at most 3 letters S, F, s, f, got "SSSS"',
    );
    expect(restore({ kind: 'count', size: 3, outcomes: 'SX' })).toThrow(/r\.outcomes/);
  });
});
