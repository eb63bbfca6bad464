/**
 * The options of one request, checked before anything is sent (a bad one is an
 * InvalidConfigError naming `http request.<option>`), and merged with the client's defaults.
 */
import { InvalidConfigError } from '../errors/index.js';
import { headersOption, integerOption, type ResolvedHttpOptions } from './options.js';
import type { ExchangeLimits } from './exchange.js';

export interface ConditionalRequest {
  /** The entity tag of the copy you hold: sent as If-None-Match. */
  readonly etag?: string;
  /** The Last-Modified of the copy you hold: sent as If-Modified-Since. */
  readonly lastModified?: string;
}

export interface HttpRequestOptions {
  /** Default GET (for `post`, POST). */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The request body. */
  readonly body?: string | Uint8Array;
  /** A body to send as JSON (sets content-type: application/json); not with `body`. */
  readonly json?: unknown;
  /** Aborts the request (and a streaming body) when it fires; default the bound signal. */
  readonly signal?: AbortSignal;
  /** Media types accepted (`image/*` allowed); anything else is content_type_mismatch. */
  readonly expectContentType?: string | readonly string[];
  /** Revalidate a copy you hold: a 304 answer comes back as `notModified: true`. */
  readonly conditional?: ConditionalRequest;
  /** `follow` (default) up to maxRedirects; `manual` returns a 3xx as it is. */
  readonly redirect?: 'follow' | 'manual';
  readonly maxRedirects?: number;
  readonly maxResponseBytes?: number;
  readonly connectTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
  readonly bodyTimeoutMs?: number;
}

/** A request ready to send: everything checked, defaults applied. */
export interface PreparedRequest {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array | undefined;
  readonly signal: AbortSignal | undefined;
  readonly expectContentType: readonly string[] | undefined;
  readonly conditional: boolean;
  readonly redirect: 'follow' | 'manual';
  readonly maxRedirects: number;
  readonly limits: ExchangeLimits;
}

const keys = [
  'method',
  'headers',
  'body',
  'json',
  'signal',
  'expectContentType',
  'conditional',
  'redirect',
  'maxRedirects',
  'maxResponseBytes',
  'connectTimeoutMs',
  'headersTimeoutMs',
  'bodyTimeoutMs',
] as const;

const field = 'http request';
const token = /^[!#$%&'*+.^_`|~\dA-Za-z-]+$/;
const maxTimerMs = 2_147_483_647;

export function prepareRequest(
  options: HttpRequestOptions | undefined,
  defaults: ResolvedHttpOptions,
  defaultMethod: string,
  boundSignal: AbortSignal | undefined,
): PreparedRequest {
  const o = (options ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    throw new InvalidConfigError(field, 'an options object', options);
  }
  for (const key of Object.keys(o)) {
    if (!(keys as readonly string[]).includes(key)) {
      throw new InvalidConfigError(
        `${field}.${key}`,
        `a known option (${keys.join(', ')})`,
        o[key],
      );
    }
  }
  const method = o.method === undefined ? defaultMethod : o.method;
  if (typeof method !== 'string' || !token.test(method)) {
    throw new InvalidConfigError(`${field}.method`, 'an HTTP method (GET, POST, ...)', method);
  }
  const headers: Record<string, string> = {
    ...headersOption(`${field}.headers`, o.headers, defaults.headers),
  };
  let body: string | Uint8Array | undefined;
  if (o.body !== undefined) {
    if (typeof o.body !== 'string' && !(o.body instanceof Uint8Array)) {
      throw new InvalidConfigError(`${field}.body`, 'a string or a Uint8Array', o.body);
    }
    if (o.json !== undefined) {
      throw new InvalidConfigError(`${field}.json`, 'absent when body is given', o.json);
    }
    body = o.body;
  } else if (o.json !== undefined) {
    try {
      body = JSON.stringify(o.json);
    } catch (error) {
      throw new InvalidConfigError(`${field}.json`, 'a JSON-serialisable value', o.json, {
        cause: error,
      });
    }
    if (body === undefined) {
      throw new InvalidConfigError(`${field}.json`, 'a JSON-serialisable value', o.json);
    }
    headers['content-type'] ??= 'application/json';
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new InvalidConfigError(`${field}.signal`, 'an AbortSignal', o.signal);
  }
  const expectContentType = contentTypes(o.expectContentType);
  let conditional = false;
  if (o.conditional !== undefined) {
    const c = o.conditional as Record<string, unknown> | null;
    if (typeof c !== 'object' || c === null) {
      throw new InvalidConfigError(`${field}.conditional`, '{ etag?, lastModified? }', c);
    }
    for (const [key, header] of [
      ['etag', 'if-none-match'],
      ['lastModified', 'if-modified-since'],
    ] as const) {
      const value = c[key];
      if (value === undefined) continue;
      if (typeof value !== 'string' || value === '' || /[\r\n\0]/.test(value)) {
        throw new InvalidConfigError(
          `${field}.conditional.${key}`,
          'a non-empty header value',
          value,
        );
      }
      headers[header] = value;
      conditional = true;
    }
  }
  const redirect = o.redirect ?? 'follow';
  if (redirect !== 'follow' && redirect !== 'manual') {
    throw new InvalidConfigError(`${field}.redirect`, '"follow" or "manual"', redirect);
  }
  const int = (key: (typeof keys)[number], fallback: number, min: number, max: number): number =>
    integerOption(`${field}.${key}`, o[key], fallback, min, max);
  return {
    method: method.toUpperCase(),
    headers,
    body,
    signal: o.signal ?? boundSignal,
    expectContentType,
    conditional,
    redirect,
    maxRedirects: int('maxRedirects', defaults.maxRedirects, 0, 100),
    limits: {
      maxResponseBytes: int(
        'maxResponseBytes',
        defaults.maxResponseBytes,
        0,
        Number.MAX_SAFE_INTEGER,
      ),
      connectTimeoutMs: int('connectTimeoutMs', defaults.connectTimeoutMs, 1, maxTimerMs),
      headersTimeoutMs: int('headersTimeoutMs', defaults.headersTimeoutMs, 1, maxTimerMs),
      bodyTimeoutMs: int('bodyTimeoutMs', defaults.bodyTimeoutMs, 1, maxTimerMs),
    },
  };
}

function contentTypes(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  const mediaType = /^[\w.+*-]+\/[\w.+*-]+$/;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((t): t is string => typeof t === 'string' && mediaType.test(t))
  ) {
    throw new InvalidConfigError(
      `${field}.expectContentType`,
      'a media type like "application/json" or "image/*", or a non-empty list of them',
      value,
    );
  }
  return list.map((t) => t.toLowerCase());
}
