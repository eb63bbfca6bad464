/**
 * Construction-time checks shared by the retry, budget, fallback, hedging and fault-injection
 * factories. Every bad option fails fast with an InvalidConfigError naming `<policy>.<option>`,
 * the allowed range and the value given, so a typo in a config file never becomes a silent
 * default at 3 a.m.
 */
import { InvalidConfigError } from '../errors/index.js';

/** The longest delay setTimeout honours; beyond it Node fires after 1 ms instead. */
export const maxTimerMs = 2_147_483_647;

/** Returns `value` as an options record (undefined gives an empty one) after rejecting typos. */
export function optionsRecord(
  field: string,
  value: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidConfigError(field, 'an options object', value);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new InvalidConfigError(
        `${field}.${key}`,
        `a known option (${known.join(', ')})`,
        (value as Record<string, unknown>)[key],
      );
    }
  }
  return value as Record<string, unknown>;
}

/** A number option: `fallback` when absent, else a number (never NaN) that satisfies `ok`. */
export function numberOption(
  field: string,
  value: unknown,
  fallback: number,
  expected: string,
  ok: (n: number) => boolean,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || !ok(value)) {
    throw new InvalidConfigError(field, expected, value);
  }
  return value;
}

export const isRate = (n: number): boolean => n >= 0 && n <= 1;
export const isTimerMs = (n: number): boolean => n >= 0 && n <= maxTimerMs;
export const timerMsText = `a number of ms in [0, ${maxTimerMs}]`;

/** One of a fixed set of strings. */
export function choiceOption<C extends string>(
  field: string,
  value: unknown,
  fallback: C,
  choices: readonly C[],
): C {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new InvalidConfigError(field, `one of ${choices.join(', ')}`, value);
  }
  return value as C;
}

/** An optional function option. */
export function functionOption<F extends (...args: never[]) => unknown>(
  field: string,
  value: unknown,
): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new InvalidConfigError(field, 'a function', value);
  return value as F;
}

/** An optional boolean option. */
export function booleanOption(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidConfigError(field, 'true or false', value);
  return value;
}

/** An optional object with a `now()` method (a Clock), without importing the type here. */
export function clockOption<C extends { now(): number }>(
  field: string,
  value: unknown,
): C | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof (value as C).now !== 'function') {
    throw new InvalidConfigError(field, 'an object with a now() method', value);
  }
  return value as C;
}

/** A required number option. */
export function requiredNumber(
  field: string,
  value: unknown,
  expected: string,
  ok: (n: number) => boolean,
): number {
  if (value === undefined) throw new InvalidConfigError(field, expected, value);
  return numberOption(field, value, 0, expected, ok);
}
