import { describe, expect, it } from 'vitest';
import { isInvalidConfigError } from '../errors/index.js';
import { circuitBreaker } from './circuit-breaker.js';
import {
  circuitBreakerDefaults,
  resolveBreakerOptions,
  type CircuitBreakerOptions,
} from './circuit-breaker-options.js';

const bad: [string, unknown, string | RegExp][] = [
  ['name', { name: '' }, 'circuitBreaker.name must be a non-empty string, got ""'],
  ['name', { name: 7 }, 'circuitBreaker.name must be a non-empty string, got 7'],
  ['window', { window: 'count' }, 'circuitBreaker.window must be an object, got "count"'],
  [
    'window.kind',
    { window: { kind: 'sliding' } },
    'circuitBreaker.window.kind must be "count" or "time", got "sliding"',
  ],
  [
    'window.size',
    { window: { kind: 'count', size: 0 } },
    'circuitBreaker.window.size must be an integer in [1, 1000000], got 0',
  ],
  [
    'window.size',
    { window: { kind: 'count', size: 2.5 } },
    'circuitBreaker.window.size must be an integer in [1, 1000000], got 2.5',
  ],
  [
    'window.seconds',
    { window: { kind: 'time', seconds: 0 } },
    'circuitBreaker.window.seconds must be an integer in [1, 3600], got 0',
  ],
  [
    'window.buckets',
    { window: { kind: 'time', seconds: 10, buckets: 7 } },
    'circuitBreaker.window.buckets must be an integer in [1, 10000] that divides 10000 (the window in ms), got 7',
  ],
  [
    'window (unknown key)',
    { window: { kind: 'count', size: 10, seconds: 5 } },
    'circuitBreaker.window.seconds must be absent (not an option; known: kind, size), got 5',
  ],
  [
    'failureRateThreshold',
    { failureRateThreshold: 1.5 },
    'circuitBreaker.failureRateThreshold must be in (0, 1], got 1.5',
  ],
  [
    'failureRateThreshold',
    { failureRateThreshold: 0 },
    'circuitBreaker.failureRateThreshold must be in (0, 1], got 0',
  ],
  [
    'failureRateThreshold',
    { failureRateThreshold: Number.NaN },
    'circuitBreaker.failureRateThreshold must be in (0, 1], got NaN',
  ],
  [
    'slowCallRateThreshold',
    { slowCallRateThreshold: -0.1 },
    'circuitBreaker.slowCallRateThreshold must be in (0, 1], got -0.1',
  ],
  [
    'slowCallDurationMs',
    { slowCallDurationMs: 0 },
    'circuitBreaker.slowCallDurationMs must be a finite number > 0, got 0',
  ],
  [
    'slowCallDurationMs',
    { slowCallDurationMs: Infinity },
    'circuitBreaker.slowCallDurationMs must be a finite number > 0, got Infinity',
  ],
  [
    'minimumCalls',
    { minimumCalls: 0 },
    'circuitBreaker.minimumCalls must be an integer in [1, 100] (at most window.size), got 0',
  ],
  [
    'minimumCalls',
    { window: { kind: 'count', size: 10 }, minimumCalls: 11 },
    'circuitBreaker.minimumCalls must be an integer in [1, 10] (at most window.size), got 11',
  ],
  [
    'minimumCalls',
    { window: { kind: 'time', seconds: 10 }, minimumCalls: 1.5 },
    'circuitBreaker.minimumCalls must be an integer >= 1, got 1.5',
  ],
  [
    'openDurationMs',
    { openDurationMs: -1 },
    'circuitBreaker.openDurationMs must be a finite number > 0, got -1',
  ],
  [
    'openDurationGrowth',
    { openDurationGrowth: 2 },
    'circuitBreaker.openDurationGrowth must be an object, got 2',
  ],
  [
    'openDurationGrowth.factor',
    { openDurationGrowth: { factor: 0.5, maxMs: 60_000 } },
    'circuitBreaker.openDurationGrowth.factor must be a finite number >= 1, got 0.5',
  ],
  [
    'openDurationGrowth.maxMs',
    { openDurationGrowth: { factor: 2 } },
    'circuitBreaker.openDurationGrowth.maxMs must be a finite number >= openDurationMs (30000), got undefined',
  ],
  [
    'openDurationGrowth.maxMs',
    { openDurationMs: 5000, openDurationGrowth: { factor: 2, maxMs: 4000 } },
    'circuitBreaker.openDurationGrowth.maxMs must be a finite number >= openDurationMs (5000), got 4000',
  ],
  ['halfOpen', { halfOpen: [] }, 'circuitBreaker.halfOpen must be an object, got []'],
  [
    'halfOpen.permits',
    { halfOpen: { permits: 0 } },
    'circuitBreaker.halfOpen.permits must be an integer >= 1, got 0',
  ],
  [
    'halfOpen.successThreshold',
    { halfOpen: { permits: 3, successThreshold: 4 } },
    'circuitBreaker.halfOpen.successThreshold must be an integer in [1, 3] (at most halfOpen.permits), got 4',
  ],
  [
    'halfOpen.maxWaitMs',
    { halfOpen: { maxWaitMs: 0 } },
    'circuitBreaker.halfOpen.maxWaitMs must be a finite number > 0, got 0',
  ],
  [
    'halfOpen (unknown key)',
    { halfOpen: { probes: 3 } },
    'circuitBreaker.halfOpen.probes must be absent (not an option; known: permits, successThreshold, maxWaitMs), got 3',
  ],
  [
    'classifier',
    { classifier: 'default' },
    'circuitBreaker.classifier must be a function, got "default"',
  ],
  ['isFailure', { isFailure: true }, 'circuitBreaker.isFailure must be a function, got true'],
  [
    'countRateLimited',
    { countRateLimited: 'yes' },
    'circuitBreaker.countRateLimited must be a boolean, got "yes"',
  ],
  [
    'countCallerAbort',
    { countCallerAbort: 1 },
    'circuitBreaker.countCallerAbort must be a boolean, got 1',
  ],
  [
    'countClientErrors',
    { countClientErrors: null },
    'circuitBreaker.countClientErrors must be a boolean, got null',
  ],
  [
    'clock',
    { clock: Date },
    'circuitBreaker.clock must be an object with a now() method, got a function',
  ],
  ['clock', { clock: {} }, 'circuitBreaker.clock must be an object with a now() method, got {}'],
  [
    'restoreAgeMs',
    { restoreAgeMs: -1 },
    'circuitBreaker.restoreAgeMs must be a finite number >= 0, got -1',
  ],
  [
    'an unknown option',
    { failureThreshold: 0.5 },
    /^circuitBreaker\.failureThreshold must be absent \(not an option; known: name, window, /,
  ],
];

describe('circuitBreaker options', () => {
  it.each(bad)('rejects a bad %s, naming it, the range and the value', (_, options, message) => {
    let thrown: unknown;
    try {
      circuitBreaker(options as CircuitBreakerOptions);
    } catch (error) {
      thrown = error;
    }
    expect(isInvalidConfigError(thrown)).toBe(true);
    if (typeof message === 'string') expect((thrown as Error).message).toBe(message);
    else expect((thrown as Error).message).toMatch(message);
  });

  it('fills in the documented defaults', () => {
    const o = resolveBreakerOptions();
    expect(o).toMatchObject({
      name: 'circuit breaker',
      window: { kind: 'count', size: 100 },
      failureRateThreshold: 0.5,
      slowCallDurationMs: 60_000,
      slowCallRateThreshold: 1,
      minimumCalls: 20,
      openDurationMs: 30_000,
      growthFactor: 1,
      maxOpenDurationMs: 30_000,
      permits: 3,
      successThreshold: 3,
      maxWaitMs: 60_000,
      countRateLimited: false,
      countCallerAbort: false,
      countClientErrors: false,
      restoreAgeMs: 0,
    });
    expect(circuitBreakerDefaults.minimumCalls).toBe(20);
    // A small count window lowers the default minimum to fit, rather than never opening.
    expect(resolveBreakerOptions({ window: { kind: 'count', size: 5 } }).minimumCalls).toBe(5);
    expect(resolveBreakerOptions({ window: { kind: 'time', seconds: 60 } }).window).toEqual({
      kind: 'time',
      seconds: 60,
      buckets: 60,
    });
    expect(resolveBreakerOptions({ halfOpen: { permits: 5 } }).successThreshold).toBe(5);
  });
});
