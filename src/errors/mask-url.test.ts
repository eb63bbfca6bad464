import { describe, expect, it } from 'vitest';
import { maskUrl } from './mask-url.js';

describe('maskUrl', () => {
  it('masks the password and keeps the user', () => {
    expect(maskUrl('https://user:s3cret@host.example/a?b=1')).toBe(
      'https://user:***@host.example/a?b=1',
    );
  });

  it('masks a username given alone (a token)', () => {
    expect(maskUrl('https://ghp_abc123@github.com/x')).toBe('https://***@github.com/x');
  });

  it('masks credential-looking query parameters and leaves the others', () => {
    expect(maskUrl('https://api.example/v1?q=cats&api_key=K1&access_token=T&sig=zz')).toBe(
      'https://api.example/v1?q=cats&api_key=***&access_token=***&sig=***',
    );
  });

  it('leaves a URL without secrets as it is', () => {
    expect(maskUrl(new URL('http://127.0.0.1:8080/p?x=1'))).toBe('http://127.0.0.1:8080/p?x=1');
  });

  it('masks user:pass@ even in a string that does not parse', () => {
    expect(maskUrl('http://user:pw@[bad/x')).toBe('http://user:***@[bad/x');
    expect(maskUrl('not a url')).toBe('not a url');
  });
});
