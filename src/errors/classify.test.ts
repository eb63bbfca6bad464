import { describe, expect, it } from 'vitest';
import { AbortedError } from './aborted-error.js';
import { BreakerOpenError } from './breaker-open-error.js';
import { classify, classifyStatus, createClassifier } from './classify.js';
import { HttpStatusError } from './http-status-error.js';
import { InvalidConfigError } from './invalid-config-error.js';
import { RateLimitedError } from './rate-limited-error.js';
import { TimeoutError } from './timeout-error.js';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('classify', () => {
  it.each([
    'ECONNRESET',
    'ECONNREFUSED',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
  ])('treats network error %s as recoverable and keeps its code', (code) => {
    expect(classify(withCode(code))).toMatchObject({ category: 'recoverable', code });
  });

  it('looks through fetch-style cause chains', () => {
    const fetchFailed = new TypeError('fetch failed', { cause: withCode('ECONNRESET') });
    expect(classify(fetchFailed)).toMatchObject({ category: 'recoverable', code: 'ECONNRESET' });
  });

  it.each([
    [408, 'recoverable'],
    [425, 'recoverable'],
    [500, 'recoverable'],
    [502, 'recoverable'],
    [503, 'recoverable'],
    [504, 'recoverable'],
    [429, 'rate_limited'],
    [400, 'non_recoverable'],
    [401, 'non_recoverable'],
    [404, 'non_recoverable'],
    [422, 'non_recoverable'],
    [501, 'non_recoverable'],
  ] as const)('maps HTTP %i to %s', (status, category) => {
    expect(classifyStatus(status)).toBe(category);
    expect(classify(new HttpStatusError(status))).toMatchObject({ category, status });
    expect(classify({ statusCode: status })).toMatchObject({ category, status });
    expect(classify(Object.assign(new Error('x'), { response: { status } }))).toMatchObject({
      category,
    });
  });

  it('has no category for success statuses', () => {
    expect(classifyStatus(200)).toBeUndefined();
    expect(classifyStatus(304)).toBeUndefined();
  });

  it('carries Retry-After from an HTTP error and retryAfterMs from our errors', () => {
    expect(classify(new HttpStatusError(429, '7'))).toMatchObject({
      category: 'rate_limited',
      retryAfterMs: 7000,
    });
    expect(classify(new HttpStatusError(503, 'garbage')).retryAfterMs).toBeUndefined();
    expect(classify(new RateLimitedError(250, 'api'))).toMatchObject({
      category: 'rate_limited',
      retryAfterMs: 250,
    });
    expect(classify(new BreakerOpenError('OPEN', 1000))).toMatchObject({
      category: 'recoverable',
      retryAfterMs: 1000,
      code: 'SLUICE_BREAKER_OPEN',
    });
    const fetchLike = { status: 503, headers: new Headers({ 'retry-after': '2' }) };
    expect(classify(fetchLike).retryAfterMs).toBe(2000);
  });

  it('keeps the text of a thrown non-Error value and calls it recoverable', () => {
    expect(classify('disk on fire')).toEqual({ category: 'recoverable', message: 'disk on fire' });
    expect(classify({ reason: 'quota' })).toMatchObject({
      category: 'recoverable',
      message: '{"reason":"quota"}',
    });
    expect(classify(42)).toMatchObject({ message: '42' });
    expect(classify(undefined)).toMatchObject({ category: 'recoverable', message: 'undefined' });
  });

  it('treats programming errors and bad input as non-recoverable', () => {
    expect(classify(new SyntaxError('Unexpected token < in JSON')).category).toBe(
      'non_recoverable',
    );
    expect(
      classify(new TypeError("Cannot read properties of undefined (reading 'x')")).category,
    ).toBe('non_recoverable');
    expect(classify(new InvalidConfigError('limit', 'an integer', -1)).category).toBe(
      'non_recoverable',
    );
  });

  it('classifies our own errors by kind', () => {
    expect(classify(new TimeoutError(100)).category).toBe('recoverable');
    expect(classify(new AbortedError()).category).toBe('recoverable');
    expect(classify(new DOMException('aborted', 'AbortError')).category).toBe('recoverable');
  });

  it('honours an error that names its own category', () => {
    const err = Object.assign(new Error('partial page'), { category: 'degraded' });
    expect(classify(err).category).toBe('degraded');
    expect(classify(Object.assign(new Error('x'), { category: 'bogus' })).category).toBe(
      'recoverable',
    );
  });

  it('lets user rules override the defaults, first match wins', () => {
    const custom = createClassifier([
      { match: (e) => e instanceof HttpStatusError && e.status === 404, category: 'degraded' },
      { match: (e) => e instanceof Error && /quota/.test(e.message), category: 'rate_limited' },
    ]);
    expect(custom(new HttpStatusError(404)).category).toBe('degraded');
    expect(custom(new Error('quota exceeded')).category).toBe('rate_limited');
    expect(custom(new HttpStatusError(403)).category).toBe('non_recoverable');
  });
});
