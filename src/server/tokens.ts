/**
 * Why: operators hand out more than one credential: a read-only token for the dashboard on the
 * office screen, an admin token for the on-call engineer, one per script. Each token has a name
 * (what the log records when it acts: never the secret) and a scope. They come from code, or as
 * text from `SLUICE_API_TOKENS`: `name:scope:secret` entries separated by commas or new lines,
 * or `@/path/to/file` holding such lines (`#` starts a comment).
 */
import { readFileSync } from 'node:fs';
import { InvalidConfigError } from '../errors/index.js';

export const tokenScopes = ['read', 'admin'] as const;
export type TokenScope = (typeof tokenScopes)[number];

export interface ApiToken {
  /** Recorded in the log line of every admin action the token takes. */
  readonly name: string;
  /** `read`: every GET; `admin`: GET and every POST. */
  readonly scope: TokenScope;
  /** At least minTokenLength characters. Never logged, never answered. */
  readonly secret: string;
}

export const minTokenLength = 16;

const namePattern = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Parses `name:scope:secret` entries (comma or newline separated) or `@file` of such lines.
 * `field` names where the text came from in errors (e.g. `SLUICE_API_TOKENS`).
 */
export function parseTokenList(text: string, field = 'tokens'): ApiToken[] {
  const source = text.trim().startsWith('@') ? readTokenFile(text.trim().slice(1), field) : text;
  const entries = source
    .split(/[\n,]/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.length > 0);
  const tokens = entries.map((entry, index) => {
    const parts = entry.split(':');
    const [name, scope] = parts;
    const secret = parts.slice(2).join(':');
    const at = `${field}[${index}]`;
    if (parts.length < 3 || name === undefined || scope === undefined) {
      // The entry is not echoed: it may be a bare secret.
      throw new InvalidConfigError(
        at,
        'an entry "name:scope:secret" (scope read or admin)',
        '<hidden>',
      );
    }
    return { name, scope: scope as TokenScope, secret };
  });
  checkTokens(tokens, field);
  return tokens;
}

/** Refuses unnamed, unscoped, short or duplicate tokens, naming the entry but never the secret. */
export function checkTokens(tokens: readonly ApiToken[], field = 'tokens'): void {
  const names = new Set<string>();
  const secrets = new Set<string>();
  tokens.forEach((token, index) => {
    const at = `${field}[${index}]`;
    if (!namePattern.test(token.name)) {
      throw new InvalidConfigError(
        `${at}.name`,
        'letters, digits, "_", "." or "-" (1 to 64)',
        token.name,
      );
    }
    if (!(tokenScopes as readonly string[]).includes(token.scope)) {
      throw new InvalidConfigError(`${at}.scope`, 'one of "read", "admin"', token.scope);
    }
    if (typeof token.secret !== 'string' || token.secret.length < minTokenLength) {
      throw new InvalidConfigError(
        `${at}.secret`,
        `a secret of at least ${minTokenLength} characters`,
        `${typeof token.secret === 'string' ? token.secret.length : 0} characters`,
      );
    }
    if (names.has(token.name)) {
      throw new InvalidConfigError(`${at}.name`, 'a name no other token has', token.name);
    }
    if (secrets.has(token.secret)) {
      throw new InvalidConfigError(`${at}.secret`, 'a secret no other token has', '<hidden>');
    }
    names.add(token.name);
    secrets.add(token.secret);
  });
}

function readTokenFile(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InvalidConfigError(field, `a readable token file (${reason})`, `@${path}`);
  }
}
