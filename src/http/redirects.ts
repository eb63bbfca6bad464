import { HttpRequestError } from '../errors/index.js';
import { parseRequestUrl } from './request-url.js';

const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export function isRedirect(status: number): boolean {
  return redirectStatuses.has(status);
}

/** Where the next hop goes and how. */
export interface RedirectHop {
  readonly url: URL;
  readonly method: string;
  /** False when the body must be dropped (303, or 301/302 after a POST, as browsers do). */
  readonly keepBody: boolean;
  /** False when the hop leaves the origin: credentials are not sent on. */
  readonly sameOrigin: boolean;
}

/**
 * The next hop of a redirect from `current` (the URLs followed so far in `chain`, the first
 * request first), or an HttpRequestError: the Location is not a requestable URL
 * (invalid_url, unsupported_scheme), it comes back to a URL already visited (redirect_loop),
 * or it would be redirect number `maxRedirects + 1` (too_many_redirects). Each names the
 * chain, masked.
 */
export function nextHop(
  status: number,
  location: string,
  current: URL,
  method: string,
  chain: readonly URL[],
  maxRedirects: number,
): RedirectHop {
  const url = parseRequestUrl(location, method, current);
  const visited = [...chain, current];
  const hrefs = [...visited, url].map((u) => u.href);
  if (visited.some((u) => u.href === url.href)) {
    throw new HttpRequestError(
      'redirect_loop',
      `${status} redirect back to a URL already visited`,
      visited[0]!,
      method,
      { chain: hrefs },
    );
  }
  if (visited.length > maxRedirects) {
    throw new HttpRequestError(
      'too_many_redirects',
      `more than ${maxRedirects} redirects`,
      visited[0]!,
      method,
      { chain: hrefs },
    );
  }
  const toGet =
    status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST';
  return {
    url,
    method: toGet ? 'GET' : method,
    keepBody: !toGet,
    sameOrigin: url.origin === current.origin,
  };
}
