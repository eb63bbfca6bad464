import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BreakerOpenError, isBreakerOpenError } from './breaker-open-error.js';
import { BulkheadFullError, isBulkheadFullError } from './bulkhead-full-error.js';
import { classify } from './classify.js';
import { errorStacksEnabled, parseErrorStacksSetting, setErrorStacks } from './error-stacks.js';
import { isInvalidConfigError } from './invalid-config-error.js';
import { isRateLimitedError, RateLimitedError } from './rate-limited-error.js';
import { isSluiceError, SluiceError } from './sluice-error.js';

/** Each hot-path error: made by `rejection` and by `new` from the same arguments. */
const kinds = [
  {
    name: 'BreakerOpenError',
    Class: BreakerOpenError,
    guard: isBreakerOpenError,
    fast: () => BreakerOpenError.rejection('OPEN', 1234.5, 'images:cdn.example.com'),
    real: () => new BreakerOpenError('OPEN', 1234.5, 'images:cdn.example.com'),
    fields: { state: 'OPEN', retryAfterMs: 1234.5, breaker: 'images:cdn.example.com' },
    message: 'images:cdn.example.com is OPEN; may admit a call in 1235 ms',
  },
  {
    name: 'BreakerOpenError',
    Class: BreakerOpenError,
    guard: isBreakerOpenError,
    fast: () => BreakerOpenError.rejection('FORCED_OPEN', undefined),
    real: () => new BreakerOpenError('FORCED_OPEN', undefined),
    fields: { state: 'FORCED_OPEN', retryAfterMs: undefined, breaker: 'circuit breaker' },
    message: 'circuit breaker is FORCED_OPEN',
  },
  {
    name: 'BulkheadFullError',
    Class: BulkheadFullError,
    guard: isBulkheadFullError,
    fast: () => BulkheadFullError.rejection(10, 100),
    real: () => new BulkheadFullError(10, 100),
    fields: { maxConcurrent: 10, maxQueued: 100 },
    message: 'bulkhead full: 10 running and 100 queued',
  },
  {
    name: 'RateLimitedError',
    Class: RateLimitedError,
    guard: isRateLimitedError,
    fast: () => RateLimitedError.rejection(20.2, 'user-7'),
    real: () => new RateLimitedError(20.2, 'user-7'),
    fields: { retryAfterMs: 20.2, key: 'user-7' },
    message: 'rate limit for user-7 reached; retry in 21 ms',
  },
  {
    name: 'RateLimitedError',
    Class: RateLimitedError,
    guard: isRateLimitedError,
    fast: () => RateLimitedError.rejection(3),
    real: () => new RateLimitedError(3),
    fields: { retryAfterMs: 3, key: undefined },
    message: 'rate limit reached; retry in 3 ms',
  },
] as const;

afterEach(() => setErrorStacks(false));

describe.each(kinds)('$name.rejection ($message)', (kind) => {
  it('is the same class, guards, code, fields and message as `new` makes, without frames', () => {
    const fast = kind.fast();
    const real = kind.real();
    expect(fast).toBeInstanceOf(kind.Class);
    expect(fast).toBeInstanceOf(SluiceError);
    expect(fast).toBeInstanceOf(Error);
    expect(kind.guard(fast) && isSluiceError(fast)).toBe(true);
    expect(fast.name).toBe(kind.name);
    expect(fast.code).toBe(real.code);
    expect(fast).toMatchObject(kind.fields);
    expect(fast.message).toBe(kind.message);
    expect(real.message).toBe(kind.message);
    expect(fast.stack).toBe(`${kind.name}: ${kind.message}`);
    expect(real.stack).toContain('error-stacks.test.ts');
    expect(String(fast)).toBe(String(real));
  });

  it('looks the same to deep equality, spreads, JSON, toString tags and the classifier', () => {
    const fast = kind.fast();
    const real = kind.real();
    expect(fast).toEqual(real);
    expect({ ...fast }).toEqual({ ...real });
    expect(Object.keys(fast).sort()).toEqual(Object.keys(real).sort());
    expect(JSON.stringify(fast)).toBe(JSON.stringify(real));
    expect(Object.prototype.toString.call(fast)).toBe('[object Error]');
    expect(Object.prototype.toString.call(real)).toBe('[object Error]');
    expect(classify(fast)).toEqual(classify(real));
  });

  it('logs the same through pino, with its one-line stack', () => {
    const { stack: fastStack, ...fast } = pino.stdSerializers.err(kind.fast());
    const { stack: realStack, ...real } = pino.stdSerializers.err(kind.real());
    expect(fast).toEqual(real);
    expect(fastStack).toBe(`${kind.name}: ${kind.message}`);
    expect(realStack).toContain('error-stacks.test.ts');
  });

  it('takes an assigned message and stack as its own, like any Error', () => {
    const fast = kind.fast();
    fast.message = 'rewritten';
    expect(fast.message).toBe('rewritten');
    expect(fast.stack).toBe(`${kind.name}: rewritten`);
    fast.stack = 'custom stack';
    expect(fast.stack).toBe('custom stack');
    expect(Object.keys(fast)).not.toContain('message');
    Error.captureStackTrace(fast);
    expect(fast.stack).toContain('error-stacks.test.ts');
  });

  it('captures a full stack once stacks are turned on', () => {
    setErrorStacks(true);
    expect(errorStacksEnabled()).toBe(true);
    const fast = kind.fast();
    expect(fast.stack).toContain('error-stacks.test.ts');
    expect(fast).toEqual(kind.real());
  });
});

describe('error stacks setting', () => {
  it('is off unless SLUICE_ERROR_STACKS says 1 or true', () => {
    expect(errorStacksEnabled()).toBe(false);
    for (const off of [undefined, '', '0', 'false'])
      expect(parseErrorStacksSetting(off)).toBe(false);
    for (const on of ['1', 'true']) expect(parseErrorStacksSetting(on)).toBe(true);
  });

  it('refuses any other SLUICE_ERROR_STACKS value, naming the variable', () => {
    expect(() => parseErrorStacksSetting('yes')).toThrow(
      `SLUICE_ERROR_STACKS must be '1', 'true', '0', 'false' or unset, got "yes"`,
    );
  });

  it('refuses a non-boolean in setErrorStacks, naming the argument', () => {
    const bad: unknown = 1;
    let caught: unknown;
    try {
      setErrorStacks(bad as boolean);
    } catch (error) {
      caught = error;
    }
    expect(isInvalidConfigError(caught) && caught.field).toBe('setErrorStacks(on)');
    expect(errorStacksEnabled()).toBe(false);
  });
});
