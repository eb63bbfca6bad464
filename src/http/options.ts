/**
 * The options of an HTTP client (one per service), their documented defaults and the checks
 * that refuse a bad value at load with an InvalidConfigError naming `<field>.<option>`, the
 * expected value and what was given. Resolved options are frozen.
 */
import { InvalidConfigError } from '../errors/index.js';

export interface HttpOptions {
  /** Connections kept per origin (scheme, host and port). Default 10. */
  readonly connections?: number;
  /** How long an idle pooled connection stays open (ms). Default 4000. */
  readonly keepAliveTimeoutMs?: number;
  /** Time to get a connection, a free pooled one included (ms). Default 10 000. */
  readonly connectTimeoutMs?: number;
  /** Time from sending the request to the response headers (ms). Default 30 000. */
  readonly headersTimeoutMs?: number;
  /** Longest silence between two body chunks (ms). Default 30 000. */
  readonly bodyTimeoutMs?: number;
  /** Largest response body, declared or counted while streaming (bytes). Default 50 MiB. */
  readonly maxResponseBytes?: number;
  /** Redirects followed before giving up with too_many_redirects. Default 5. */
  readonly maxRedirects?: number;
  /** Headers sent with every request (a request's own win). Default a sluice user-agent. */
  readonly headers?: Readonly<Record<string, string>>;
}

export type ResolvedHttpOptions = Required<HttpOptions>;

const maxTimerMs = 2_147_483_647;

export const httpDefaults: ResolvedHttpOptions = Object.freeze({
  connections: 10,
  keepAliveTimeoutMs: 4_000,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  maxResponseBytes: 50 * 1024 * 1024,
  maxRedirects: 5,
  headers: Object.freeze({ 'user-agent': 'sluice' }),
});

const keys = Object.keys(httpDefaults) as (keyof HttpOptions)[];

/** Checks `options` (under the name `field`) and fills in the defaults. */
export function resolveHttpOptions(options: unknown, field = 'http'): ResolvedHttpOptions {
  if (options === undefined) return httpDefaults;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidConfigError(field, 'an options object', options);
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(keys as string[]).includes(key)) {
      throw new InvalidConfigError(
        `${field}.${key}`,
        `a known option (${keys.join(', ')})`,
        o[key],
      );
    }
  }
  const int = (key: keyof HttpOptions, min: number, max: number): number =>
    integerOption(`${field}.${key}`, o[key], httpDefaults[key] as number, min, max);
  return Object.freeze({
    connections: int('connections', 1, 10_000),
    keepAliveTimeoutMs: int('keepAliveTimeoutMs', 1, maxTimerMs),
    connectTimeoutMs: int('connectTimeoutMs', 1, maxTimerMs),
    headersTimeoutMs: int('headersTimeoutMs', 1, maxTimerMs),
    bodyTimeoutMs: int('bodyTimeoutMs', 1, maxTimerMs),
    maxResponseBytes: int('maxResponseBytes', 0, Number.MAX_SAFE_INTEGER),
    maxRedirects: int('maxRedirects', 0, 100),
    headers: headersOption(`${field}.headers`, o.headers, httpDefaults.headers),
  });
}

/** An integer in [min, max], or `fallback` when absent. */
export function integerOption(
  field: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidConfigError(field, `an integer in [${min}, ${max}]`, value);
  }
  return value;
}

/** A record of header names to string values, names lower-cased, merged over `base`. */
export function headersOption(
  field: string,
  value: unknown,
  base: Readonly<Record<string, string>> = {},
): Readonly<Record<string, string>> {
  if (value === undefined) return base;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidConfigError(field, 'a record of header names to strings', value);
  }
  const out: Record<string, string> = { ...base };
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (!/^[!#$%&'*+.^_`|~\dA-Za-z-]+$/.test(name)) {
      throw new InvalidConfigError(`${field} name`, 'an HTTP header name (a token)', name);
    }
    if (typeof v !== 'string' || /[\r\n\0]/.test(v)) {
      throw new InvalidConfigError(`${field}.${name}`, 'a string without CR, LF or NUL', v);
    }
    out[name.toLowerCase()] = v;
  }
  return Object.freeze(out);
}
