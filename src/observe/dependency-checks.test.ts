import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDependencyChecks } from './dependency-checks.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('runDependencyChecks', () => {
  it('passes, fails and times out checks concurrently, aborting the slow one', async () => {
    let aborted = false;
    const pending = runDependencyChecks(
      [
        { name: 'database', check: () => Promise.resolve() },
        { name: 'redis', critical: false, check: () => Promise.reject(new Error('ECONNREFUSED')) },
        {
          name: 'slow',
          timeoutMs: 500,
          check: (signal) =>
            new Promise((resolve) => {
              signal.addEventListener('abort', () => {
                aborted = true;
              });
              setTimeout(resolve, 10_000);
            }),
        },
      ],
      { now: () => Date.now() },
    );
    await vi.advanceTimersByTimeAsync(500);
    const results = await pending;
    expect(results).toEqual([
      { name: 'database', critical: true, ok: true, durationMs: 0 },
      { name: 'redis', critical: false, ok: false, durationMs: 0, error: 'ECONNREFUSED' },
      { name: 'slow', critical: true, ok: false, durationMs: 500, error: 'timed out after 500 ms' },
    ]);
    expect(aborted).toBe(true);
  });

  it('turns a synchronous throw into a failed check', async () => {
    const results = await runDependencyChecks([
      {
        name: 'bad',
        check: () => {
          throw new Error('sync');
        },
      },
    ]);
    expect(results[0]).toMatchObject({ ok: false, error: 'sync' });
  });
});
