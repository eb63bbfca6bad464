/**
 * Backoff: how long to wait before each retry. The growth curve (constant, linear, exponential)
 * is capped at `capMs`, then jittered so many clients that failed together do not retry in
 * lockstep (AWS, "Exponential Backoff And Jitter"). Stateless: the retry loop keeps the one
 * number decorrelated jitter needs (the previous delay), so a backoff is shared by every call of
 * a policy and costs nothing until something fails.
 */
import { InvalidConfigError } from '../errors/index.js';
import {
  choiceOption,
  isTimerMs,
  maxTimerMs,
  numberOption,
  optionsRecord,
  timerMsText,
} from './option-checks.js';
import type { Random } from './random.js';

export type BackoffKind = 'constant' | 'linear' | 'exponential';

/**
 * With `ceiling = min(capMs, curve(retry))`:
 * - none: `ceiling`;
 * - full: uniform in [0, ceiling);
 * - equal: uniform in [ceiling / 2, ceiling);
 * - decorrelated: `min(capMs, uniform in [initialMs, previous * 3))`, previous starting at
 *   initialMs; it grows on its own, so it replaces the curve and needs `kind: 'exponential'`.
 */
export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

export interface BackoffOptions {
  /** Default 'exponential'. */
  readonly kind?: BackoffKind;
  /** The first delay (ms). Default 200. */
  readonly initialMs?: number;
  /**
   * linear: `initialMs * (1 + factor * (retry - 1))`, factor >= 0, default 1 (200, 400, 600...);
   * exponential: `initialMs * factor ** (retry - 1)`, factor >= 1, default 2; constant: unset.
   */
  readonly factor?: number;
  /** No delay exceeds this (ms). Default max(30 000, initialMs). */
  readonly capMs?: number;
  /** Default 'full'. */
  readonly jitter?: Jitter;
}

/** Computes delays; implement it to plug in your own schedule. */
export interface Backoff {
  /**
   * The delay (ms) before retry number `retry` (1 for the first retry). `previousMs` is what this
   * backoff returned for the previous retry (0 before the first).
   */
  next(retry: number, previousMs: number): number;
}

const backoffKeys = ['kind', 'initialMs', 'factor', 'capMs', 'jitter'] as const;
const kinds: readonly BackoffKind[] = ['constant', 'linear', 'exponential'];
const jitters: readonly Jitter[] = ['none', 'full', 'equal', 'decorrelated'];

/** Builds a backoff; `field` prefixes the names in validation errors (e.g. `retry.backoff`). */
export function backoff(
  options?: BackoffOptions,
  random: Random = Math.random,
  field = 'backoff',
): Backoff {
  return new CurveBackoff(options, random, field);
}

class CurveBackoff implements Backoff {
  readonly #kind: BackoffKind;
  readonly #initialMs: number;
  readonly #factor: number;
  readonly #capMs: number;
  readonly #jitter: Jitter;
  readonly #random: Random;

  constructor(options: BackoffOptions | undefined, random: Random, field: string) {
    const o = optionsRecord(field, options, backoffKeys);
    this.#random = random;
    this.#kind = choiceOption(`${field}.kind`, o.kind, 'exponential', kinds);
    this.#initialMs = numberOption(`${field}.initialMs`, o.initialMs, 200, timerMsText, isTimerMs);
    const initial = this.#initialMs;
    this.#capMs = numberOption(
      `${field}.capMs`,
      o.capMs,
      Math.max(30_000, initial),
      `a number of ms in [initialMs (${initial}), ${maxTimerMs}]`,
      (n) => n >= initial && n <= maxTimerMs,
    );
    if (this.#kind === 'constant') {
      if (o.factor !== undefined) {
        throw new InvalidConfigError(`${field}.factor`, 'unset for a constant backoff', o.factor);
      }
      this.#factor = 1;
    } else if (this.#kind === 'linear') {
      this.#factor = numberOption(
        `${field}.factor`,
        o.factor,
        1,
        'a finite number >= 0',
        (n) => Number.isFinite(n) && n >= 0,
      );
    } else {
      this.#factor = numberOption(
        `${field}.factor`,
        o.factor,
        2,
        'a finite number >= 1',
        (n) => Number.isFinite(n) && n >= 1,
      );
    }
    this.#jitter = choiceOption(`${field}.jitter`, o.jitter, 'full', jitters);
    if (this.#jitter === 'decorrelated' && this.#kind !== 'exponential') {
      throw new InvalidConfigError(
        `${field}.jitter`,
        `none, full or equal with a ${this.#kind} backoff (decorrelated replaces the curve)`,
        this.#jitter,
      );
    }
  }

  next(retry: number, previousMs: number): number {
    const cap = this.#capMs;
    let delay: number;
    if (this.#jitter === 'decorrelated') {
      const base = this.#initialMs;
      const previous = previousMs > base ? previousMs : base;
      delay = base + this.#random() * (previous * 3 - base);
    } else {
      let ceiling =
        this.#kind === 'constant'
          ? this.#initialMs
          : this.#kind === 'linear'
            ? this.#initialMs * (1 + this.#factor * (retry - 1))
            : this.#initialMs * this.#factor ** (retry - 1);
      // Past the cap, or overflowed to Infinity (or NaN: 0 * Infinity when initialMs is 0).
      if (!(ceiling <= cap)) ceiling = this.#initialMs === 0 ? 0 : cap;
      delay =
        this.#jitter === 'none'
          ? ceiling
          : this.#jitter === 'full'
            ? this.#random() * ceiling
            : ceiling / 2 + (this.#random() * ceiling) / 2;
    }
    // A misbehaving random source must not push a delay past the cap or below zero.
    return delay > cap ? cap : delay >= 0 ? delay : 0;
  }
}
