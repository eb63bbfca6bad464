import { describe, expect, it } from 'vitest';
import { CacheError, isCacheError, maskUrlCredentials } from './cache-error.js';
import { classify } from './classify.js';
import { isSluiceError } from './sluice-error.js';

describe('CacheError', () => {
  it('has a stable code per problem, names the masked URL and the path, and is categorized', () => {
    const error = new CacheError(
      'disk_full',
      {
        detail: 'no space left on the volume after 2.0 MB',
        url: 'https://alice:s3cret@cdn.example/a.png?api_key=k123&w=10',
        path: '/cache/.tmp/1-ab.tmp',
      },
      { cause: Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }) },
    );
    expect(error.code).toBe('SLUICE_CACHE_DISK_FULL');
    expect(error.message).toBe(
      'cache disk full: no space left on the volume after 2.0 MB (url https://***:***@cdn.example/a.png?api_key=***&w=10, path /cache/.tmp/1-ab.tmp)',
    );
    expect(error.message).not.toContain('s3cret');
    expect(error.message).not.toContain('k123');
    expect(error.url).toBe('https://***:***@cdn.example/a.png?api_key=***&w=10');
    expect(isCacheError(error) && isSluiceError(error)).toBe(true);
    expect(classify(error)).toMatchObject({
      category: 'recoverable',
      code: 'SLUICE_CACHE_DISK_FULL',
    });
  });

  it.each([
    ['not_writable', 'SLUICE_CACHE_NOT_WRITABLE', 'non_recoverable'],
    ['disk_full', 'SLUICE_CACHE_DISK_FULL', 'recoverable'],
    ['corrupt', 'SLUICE_CACHE_CORRUPT', 'recoverable'],
    ['too_large', 'SLUICE_CACHE_TOO_LARGE', 'non_recoverable'],
    ['write_failed', 'SLUICE_CACHE_WRITE_FAILED', 'recoverable'],
    ['closed', 'SLUICE_CACHE_CLOSED', 'non_recoverable'],
  ] as const)('%s is %s, %s', (problem, code, category) => {
    const error = new CacheError(problem, { detail: 'x', path: '/c' });
    expect(error.code).toBe(code);
    expect(classify(error).category).toBe(category);
    expect(error.message).toBe(`cache ${problem.replace('_', ' ')}: x (path /c)`);
  });

  it('is not confused with other errors', () => {
    expect(isCacheError(new Error('x'))).toBe(false);
    expect(isCacheError(null)).toBe(false);
  });
});

describe('maskUrlCredentials', () => {
  it.each([
    ['https://cdn.example/a.png', 'https://cdn.example/a.png'],
    ['https://tok@github.example/x', 'https://***@github.example/x'],
    ['https://u:p@h.example:8443/p?q=1#f', 'https://***:***@h.example:8443/p?q=1#f'],
    [
      'https://h.example/?access_token=abc&X-Amz-Signature=def&sig=1&page=2',
      'https://h.example/?access_token=***&X-Amz-Signature=***&sig=***&page=2',
    ],
    ['https://h.example/?a=%20b&token', 'https://h.example/?a=%20b&token'],
    // Not parseable as a URL: masked textually all the same.
    ['http://u:p@[bad/x?apikey=1', 'http://***:***@[bad/x?apikey=***'],
    ['not a url', 'not a url'],
  ])('%s -> %s', (input, expected) => {
    expect(maskUrlCredentials(input)).toBe(expected);
  });
});
