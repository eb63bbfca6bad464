import type { FailureCategory } from './failure-category.js';
import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.cache');

/**
 * What went wrong in the artifact cache, each with its own stable code
 * (`SLUICE_CACHE_<PROBLEM>`) and the category the classifier gives it:
 * - not_writable: the cache directory cannot be created or written (a path under a file, a
 *   read-only mount, permissions); retrying cannot help: non_recoverable;
 * - disk_full: the volume (or quota) ran out of space mid-write; cleanup may free some:
 *   recoverable;
 * - corrupt: a stored file is missing, of the wrong size or hash; the entry is dropped and the
 *   artifact can be fetched again: recoverable;
 * - too_large: one artifact is bigger than the whole cache's size cap: non_recoverable;
 * - write_failed: the body being stored failed (its stream errored) or an I/O error other than
 *   the above: recoverable;
 * - closed: the cache was used after close(): a shutdown-ordering bug: non_recoverable.
 */
export type CacheProblem =
  'not_writable' | 'disk_full' | 'corrupt' | 'too_large' | 'write_failed' | 'closed';

export type CacheErrorCode = `SLUICE_CACHE_${Uppercase<CacheProblem>}`;

const categories: Readonly<Record<CacheProblem, FailureCategory>> = Object.freeze({
  not_writable: 'non_recoverable',
  disk_full: 'recoverable',
  corrupt: 'recoverable',
  too_large: 'non_recoverable',
  write_failed: 'recoverable',
  closed: 'non_recoverable',
});

export interface CacheErrorDetails {
  /** What happened, in words, e.g. `no space left on the volume after 2.0 MB`. */
  readonly detail: string;
  /** The artifact's URL, if the failure concerns one; masked before it reaches the message. */
  readonly url?: string;
  /** The file or directory involved. */
  readonly path?: string;
}

/**
 * A failure of the artifact cache. The message names the URL (credentials masked) and the path,
 * e.g. `cache disk full: no space left on device (url https://***:***@cdn.example/a.png, path
 * /var/cache/sluice/.tmp/123-ab.tmp)`. Carries its `category`, which the classifier honours.
 */
export class CacheError extends SluiceError {
  readonly code: CacheErrorCode;
  readonly category: FailureCategory;
  readonly url: string | undefined;
  readonly path: string | undefined;
  readonly [marker] = true;

  constructor(
    readonly problem: CacheProblem,
    details: CacheErrorDetails,
    options?: ErrorOptions,
  ) {
    const url = details.url === undefined ? undefined : maskUrlCredentials(details.url);
    const where = [
      url === undefined ? undefined : `url ${url}`,
      details.path === undefined ? undefined : `path ${details.path}`,
    ].filter((part) => part !== undefined);
    super(
      `cache ${problem.replace('_', ' ')}: ${details.detail}${where.length > 0 ? ` (${where.join(', ')})` : ''}`,
      options,
    );
    this.code = `SLUICE_CACHE_${problem.toUpperCase() as Uppercase<CacheProblem>}`;
    this.category = categories[problem];
    this.url = url;
    this.path = details.path;
  }
}

export function isCacheError(value: unknown): value is CacheError {
  return typeof value === 'object' && value !== null && marker in value;
}

const SECRET_PARAM = /(?:key|token|secret|password|passwd|signature|sig|auth|credential)s?$/i;
const USERINFO = /^([a-z][a-z\d+.-]*:\/\/)([^/?#@]*)@/i;

/**
 * A URL as it may be shown in messages and logs and stored for display: the user and password
 * become `***`, and so do the values of query parameters named like secrets (`api_key`,
 * `access_token`, `X-Amz-Signature`, ...). A string that is not a URL gets the same treatment
 * textually, so nothing slips through because it failed to parse.
 */
export function maskUrlCredentials(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url
      .replace(USERINFO, (_all, scheme: string, info: string) => `${scheme}${maskInfo(info)}@`)
      .replace(/([?&;])([^=&#;]*)=([^&#;]*)/g, (all, sep: string, name: string) =>
        SECRET_PARAM.test(name) ? `${sep}${name}=***` : all,
      );
  }
  if (parsed.username !== '') parsed.username = '***';
  if (parsed.password !== '') parsed.password = '***';
  if (parsed.search !== '') {
    // Rebuilt by hand: URLSearchParams would re-encode every other parameter too.
    parsed.search = parsed.search
      .slice(1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const name = decodeSafely(eq < 0 ? pair : pair.slice(0, eq));
        return eq >= 0 && SECRET_PARAM.test(name) ? `${pair.slice(0, eq)}=***` : pair;
      })
      .join('&');
  }
  return parsed.href;
}

function maskInfo(info: string): string {
  return info.includes(':') ? '***:***' : '***';
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
