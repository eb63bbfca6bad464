import { InvalidConfigError } from '../errors/index.js';

/**
 * Argument checks shared by every backend, so that a bad call fails the same way everywhere:
 * with an InvalidConfigError naming the field and the expected value, before any write.
 */

/** Item, run and stage identifiers: non-empty strings of bounded length. */
export const maxIdLength = 4096;

/** Whether requireId accepts `value` (for hot paths that name the field only on refusal). */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxIdLength;
}

export function requireId(value: unknown, field: string): string {
  if (!isId(value)) {
    throw new InvalidConfigError(
      field,
      `a non-empty string of at most ${maxIdLength} characters`,
      value,
    );
  }
  return value;
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidConfigError(field, 'a string', value);
  return value;
}

export function optionalString(value: unknown, field: string): string | null {
  return value === undefined || value === null ? null : requireString(value, field);
}

export function requireInteger(
  value: unknown,
  field: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new InvalidConfigError(field, `an integer ${range}`, value);
  }
  return value;
}

/**
 * A point in time in milliseconds since the epoch, as every `now` the store is given. Stored as
 * an integer: fractions (a jittered backoff added to now) are floored rather than refused, so a
 * computed time can never fail a whole group commit.
 */
export function requireTime(value: unknown, field: string): number {
  if (!isTime(value)) {
    throw new InvalidConfigError(field, 'milliseconds since the epoch (>= 0)', value);
  }
  return Math.floor(value);
}

/** Whether requireTime (and requireDuration) accept `value`. */
export function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= maxTime;
}

const maxTime = 8.64e15; // the largest Date

/** A duration in milliseconds, >= 0; fractions are rounded. */
export function requireDuration(value: unknown, field: string): number {
  if (!isTime(value)) {
    throw new InvalidConfigError(field, 'a duration in milliseconds (>= 0)', value);
  }
  return Math.round(value);
}

export function requireOneOf<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidConfigError(field, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
  }
  return value as T;
}

export function requireArray<T>(value: unknown, field: string): readonly T[] {
  if (!Array.isArray(value)) throw new InvalidConfigError(field, 'an array', value);
  return value as readonly T[];
}

export function requireObject<T extends object>(value: unknown, field: string): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidConfigError(field, 'an object', value);
  }
  return value as T;
}

/** Error texts are kept, but bounded: a 2 MB stack trace in every retry row helps nobody. */
export const maxErrorLength = 8192;

const truncated = '… (truncated)';

export function boundedText(value: unknown, field: string): string {
  return bounded(requireString(value, field));
}

/** `text`, truncated to maxErrorLength. */
export function bounded(text: string): string {
  if (text.length <= maxErrorLength) return text;
  return `${text.slice(0, maxErrorLength - truncated.length)}${truncated}`;
}

/** Page sizes for list queries. */
export const defaultPageSize = 100;
export const maxPageSize = 1000;

export function pageLimit(value: unknown, field: string): number {
  return value === undefined ? defaultPageSize : requireInteger(value, field, 1, maxPageSize);
}
