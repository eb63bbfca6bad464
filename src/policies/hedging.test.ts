import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vi } from 'vitest';
import { AbortedError, HttpStatusError } from '../errors/index.js';
import { hedging, isHedgingPolicy, type HedgeEvent } from './hedging.js';
import type { ExecuteContext } from './policy.js';

/** An attempt that settles after `ms` (with `value`, or rejecting with `error`), or on abort. */
function after(ms: number, outcome: { value?: string; error?: Error }) {
  return ({ signal }: ExecuteContext) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        if (outcome.error) reject(outcome.error);
        else resolve(outcome.value ?? '');
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new AbortedError(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
}

/** Runs attempt n with plans[n - 1] and remembers each attempt's context. */
function scripted(...plans: ((context: ExecuteContext) => Promise<string>)[]) {
  const contexts: ExecuteContext[] = [];
  const fn = (context: ExecuteContext) => {
    contexts.push(context);
    return plans[context.attempt - 1]!(context);
  };
  return { fn, contexts };
}

function settle<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('hedging', () => {
  it('returns a fast first attempt without hedging and leaves no timer', async () => {
    const policy = hedging({ delayMs: 100 });
    const hedges: HedgeEvent[] = [];
    policy.onHedge((e) => hedges.push(e));
    const { fn, contexts } = scripted(after(50, { value: 'primary' }));
    const result = settle(policy.execute(fn));
    await vi.advanceTimersByTimeAsync(50);
    expect(result.value).toBe('primary');
    expect(contexts).toHaveLength(1);
    expect(hedges).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    expect(isHedgingPolicy(policy)).toBe(true);
  });

  it('starts a hedge after the delay; the first success wins and the loser is aborted', async () => {
    const policy = hedging({ delayMs: 100 });
    const hedges: HedgeEvent[] = [];
    policy.onHedge((e) => hedges.push(e));
    const { fn, contexts } = scripted(
      after(1000, { value: 'slow' }),
      after(50, { value: 'hedge' }),
    );
    const result = settle(policy.execute(fn));
    await vi.advanceTimersByTimeAsync(99);
    expect(contexts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(contexts).toHaveLength(2);
    expect(hedges).toEqual([{ attempt: 2, reason: 'delay' }]);
    await vi.advanceTimersByTimeAsync(50);
    expect(result.value).toBe('hedge');
    expect(contexts[0]!.signal.aborted).toBe(true);
    expect(contexts[0]!.signal.reason).toBeInstanceOf(AbortedError);
    expect(contexts[1]!.signal.aborted).toBe(false); // the winner may still be streaming
    expect(contexts[0]!.signal).not.toBe(contexts[1]!.signal);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('lets the first attempt win after a hedge started, aborting the hedge', async () => {
    const policy = hedging({ delayMs: 100, maxHedged: 2 });
    const { fn, contexts } = scripted(
      after(150, { value: 'primary' }),
      after(500, { value: 'hedge 1' }),
      after(500, { value: 'hedge 2' }),
    );
    const result = settle(policy.execute(fn));
    await vi.advanceTimersByTimeAsync(150);
    expect(result.value).toBe('primary');
    expect(contexts.map((c) => [c.attempt, c.signal.aborted])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts the next attempt at once when one fails early', async () => {
    const policy = hedging({ delayMs: 1000, maxHedged: 2 });
    const hedges: HedgeEvent[] = [];
    policy.onHedge((e) => hedges.push(e));
    const { fn } = scripted(
      after(10, { error: new HttpStatusError(503) }),
      () => Promise.reject(new HttpStatusError(502)),
      after(10, { value: 'third' }),
    );
    const result = settle(policy.execute(fn));
    await vi.advanceTimersByTimeAsync(20);
    expect(result.value).toBe('third');
    expect(hedges).toEqual([
      { attempt: 2, reason: 'failure' },
      { attempt: 3, reason: 'failure' },
    ]);
  });

  it('rejects with the error of the last attempt to fail when all fail', async () => {
    const first = new HttpStatusError(503);
    const second = new HttpStatusError(504);
    const policy = hedging({ delayMs: 100 });
    // The hedge fails first, the primary last: the primary's error is the answer.
    const a = settle(
      policy.execute(scripted(after(300, { error: first }), after(50, { error: second })).fn),
    );
    await vi.advanceTimersByTimeAsync(300);
    expect(a.error).toBe(first);
    // And the other way round.
    const b = settle(
      policy.execute(scripted(after(200, { error: first }), after(400, { error: second })).fn),
    );
    await vi.advanceTimersByTimeAsync(200);
    expect(b.done).toBe(false); // the hedge is still running
    await vi.advanceTimersByTimeAsync(300);
    expect(b.error).toBe(second);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('settles at once on a non-recoverable failure and aborts the rest', async () => {
    const policy = hedging({ delayMs: 100 });
    const bad = new HttpStatusError(400);
    const { fn, contexts } = scripted(after(1000, { value: 'slow' }), after(10, { error: bad }));
    const result = settle(policy.execute(fn));
    await vi.advanceTimersByTimeAsync(110);
    expect(result.error).toBe(bad);
    expect(contexts[0]!.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts every attempt at once with delayMs 0, and survives a synchronous throw', async () => {
    const policy = hedging({ delayMs: 0, maxHedged: 2 });
    const { fn, contexts } = scripted(
      () => {
        throw new Error('sync');
      },
      after(30, { value: 'b' }),
      after(20, { value: 'c' }),
    );
    const result = settle(policy.execute(fn));
    expect(contexts).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(20);
    expect(result.value).toBe('c');
    expect(contexts[1]!.signal.aborted).toBe(true);
  });

  it('aborts every attempt when the caller aborts, leaving no timer or listener', async () => {
    const policy = hedging({ delayMs: 100, maxHedged: 3 });
    const controller = new AbortController();
    const { fn, contexts } = scripted(
      after(1000, { value: 'a' }),
      after(1000, { value: 'b' }),
      after(1000, { value: 'c' }),
      after(1000, { value: 'd' }),
    );
    const result = settle(policy.execute(fn, controller.signal));
    await vi.advanceTimersByTimeAsync(150);
    expect(contexts).toHaveLength(2);
    const reason = new Error('shutdown');
    controller.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(result.error).toBeInstanceOf(AbortedError);
    expect(result.error).toMatchObject({ message: 'aborted: shutdown' });
    expect(contexts.every((c) => c.signal.reason === reason)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(policy.execute(fn, controller.signal)).rejects.toBeInstanceOf(AbortedError);
    expect(contexts).toHaveLength(2);
  });
});
