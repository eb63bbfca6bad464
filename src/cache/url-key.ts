import { InvalidConfigError, maskUrlCredentials } from '../errors/index.js';
import { sha256Hex } from './layout.js';

/** The index key of a URL (sha256 of its normalised form) and its masked form for display. */
export function keyOf(url: string): { key: string; masked: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidConfigError(
      'url',
      'an absolute URL',
      typeof url === 'string' ? maskUrlCredentials(url) : url,
    );
  }
  return { key: sha256Hex(parsed.href), masked: maskUrlCredentials(parsed.href) };
}

export function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new InvalidConfigError(field, 'a string', value);
  return value;
}
