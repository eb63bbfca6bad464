import { HttpRequestError } from '../errors/index.js';

/** The schemes the client speaks; anything else (ftp:, file:, data:) is refused. */
export const supportedSchemes: readonly string[] = Object.freeze(['http:', 'https:']);

/**
 * Parses a request URL (relative ones against `base`), refusing what cannot be requested with
 * an HttpRequestError naming the URL, masked: `invalid_url` for text that is not a URL,
 * `unsupported_scheme` for a scheme other than http: and https:.
 */
export function parseRequestUrl(input: string | URL, method: string, base?: string | URL): URL {
  let url: URL;
  try {
    url = typeof input === 'string' ? new URL(input, base) : new URL(input.href);
  } catch (error) {
    throw new HttpRequestError(
      'invalid_url',
      'not an absolute http(s) URL',
      typeof input === 'string' ? input : String(input),
      method,
      { cause: error },
    );
  }
  if (!supportedSchemes.includes(url.protocol)) {
    throw new HttpRequestError(
      'unsupported_scheme',
      `scheme ${url.protocol} is not one of ${supportedSchemes.join(', ')}`,
      url,
      method,
    );
  }
  if (url.hostname === '') {
    throw new HttpRequestError('invalid_url', 'the URL has no host', url, method);
  }
  return url;
}
