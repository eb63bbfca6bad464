import { describe, expect, it } from 'vitest';
import {
  boundedText,
  maxErrorLength,
  pageLimit,
  requireDuration,
  requireId,
  requireTime,
} from './validate.js';
import { encodeCursor, isStringPair, normalizePage } from './input/filters.js';

describe('argument checks', () => {
  it('floors fractional times and rounds durations instead of failing a batch', () => {
    expect(requireTime(1_000.9, 'now')).toBe(1_000);
    expect(requireDuration(12.5, 'delayMs')).toBe(13);
    expect(() => requireTime(-1, 'now')).toThrow(
      'now must be milliseconds since the epoch (>= 0), got -1',
    );
    expect(() => requireTime(9e15, 'now')).toThrow(/now must be/);
    expect(() => requireDuration(Infinity, 'delayMs')).toThrow(/delayMs must be a duration/);
  });

  it('bounds ids and error texts', () => {
    expect(() => requireId('x'.repeat(4097), 'id')).toThrow(
      /id must be a non-empty string of at most 4096 characters/,
    );
    const long = boundedText('e'.repeat(maxErrorLength * 2), 'error');
    expect(long.length).toBe(maxErrorLength);
    expect(long.endsWith('… (truncated)')).toBe(true);
    expect(boundedText('short', 'error')).toBe('short');
  });

  it('defaults and bounds page sizes, and round-trips cursors', () => {
    expect(pageLimit(undefined, 'page.limit')).toBe(100);
    expect(() => pageLimit(1.5, 'page.limit')).toThrow(
      /page.limit must be an integer in \[1, 1000\]/,
    );
    const cursor = encodeCursor(['stage', 'id']);
    expect(normalizePage({ after: cursor }, isStringPair)).toEqual({
      limit: 100,
      after: ['stage', 'id'],
    });
    expect(() => normalizePage({ after: encodeCursor([1, 2]) }, isStringPair)).toThrow(
      /page.after must be the `next` cursor of a previous page/,
    );
    expect(() => normalizePage('x', isStringPair)).toThrow(/page must be an object/);
  });
});
