import { describe, expect, it } from 'vitest';
import { compose } from './compose.js';
import { faultInjection } from './fault-injection.js';
import type { ExecuteContext, Policy } from './policy.js';
import { retry } from './retry.js';

/** A policy that records the order layers are entered in, passing the signal on unchanged. */
function tracer(name: string, log: string[]): Policy {
  return {
    async execute<T>(
      fn: (context: ExecuteContext) => PromiseLike<T> | T,
      signal?: AbortSignal,
    ): Promise<T> {
      log.push(`enter ${name}`);
      try {
        return await fn({ signal: signal ?? new AbortController().signal, attempt: 1 });
      } finally {
        log.push(`leave ${name}`);
      }
    },
  };
}

describe('compose', () => {
  it('nests policies with the first outermost', async () => {
    const log: string[] = [];
    const result = await compose(tracer('a', log), tracer('b', log), tracer('c', log)).execute(
      () => {
        log.push('fn');
        return 42;
      },
    );
    expect(result).toBe(42);
    expect(log).toEqual(['enter a', 'enter b', 'enter c', 'fn', 'leave c', 'leave b', 'leave a']);
  });

  it('hands the retry attempt number through inner layers to fn', async () => {
    const attempts: number[] = [];
    const policy = compose(
      retry({ maxAttempts: 3, backoff: { kind: 'constant', initialMs: 0, jitter: 'none' } }),
      tracer('inner', []),
    );
    const result = await policy.execute(({ attempt }) => {
      attempts.push(attempt);
      if (attempt < 3) throw new Error('flaky');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('lets a retry outside recover from faults injected inside', async () => {
    let calls = 0;
    const faults = faultInjection({ error: { rate: 1 } });
    const policy = compose(
      retry({ maxAttempts: 4, backoff: { kind: 'constant', initialMs: 0, jitter: 'none' } }),
      faults,
    );
    const pending = policy.execute(() => ++calls);
    await expect(pending).rejects.toMatchObject({ code: 'SLUICE_INJECTED_FAULT' });
    expect(calls).toBe(0);
    faults.enabled = false;
    await expect(policy.execute(() => ++calls)).resolves.toBe(1);
  });

  it('passes the caller signal to fn through every layer', async () => {
    const controller = new AbortController();
    const seen = await compose(tracer('a', []), tracer('b', [])).execute(
      ({ signal }) => signal,
      controller.signal,
    );
    expect(seen).toBe(controller.signal);
    expect(await compose().execute(({ attempt }) => attempt)).toBe(1);
  });
});
