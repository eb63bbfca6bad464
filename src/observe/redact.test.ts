import { describe, expect, it } from 'vitest';
import { REDACTED, isSecretKey, redactDeep, redactString } from './redact.js';

describe('isSecretKey', () => {
  it.each([
    'authorization',
    'Authorization',
    'cookie',
    'Set-Cookie',
    'x-api-key',
    'X-API-Key',
    'token',
    'accessToken',
    'refresh_token',
    'apiKey',
    'api_key',
    'password',
    'dbPassword',
    'secret',
    'client_secret',
  ])('%s is secret', (key) => expect(isSecretKey(key)).toBe(true));

  it.each(['tokens', 'maxTokens', 'item_id', 'stage', 'keyword', 'url', 'attempt'])(
    '%s is not',
    (key) => expect(isSecretKey(key)).toBe(false),
  );
});

describe('redactString', () => {
  it.each([
    ['https://api.x/v1?key=AIza123&q=cats', `https://api.x/v1?key=${REDACTED}&q=cats`],
    ['https://x/?q=1&api_key=abc#frag', `https://x/?q=1&api_key=${REDACTED}#frag`],
    ['GET /cb?access_token=t0k&state=2', `GET /cb?access_token=${REDACTED}&state=2`],
    ['https://x/?token=abc', `https://x/?token=${REDACTED}`],
    ['https://s3/obj?X-Amz-Signature=deadbeef', `https://s3/obj?X-Amz-Signature=${REDACTED}`],
    ['postgres://app:hunter2@db:5432/x', `postgres://app:${REDACTED}@db:5432/x`],
    ['fetch https://a/?page=2 failed', 'fetch https://a/?page=2 failed'],
    ['no secrets here', 'no secrets here'],
  ])('%s', (input, expected) => expect(redactString(input)).toBe(expected));
});

describe('redactDeep', () => {
  it('redacts nested keys and URL strings without touching the input', () => {
    const input = {
      request: {
        url: 'https://x/?key=k1',
        headers: { Authorization: 'Bearer abc', accept: 'json', 'x-api-key': 'k2' },
      },
      list: [{ password: 'p' }, 'https://y/?token=t'],
      tokens: 1200,
      nothing: null,
    };
    const snapshot = structuredClone(input);
    expect(redactDeep(input)).toEqual({
      request: {
        url: `https://x/?key=${REDACTED}`,
        headers: { Authorization: REDACTED, accept: 'json', 'x-api-key': REDACTED },
      },
      list: [{ password: REDACTED }, `https://y/?token=${REDACTED}`],
      tokens: 1200,
      nothing: null,
    });
    expect(input).toEqual(snapshot);
  });

  it('returns the same reference when there is nothing to redact', () => {
    const input = { a: { b: ['c', 1] }, url: 'https://x/?page=1' };
    expect(redactDeep(input)).toBe(input);
  });

  it('turns URL objects into redacted strings and leaves other class instances alone', () => {
    const error = new Error('x');
    expect(redactDeep({ u: new URL('https://x/?api_key=1'), error })).toEqual({
      u: `https://x/?api_key=${REDACTED}`,
      error,
    });
  });
});
