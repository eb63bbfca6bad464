import { describe, expect, it } from 'vitest';
import { isInvalidConfigError } from '../errors/index.js';
import { faultInjection } from './fault-injection.js';
import { fallback } from './fallback.js';
import { hedging } from './hedging.js';
import { retry } from './retry.js';
import { retryBudget } from './retry-budget.js';

/** Every option is checked at construction; the message names the field, the range and the value. */
const cases: [string, () => unknown][] = [
  // retry
  ['retry must be an options object, got 5', () => retry(5 as never)],
  [
    'retry.maxAttempt must be a known option (maxAttempts, backoff, maxRetryAfterMs, maxElapsedMs, classify, shouldRetry, budget, clock, random), got 5',
    () => retry({ maxAttempt: 5 } as never),
  ],
  ['retry.maxAttempts must be an integer >= 1 or Infinity, got 0', () => retry({ maxAttempts: 0 })],
  [
    'retry.maxAttempts must be an integer >= 1 or Infinity, got 2.5',
    () => retry({ maxAttempts: 2.5 }),
  ],
  [
    'retry.maxAttempts must be an integer >= 1 or Infinity, got NaN',
    () => retry({ maxAttempts: NaN }),
  ],
  [
    'retry.maxAttempts must be an integer >= 1 or Infinity, got "3"',
    () => retry({ maxAttempts: '3' as never }),
  ],
  [
    'retry.maxRetryAfterMs must be a number of ms in [0, 2147483647], got -1',
    () => retry({ maxRetryAfterMs: -1 }),
  ],
  [
    'retry.maxRetryAfterMs must be a number of ms in [0, 2147483647], got Infinity',
    () => retry({ maxRetryAfterMs: Infinity }),
  ],
  [
    'retry.maxElapsedMs must be a number of ms > 0 (Infinity for no deadline), got 0',
    () => retry({ maxElapsedMs: 0 }),
  ],
  [
    'retry.classify must be a function, got "default"',
    () => retry({ classify: 'default' as never }),
  ],
  ['retry.shouldRetry must be a function, got true', () => retry({ shouldRetry: true as never })],
  [
    'retry.budget must be a RetryBudget from retryBudget(), got {"ratio":0.1}',
    () => retry({ budget: { ratio: 0.1 } as never }),
  ],
  [
    'retry.clock must be an object with a now() method, got {}',
    () => retry({ clock: {} as never }),
  ],
  ['retry.random must be a function, got 0.5', () => retry({ random: 0.5 as never })],
  // retry.backoff
  [
    'retry.backoff must be an options object, got "fast"',
    () => retry({ backoff: 'fast' as never }),
  ],
  [
    'retry.backoff.base must be a known option (kind, initialMs, factor, capMs, jitter), got 100',
    () => retry({ backoff: { base: 100 } as never }),
  ],
  [
    'retry.backoff.kind must be one of constant, linear, exponential, got "fibonacci"',
    () => retry({ backoff: { kind: 'fibonacci' as never } }),
  ],
  [
    'retry.backoff.initialMs must be a number of ms in [0, 2147483647], got -1',
    () => retry({ backoff: { initialMs: -1 } }),
  ],
  [
    'retry.backoff.capMs must be a number of ms in [initialMs (100), 2147483647], got 50',
    () => retry({ backoff: { initialMs: 100, capMs: 50 } }),
  ],
  [
    'retry.backoff.capMs must be a number of ms in [initialMs (200), 2147483647], got Infinity',
    () => retry({ backoff: { capMs: Infinity } }),
  ],
  [
    'retry.backoff.factor must be a finite number >= 1, got 0.5',
    () => retry({ backoff: { factor: 0.5 } }),
  ],
  [
    'retry.backoff.factor must be a finite number >= 0, got -1',
    () => retry({ backoff: { kind: 'linear', factor: -1 } }),
  ],
  [
    'retry.backoff.factor must be unset for a constant backoff, got 2',
    () => retry({ backoff: { kind: 'constant', factor: 2 } }),
  ],
  [
    'retry.backoff.jitter must be one of none, full, equal, decorrelated, got "random"',
    () => retry({ backoff: { jitter: 'random' as never } }),
  ],
  [
    'retry.backoff.jitter must be none, full or equal with a linear backoff (decorrelated replaces the curve), got "decorrelated"',
    () => retry({ backoff: { kind: 'linear', jitter: 'decorrelated' } }),
  ],
  // retryBudget
  ['retryBudget must be an options object, got null', () => retryBudget(null as never)],
  [
    'retryBudget.percent must be a known option (ratio, windowMs, minRetriesPerSecond, buckets, clock), got 20',
    () => retryBudget({ percent: 20 } as never),
  ],
  ['retryBudget.ratio must be a finite number >= 0, got -0.1', () => retryBudget({ ratio: -0.1 })],
  [
    'retryBudget.windowMs must be a finite number of ms > 0, got 0',
    () => retryBudget({ windowMs: 0 }),
  ],
  [
    'retryBudget.minRetriesPerSecond must be a finite number >= 0, got -1',
    () => retryBudget({ minRetriesPerSecond: -1 }),
  ],
  [
    'retryBudget.buckets must be an integer in [1, 1000], got 1.5',
    () => retryBudget({ buckets: 1.5 }),
  ],
  [
    'retryBudget.clock must be an object with a now() method, got "system"',
    () => retryBudget({ clock: 'system' as never }),
  ],
  // fallback
  [
    'fallback must be handlers for at least one category (recoverable, rate_limited, non_recoverable, degraded), got {}',
    () => fallback({}),
  ],
  [
    'fallback.ratelimited must be a known option (recoverable, rate_limited, non_recoverable, degraded), got "cached"',
    () => fallback({ ratelimited: 'cached' } as never),
  ],
  ['fallback must be an options object, got "cached"', () => fallback('cached' as never)],
  [
    'fallback.classify must be a function, got 1',
    () => fallback({ recoverable: 1 }, { classify: 1 as never }),
  ],
  // hedging
  [
    'hedging.delay must be a known option (delayMs, maxHedged, classify), got 5',
    () => hedging({ delay: 5 } as never),
  ],
  [
    'hedging.delayMs must be a number of ms in [0, 2147483647], got -5',
    () => hedging({ delayMs: -5 }),
  ],
  ['hedging.maxHedged must be an integer in [1, 10], got 0', () => hedging({ maxHedged: 0 })],
  ['hedging.maxHedged must be an integer in [1, 10], got 11', () => hedging({ maxHedged: 11 })],
  ['hedging.classify must be a function, got {}', () => hedging({ classify: {} as never })],
  // faultInjection
  [
    'faultInjection.enabled must be true or false, got "yes"',
    () => faultInjection({ enabled: 'yes' as never }),
  ],
  [
    'faultInjection.latency must be an options object, got 100',
    () => faultInjection({ latency: 100 as never }),
  ],
  [
    'faultInjection.latency.probability must be a known option (rate, ms), got 0.5',
    () => faultInjection({ latency: { probability: 0.5 } as never }),
  ],
  [
    'faultInjection.latency.rate must be a number in [0, 1], got undefined',
    () => faultInjection({ latency: { ms: 5 } as never }),
  ],
  [
    'faultInjection.latency.rate must be a number in [0, 1], got 1.5',
    () => faultInjection({ latency: { rate: 1.5, ms: 5 } }),
  ],
  [
    'faultInjection.latency.ms must be a number of ms in [0, 2147483647] or a function, got "5s"',
    () => faultInjection({ latency: { rate: 0.5, ms: '5s' as never } }),
  ],
  [
    'faultInjection.error.rate must be a number in [0, 1], got -0.1',
    () => faultInjection({ error: { rate: -0.1 } }),
  ],
  [
    'faultInjection.error.create must be a function, got {}',
    () => faultInjection({ error: { rate: 0.1, create: {} as never } }),
  ],
  [
    'faultInjection.result.rate must be a number in [0, 1 - error.rate (0.6)], got 0.5',
    () => faultInjection({ error: { rate: 0.6 }, result: { rate: 0.5, value: () => 1 } }),
  ],
  [
    'faultInjection.result.value must be a function, got 42',
    () => faultInjection({ result: { rate: 0.5, value: 42 as never } }),
  ],
  ['faultInjection.random must be a function, got 4', () => faultInjection({ random: 4 as never })],
  [
    'faultInjection.enabled must be true or false, got 1',
    () => {
      faultInjection().enabled = 1 as never;
    },
  ],
];

describe('option validation', () => {
  it.each(cases)('%s', (message, make) => {
    let caught: unknown;
    try {
      make();
    } catch (error) {
      caught = error;
    }
    expect(isInvalidConfigError(caught)).toBe(true);
    expect((caught as Error).message).toBe(message);
  });

  it('accepts the documented extremes', () => {
    expect(() =>
      retry({ maxAttempts: Infinity, maxElapsedMs: Infinity, maxRetryAfterMs: 0 }),
    ).not.toThrow();
    expect(() => retry({ backoff: { initialMs: 0, capMs: 0, jitter: 'none' } })).not.toThrow();
    expect(() => retry({ backoff: { kind: 'linear', factor: 0 } })).not.toThrow();
    expect(() => retryBudget({ ratio: 0, minRetriesPerSecond: 0, buckets: 1000 })).not.toThrow();
    expect(() => hedging({ delayMs: 0, maxHedged: 10 })).not.toThrow();
    expect(() =>
      faultInjection({
        error: { rate: 0.4 },
        result: { rate: 0.6, value: () => 1 },
        latency: { rate: 1, ms: 0 },
      }),
    ).not.toThrow();
  });
});
