import { describe, expect, it } from 'vitest';
import { classify } from './classify.js';
import {
  HttpRequestError,
  httpRequestReasons,
  isHttpRequestError,
  type HttpRequestReason,
} from './http-request-error.js';
import { HttpStatusError } from './http-status-error.js';
import { HttpTimeoutError, isHttpTimeoutError } from './http-timeout-error.js';

const secretUrl = 'https://user:hunter2@host.example/path';

describe('HttpRequestError', () => {
  it.each([
    ['network', 'recoverable'],
    ['truncated_body', 'recoverable'],
    ['invalid_url', 'non_recoverable'],
    ['unsupported_scheme', 'non_recoverable'],
    ['redirect_loop', 'non_recoverable'],
    ['too_many_redirects', 'non_recoverable'],
    ['body_too_large', 'non_recoverable'],
    ['content_type_mismatch', 'non_recoverable'],
    ['invalid_json', 'non_recoverable'],
  ] as const)('classifies reason %s as %s', (reason: HttpRequestReason, category) => {
    const error = new HttpRequestError(reason, 'x', secretUrl);
    expect(error.category).toBe(category);
    expect(classify(error)).toMatchObject({ category, code: 'SLUICE_HTTP_REQUEST' });
  });

  it('covers every reason in the table above', () => {
    expect(httpRequestReasons).toHaveLength(9);
  });

  it('names the method and the masked URL, never the password', () => {
    const error = new HttpRequestError('network', 'socket hang up', secretUrl, 'POST');
    expect(error.message).toBe('network: socket hang up (POST https://user:***@host.example/path)');
    expect(error.url).toBe('https://user:***@host.example/path');
    expect(JSON.stringify(error)).not.toContain('hunter2');
    expect(isHttpRequestError(error)).toBe(true);
    expect(isHttpRequestError(new Error('x'))).toBe(false);
  });

  it('names the redirect chain, masked', () => {
    const error = new HttpRequestError('redirect_loop', 'back to a visited URL', secretUrl, 'GET', {
      chain: [secretUrl, 'https://a:b@other.example/'],
    });
    expect(error.chain).toEqual([
      'https://user:***@host.example/path',
      'https://a:***@other.example/',
    ]);
    expect(error.message).toContain(
      'chain: https://user:***@host.example/path -> https://a:***@other.example/',
    );
    expect(error.message).not.toMatch(/hunter2|:b@/);
  });

  it('keeps the network cause so its code is classified', () => {
    const cause = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const error = new HttpRequestError('network', cause.message, secretUrl, 'GET', { cause });
    expect(error.cause).toBe(cause);
  });
});

describe('HttpTimeoutError', () => {
  it.each(['connect', 'headers', 'body'] as const)(
    'is recoverable and names phase %s and the masked URL',
    (phase) => {
      const error = new HttpTimeoutError(phase, 50, secretUrl);
      expect(error.message).toBe(
        `${phase} timeout: nothing within 50 ms (GET https://user:***@host.example/path)`,
      );
      expect(classify(error)).toMatchObject({
        category: 'recoverable',
        code: 'SLUICE_HTTP_TIMEOUT',
      });
      expect(isHttpTimeoutError(error)).toBe(true);
    },
  );
});

describe('HttpStatusError', () => {
  it('masks the URL it names and stores', () => {
    const error = new HttpStatusError(503, undefined, secretUrl, { method: 'GET' });
    expect(error.message).toBe('HTTP 503 from GET https://user:***@host.example/path');
    expect(error.url).toBe('https://user:***@host.example/path');
  });

  it('reads Retry-After as delta-seconds or an HTTP-date from when the response came', () => {
    expect(new HttpStatusError(429, '3').retryAfterMs).toBe(3000);
    const receivedAtMs = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    const dated = new HttpStatusError(503, 'Wed, 21 Oct 2026 07:28:05 GMT', undefined, {
      receivedAtMs,
    });
    expect(dated.retryAfterMs).toBe(5000);
    expect(classify(dated)).toMatchObject({ category: 'recoverable', retryAfterMs: 5000 });
    expect(new HttpStatusError(429, 'soon').retryAfterMs).toBeUndefined();
  });
});
