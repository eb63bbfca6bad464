/**
 * Media-type checks for `expectContentType`: the response's Content-Type, parameters dropped
 * and case folded, must equal one of the expected types, where `type/*` matches any subtype and
 * `+json` style suffixes are matched only when written out (`application/*+json`).
 */
export function mediaType(header: string | readonly string[] | undefined): string | undefined {
  const value = typeof header === 'string' ? header : header?.[0];
  if (value === undefined) return undefined;
  const type = value.split(';', 1)[0]!.trim().toLowerCase();
  return type === '' ? undefined : type;
}

export function mediaTypeMatches(actual: string | undefined, expected: readonly string[]): boolean {
  if (actual === undefined) return false;
  for (const pattern of expected) {
    const p = pattern.toLowerCase();
    if (p === actual) return true;
    const star = p.indexOf('*');
    if (star >= 0) {
      const prefix = p.slice(0, star);
      const suffix = p.slice(star + 1);
      if (
        actual.length >= prefix.length + suffix.length &&
        actual.startsWith(prefix) &&
        actual.endsWith(suffix)
      ) {
        return true;
      }
    }
  }
  return false;
}
