import fc from 'fast-check';
import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { isAbortedError, isBulkheadFullError } from '../errors/index.js';
import { bulkhead, BulkheadPolicy, isBulkhead, type BulkheadRejectEvent } from './bulkhead.js';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run. */
async function flush(ticks = 5): Promise<void> {
  for (let i = 0; i < ticks; i++) await Promise.resolve();
}

describe('bulkhead', () => {
  it('runs maxConcurrent at once, queues maxQueued in FIFO order, rejects the rest', async () => {
    const policy = bulkhead(2, 2);
    const rejects: BulkheadRejectEvent[] = [];
    policy.onReject((event) => rejects.push(event));
    const gates = Array.from({ length: 4 }, () => deferred());
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      policy.execute(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await flush();
    expect(started).toEqual([0, 1]);
    expect(policy.executionSlots).toBe(0);
    expect(policy.queueSlots).toBe(0);
    const error: unknown = await policy.execute(() => 'never').catch((e: unknown) => e);
    expect(isBulkheadFullError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'SLUICE_BULKHEAD_FULL',
      message: 'bulkhead full: 2 running and 2 queued',
      maxConcurrent: 2,
      maxQueued: 2,
    });
    expect(rejects).toEqual([{ maxConcurrent: 2, maxQueued: 2 }]);
    gates[1]!.resolve();
    await flush();
    expect(started).toEqual([0, 1, 2]);
    expect(policy.queueSlots).toBe(1);
    gates[0]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3]);
    expect(policy.executionSlots).toBe(2);
    expect(policy.queueSlots).toBe(2);
  });

  it('with no queue (the default) rejects as soon as every slot is busy', async () => {
    const policy = bulkhead(1);
    const gate = deferred();
    const running = policy.execute(() => gate.promise);
    await expect(policy.execute(() => 1)).rejects.toSatisfy(isBulkheadFullError);
    gate.resolve();
    await running;
    await expect(policy.execute(() => 1)).resolves.toBe(1);
  });

  it('frees the queue place of a call aborted while queued', async () => {
    const policy = bulkhead(1, 1);
    const gate = deferred();
    const running = policy.execute(() => gate.promise);
    const controller = new AbortController();
    const fn = vi.fn();
    const queued = policy.execute(fn, controller.signal);
    expect(policy.queueSlots).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(new Error('user left'));
    await expect(queued).rejects.toMatchObject({ message: 'aborted: user left' });
    expect(policy.queueSlots).toBe(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    const next = policy.execute(() => 'next');
    gate.resolve();
    await running;
    await expect(next).resolves.toBe('next');
    expect(fn).not.toHaveBeenCalled();
    expect(policy.executionSlots).toBe(1);
  });

  it('releases the slot when fn throws, synchronously or not', async () => {
    const policy = bulkhead(1);
    await expect(
      policy.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(policy.execute(() => Promise.reject(new Error('async')))).rejects.toThrow('async');
    expect(policy.executionSlots).toBe(1);
  });

  it('rejects an already aborted call without taking a slot, and passes the signal on', async () => {
    const policy = bulkhead(1);
    const controller = new AbortController();
    await expect(
      policy.execute(({ signal }) => signal === controller.signal, controller.signal),
    ).resolves.toBe(true);
    controller.abort();
    await expect(policy.execute(() => 1, controller.signal)).rejects.toSatisfy(isAbortedError);
    expect(policy.executionSlots).toBe(1);
  });

  it('leaks no slot, queue place or listener over 1,000 random starts, finishes and aborts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            action: fc.constantFrom('start', 'start', 'finish', 'abort', 'abort'),
            pick: fc.nat(),
            ticks: fc.nat(3),
          }),
          { minLength: 1_000, maxLength: 1_000 },
        ),
        async (steps) => {
          const policy = new BulkheadPolicy({ maxConcurrent: 3, maxQueued: 5 });
          const live: { gate: ReturnType<typeof deferred<void>>; controller: AbortController }[] =
            [];
          const signals: AbortSignal[] = [];
          const gates: ReturnType<typeof deferred<void>>[] = [];
          const outcomes: Promise<string>[] = [];
          let running = 0;
          let mostRunning = 0;
          for (const { action, pick, ticks } of steps) {
            if (action === 'start') {
              const gate = deferred();
              const controller = new AbortController();
              live.push({ gate, controller });
              gates.push(gate);
              signals.push(controller.signal);
              outcomes.push(
                policy
                  .execute(async () => {
                    running++;
                    mostRunning = Math.max(mostRunning, running);
                    try {
                      await gate.promise;
                    } finally {
                      running--;
                    }
                    return 'done';
                  }, controller.signal)
                  .catch((error: unknown) =>
                    isAbortedError(error) ? 'aborted' : isBulkheadFullError(error) ? 'full' : 'bad',
                  ),
              );
            } else if (live.length > 0) {
              const [entry] = live.splice(pick % live.length, 1);
              if (action === 'finish') entry!.gate.resolve();
              else entry!.controller.abort();
            }
            await flush(ticks);
          }
          // A call aborted while running goes on (fn ignores its signal) until its gate opens.
          for (const gate of gates) gate.resolve();
          const results = await Promise.all(outcomes);
          expect(results).not.toContain('bad');
          expect(mostRunning).toBeLessThanOrEqual(3);
          expect(policy.executionSlots).toBe(3);
          expect(policy.queueSlots).toBe(5);
          for (const signal of signals) expect(getEventListeners(signal, 'abort')).toHaveLength(0);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('names bad limits', () => {
    expect(() => bulkhead(0)).toThrow('bulkhead.maxConcurrent must be an integer >= 1, got 0');
    expect(() => bulkhead(1.5)).toThrow('bulkhead.maxConcurrent must be an integer >= 1, got 1.5');
    expect(() => bulkhead(1, -1)).toThrow('bulkhead.maxQueued must be an integer >= 0, got -1');
    expect(() => new BulkheadPolicy({ maxConcurrent: NaN })).toThrow(
      'bulkhead.maxConcurrent must be an integer >= 1, got NaN',
    );
    expect(() => new BulkheadPolicy(undefined as never)).toThrow(
      'bulkhead must be an options object, got undefined',
    );
  });

  it('has a marker type guard', () => {
    expect(isBulkhead(bulkhead(1))).toBe(true);
    expect(isBulkhead({ maxConcurrent: 1 })).toBe(false);
  });
});
