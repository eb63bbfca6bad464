import { InvalidConfigError } from '../errors/index.js';
import {
  FAILURE_BIT,
  SLOW_BIT,
  encodeOutcome,
  outcomeCode,
  outcomeLetter,
  windowSnapshot,
  type WindowOutcome,
  type CountWindowState,
  type SlidingWindow,
  type WindowSnapshot,
} from './sliding-window.js';

export interface CountWindowOptions {
  /** Start from a state taken by `toJSON()` (it is validated: it may come from storage). */
  readonly restore?: CountWindowState | undefined;
  /** The name errors give the window's configuration; default `slidingWindow`. */
  readonly field?: string;
  /** The name errors give `restore`; default `<field>.restore`. */
  readonly restoreField?: string;
}

/** One byte per call: a million calls is a megabyte, and far past any useful window. */
export const MAX_COUNT_WINDOW = 1_000_000;

/** Validates a count window's size, naming it `<field>.size`. */
export function checkCountWindowSize(size: unknown, field: string): number {
  if (!Number.isInteger(size) || (size as number) < 1 || (size as number) > MAX_COUNT_WINDOW) {
    throw new InvalidConfigError(`${field}.size`, `an integer in [1, ${MAX_COUNT_WINDOW}]`, size);
  }
  return size as number;
}

/**
 * A count-based sliding window: the last `size` calls, whenever they happened. A ring buffer of
 * one byte per call plus running totals, so recording evicts the oldest call and reading is a
 * field access: O(1), no allocation.
 */
export class CountSlidingWindow implements SlidingWindow {
  readonly kind = 'count';
  readonly #ring: Uint8Array;
  #next = 0;
  #calls = 0;
  #failures = 0;
  #slowCalls = 0;

  readonly size: number;

  /**
   * Errors name `size` under `names.field` and the restored state under `names.restoreField`,
   * so the breaker can report `circuitBreaker.window.size` and `circuitBreaker.restore.window`.
   */
  constructor(size: number, options: CountWindowOptions = {}) {
    const field = options.field ?? 'slidingWindow';
    this.size = checkCountWindowSize(size, field);
    this.#ring = new Uint8Array(size);
    if (options.restore !== undefined) {
      this.#restore(options.restore, options.restoreField ?? `${field}.restore`);
    }
  }

  get calls(): number {
    return this.#calls;
  }

  get failures(): number {
    return this.#failures;
  }

  get slowCalls(): number {
    return this.#slowCalls;
  }

  record(outcome: WindowOutcome, slow: boolean): void {
    this.#push(encodeOutcome(outcome, slow));
  }

  /** Time does not matter to a count window. */
  advance(): void {}

  snapshot(): WindowSnapshot {
    return windowSnapshot(this.#calls, this.#failures, this.#slowCalls);
  }

  reset(): void {
    this.#next = 0;
    this.#calls = 0;
    this.#failures = 0;
    this.#slowCalls = 0;
  }

  toJSON(): CountWindowState {
    let outcomes = '';
    const start = this.#calls < this.size ? 0 : this.#next;
    for (let i = 0; i < this.#calls; i++) {
      outcomes += outcomeLetter(this.#ring[(start + i) % this.size]!);
    }
    return { kind: 'count', size: this.size, outcomes };
  }

  #push(code: number): void {
    const ring = this.#ring;
    const at = this.#next;
    if (this.#calls === this.size) {
      const evicted = ring[at]!;
      this.#failures -= evicted & FAILURE_BIT;
      this.#slowCalls -= (evicted & SLOW_BIT) >> 1;
    } else {
      this.#calls++;
    }
    ring[at] = code;
    this.#failures += code & FAILURE_BIT;
    this.#slowCalls += (code & SLOW_BIT) >> 1;
    this.#next = at + 1 === this.size ? 0 : at + 1;
  }

  #restore(state: CountWindowState, field: string): void {
    if (typeof state !== 'object' || state === null || state.kind !== 'count') {
      throw new InvalidConfigError(field, 'a count window state', state);
    }
    if (state.size !== this.size) {
      throw new InvalidConfigError(
        `${field}.size`,
        `${this.size} (the configured size)`,
        state.size,
      );
    }
    const outcomes: unknown = state.outcomes;
    if (
      typeof outcomes !== 'string' ||
      outcomes.length > this.size ||
      !/^[SFsf]*$/.test(outcomes)
    ) {
      throw new InvalidConfigError(
        `${field}.outcomes`,
        `a string of at most ${this.size} letters S, F, s, f`,
        outcomes,
      );
    }
    for (const letter of outcomes) this.#push(outcomeCode(letter));
  }
}
