/**
 * Parses an HTTP Retry-After value (RFC 9110 10.2.3): delta-seconds ("120") or an HTTP-date
 * ("Wed, 21 Oct 2026 07:28:00 GMT"). Returns the delay in milliseconds from `nowMs` (never
 * negative), or undefined for anything else, so garbage from a server is ignored, not obeyed.
 */
export function parseRetryAfter(value: unknown, nowMs: number = Date.now()): number | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // Only the three date forms HTTP allows; Date.parse alone would accept "1" or "2026".
  const asctime = httpDateForms.asctime.test(text);
  if (!asctime && !httpDateForms.imf.test(text) && !httpDateForms.rfc850.test(text)) {
    return undefined;
  }
  // asctime carries no zone but means GMT; without the suffix it would parse as local time.
  const at = Date.parse(asctime ? `${text} GMT` : text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

const httpDateForms = {
  imf: /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  rfc850: /^[A-Z][a-z]+day, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  asctime: /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
} as const;
