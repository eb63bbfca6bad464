/**
 * Why: logs are read by more people than secrets should be. Handlers log requests, errors carry
 * URLs, and an API key in a query string (`?key=...`) lands in a log aggregator forever. This is
 * the redaction the logger applies to everything it writes:
 *
 * - values under secret-looking keys, at any depth and in any case: authorization, cookie,
 *   set-cookie, x-api-key, and any key ending in token, secret, password, passwd, apikey
 *   (`-` and `_` ignored: api_key, accessToken, client-secret);
 * - secrets inside strings: query parameters whose name ends in key, token, secret, password,
 *   passwd, signature or sig (`key=`, `api_key=`, `access_token=`), and URL userinfo passwords.
 *
 * Copy-on-write: objects without secrets are returned as they are (no allocation). Error objects
 * are left to the err serializer, which redacts its output with the same function.
 */

export const REDACTED = '[REDACTED]';

const SECRET_KEY_SUFFIXES = ['token', 'secret', 'password', 'passwd', 'apikey', 'privatekey'];
const SECRET_KEYS = new Set(['authorization', 'proxyauthorization', 'cookie', 'setcookie']);
const MAX_DEPTH = 8;

/** True for keys whose values are secrets (case, `-` and `_` ignored). */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  return SECRET_KEYS.has(k) || SECRET_KEY_SUFFIXES.some((s) => k.endsWith(s));
}

const QUERY_SECRET =
  /([?&;][\w.-]*?(?:key|token|secret|password|passwd|signature|sig)=)[^&#\s"'<>]*/gi;
const USERINFO_PASSWORD = /(\b[a-z][a-z\d+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#@]*@/gi;

/** Replaces secret query parameter values and URL passwords in a string. */
export function redactString(value: string): string {
  if (!value.includes('=') && !value.includes('@')) return value;
  return value.replace(QUERY_SECRET, `$1${REDACTED}`).replace(USERINFO_PASSWORD, `$1${REDACTED}@`);
}

/** Returns `value` with every secret replaced; the same reference when nothing needed it. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (value instanceof URL) return redactString(value.href);
  if (Array.isArray(value)) {
    const array = value as unknown[];
    let copy: unknown[] | undefined;
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      const next = redactDeep(item, depth + 1);
      if (next !== item) {
        copy ??= [...array];
        copy[i] = next;
      }
    }
    return copy ?? array;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Error, Date, Buffer, class instances
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const next =
      isSecretKey(key) && item !== undefined && item !== null
        ? REDACTED
        : redactDeep(item, depth + 1);
    if (next !== item) {
      copy ??= { ...record };
      copy[key] = next;
    }
  }
  return copy ?? value;
}

/**
 * Paths for pino's own `redact` option. They catch secrets in what serializers produce (the
 * formatter above runs before serializers), e.g. fastify's `req`/`res` serializers' headers.
 */
export const redactPaths: readonly string[] = Object.freeze(
  ['req', 'res', 'request', 'response'].flatMap((at) =>
    ['authorization', 'cookie', 'set-cookie', 'x-api-key', 'proxy-authorization'].map(
      (h) => `${at}.headers["${h}"]`,
    ),
  ),
);
