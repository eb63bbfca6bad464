import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.js';

const now = Date.parse('2026-11-23T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(3, now)).toBe(3000);
  });

  it('reads the three HTTP-date forms relative to now, never negative', () => {
    expect(parseRetryAfter('Mon, 23 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Monday, 23-Nov-26 12:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Mon Nov 23 12:00:05 2026', now)).toBe(5_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores garbage', () => {
    for (const garbage of ['', 'soon', '-5', '1.5', 'tomorrow', '12abc', 'NaN', '1e3']) {
      expect(parseRetryAfter(garbage, now)).toBeUndefined();
    }
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(-1, now)).toBeUndefined();
    expect(parseRetryAfter(Number.POSITIVE_INFINITY, now)).toBeUndefined();
    expect(parseRetryAfter('99999999999999999999', now)).toBeUndefined();
  });
});
