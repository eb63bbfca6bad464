/**
 * Why: URLs end up in error messages, logs, spans and dead letters, and users put secrets in
 * them (`https://user:token@host/`, `?api_key=...`). Every URL an error names goes through
 * `maskUrl` first: the password (or a username given alone, the usual shape of a token) becomes
 * `***`, and so do the values of query parameters whose names look like credentials.
 */
const secretParam = /token|key|secret|password|passwd|pwd|signature|^sig$|auth|credential/i;

export function maskUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : new URL(url.href);
  } catch {
    return maskUnparsed(String(url));
  }
  if (parsed.password !== '') parsed.password = '***';
  else if (parsed.username !== '') parsed.username = '***';
  if (parsed.search !== '') {
    let changed = false;
    const params = new URLSearchParams(parsed.search);
    for (const name of new Set(params.keys())) {
      if (secretParam.test(name)) {
        params.set(name, '***');
        changed = true;
      }
    }
    // URLSearchParams re-encodes every value; only rewrite when something was masked.
    if (changed) parsed.search = params.toString().replaceAll('%2A%2A%2A', '***');
  }
  return parsed.href;
}

/** A string that does not parse as a URL may still carry `user:pass@`: mask what looks like it. */
function maskUnparsed(text: string): string {
  return text.replace(/^([a-z][a-z\d+.-]*:\/\/)([^/@:\s]*):([^/@\s]*)@/i, '$1$2:***@');
}
