import { afterEach, describe, expect, it, vi } from 'vitest';
import { AbortedError, HttpStatusError, InjectedFaultError } from '../errors/index.js';
import {
  faultInjection,
  isFaultInjectionPolicy,
  type FaultEvent,
  type FaultInjectionPolicy,
} from './fault-injection.js';
import { maxTimerMs } from './option-checks.js';
import type { Policy } from './policy.js';
import { seededRandom } from './random.js';
import { retry } from './retry.js';

const N = 20_000;

/** Counts outcomes of N calls that would otherwise return 'real'. */
async function outcomes(policy: FaultInjectionPolicy<string>) {
  const counts = { real: 0, substitute: 0, injected: 0, other: 0 };
  for (let i = 0; i < N; i++) {
    try {
      const value = await policy.execute(() => 'real');
      counts[value === 'real' ? 'real' : 'substitute'] += 1;
    } catch (error) {
      counts[error instanceof InjectedFaultError ? 'injected' : 'other'] += 1;
    }
  }
  return counts;
}

/** Within 4.5 standard deviations of a binomial(N, p) mean: fails by chance ~1e-5, never with a seed. */
function expectRate(count: number, p: number): void {
  const sd = Math.sqrt(N * p * (1 - p));
  expect(Math.abs(count - N * p)).toBeLessThanOrEqual(4.5 * sd);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('fault injection', () => {
  it('injects errors at their rate', async () => {
    const policy = faultInjection<string>({ error: { rate: 0.1 }, random: seededRandom(42) });
    const counts = await outcomes(policy);
    expectRate(counts.injected, 0.1);
    expect(counts.injected + counts.real).toBe(N);
    expect(isFaultInjectionPolicy(policy)).toBe(true);
  });

  it('splits one draw between error and result, so each keeps its rate and never both', async () => {
    const policy = faultInjection({
      error: { rate: 0.2 },
      result: { rate: 0.3, value: () => 'substitute' },
      random: seededRandom(7),
    });
    const events: FaultEvent[] = [];
    policy.onFault((e) => events.push(e));
    const counts = await outcomes(policy);
    expectRate(counts.injected, 0.2);
    expectRate(counts.substitute, 0.3);
    expectRate(counts.real, 0.5);
    expect(counts.other).toBe(0);
    expect(events.length).toBe(counts.injected + counts.substitute);
  });

  it('throws what the error factory makes', async () => {
    const policy = faultInjection({ error: { rate: 1, create: () => new HttpStatusError(503) } });
    await expect(policy.execute(() => 'real')).rejects.toMatchObject({ status: 503 });
  });

  it('delays calls at the latency rate, sampling a distribution', async () => {
    vi.useFakeTimers();
    const policy = faultInjection({
      latency: { rate: 0.25, ms: (random) => 50 + random() * 100 },
      random: seededRandom(3),
    });
    const delays: number[] = [];
    policy.onFault((e) => delays.push(e.delayMs!));
    let done = 0;
    const calls = Array.from({ length: 4000 }, () => policy.execute(() => done++));
    await vi.advanceTimersByTimeAsync(0);
    const undelayed = done;
    expect(undelayed + delays.length).toBe(4000);
    expect(Math.abs(delays.length - 1000)).toBeLessThanOrEqual(4.5 * Math.sqrt(4000 * 0.25 * 0.75));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...delays)).toBeLessThanOrEqual(150);
    await vi.advanceTimersByTimeAsync(49);
    expect(done).toBe(undelayed); // delayed calls really wait
    await vi.advanceTimersByTimeAsync(101);
    expect(done).toBe(4000);
    await Promise.all(calls);
  });

  it('clamps a distribution into [0, the longest timer]', async () => {
    vi.useFakeTimers();
    const samples = [-5, Number.NaN, 1e15];
    const policy = faultInjection({ latency: { rate: 1, ms: () => samples.shift()! } });
    const delays: number[] = [];
    policy.onFault((e) => delays.push(e.delayMs!));
    const controller = new AbortController();
    const calls = [1, 2, 3].map(() => policy.execute(() => 'x', controller.signal));
    controller.abort();
    await Promise.allSettled(calls);
    expect(delays).toEqual([0, 0, maxTimerMs]);
  });

  it('rejects with AbortedError when aborted during injected latency, leaving no timer', async () => {
    vi.useFakeTimers();
    const policy = faultInjection({ latency: { rate: 1, ms: 10_000 } });
    const controller = new AbortController();
    const fn = vi.fn(() => 'real');
    const call = policy.execute(fn, controller.signal);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(AbortedError);
    expect(fn).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('switches at runtime: enabled flag and partial updates', async () => {
    const random = vi.fn(seededRandom(1));
    const policy = faultInjection<string>({ error: { rate: 1 }, random });
    await expect(policy.execute(() => 'real')).rejects.toBeInstanceOf(InjectedFaultError);

    policy.enabled = false;
    random.mockClear();
    await expect(policy.execute(() => 'real')).resolves.toBe('real');
    expect(random).not.toHaveBeenCalled(); // disabled costs no draw

    policy.update({ enabled: true, result: { rate: 0, value: () => 'never' } });
    await expect(policy.execute(() => 'real')).rejects.toBeInstanceOf(InjectedFaultError);

    expect(() => policy.update({ result: { rate: 0.5, value: () => 'x' } })).toThrow(
      'faultInjection.result.rate must be a number in [0, 1 - error.rate (1)], got 0.5',
    );
    await expect(policy.execute(() => 'real')).rejects.toBeInstanceOf(InjectedFaultError);

    policy.update({ error: undefined, result: { rate: 1, value: () => 'substitute' } });
    await expect(policy.execute(() => 'real')).resolves.toBe('substitute');
    policy.update({ result: undefined });
    await expect(policy.execute(() => 'real')).resolves.toBe('real');
  });

  it('is an ordinary Policy without a result fault, and retry recovers from its errors', async () => {
    const chaos: Policy = faultInjection({ error: { rate: 0.5 }, random: seededRandom(9) });
    const policy = retry({
      maxAttempts: 20,
      backoff: { kind: 'constant', jitter: 'none', initialMs: 0 },
    });
    let failures = 0;
    policy.onRetry(() => failures++);
    for (let i = 0; i < 200; i++) {
      await expect(policy.execute(({ signal }) => chaos.execute(() => i, signal))).resolves.toBe(i);
    }
    expect(failures).toBeGreaterThan(120); // ~200 expected at rate 0.5
    expect(failures).toBeLessThan(280);
  });
});
