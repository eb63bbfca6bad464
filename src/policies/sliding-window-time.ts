import { InvalidConfigError, describeValue } from '../errors/index.js';
import { systemClock, type Clock } from './clock.js';
import {
  windowSnapshot,
  type WindowOutcome,
  type SlidingWindow,
  type TimeWindowState,
  type WindowSnapshot,
} from './sliding-window.js';

/**
 * A time-based sliding window: the calls of the last `seconds`, aggregated into `buckets` equal
 * buckets (default one per second) in a ring, with running totals (Resilience4j's partial
 * aggregation). Bucket k covers clock times [k * bucketMs, (k + 1) * bucketMs); at time `now` the
 * window holds the current bucket and the `buckets - 1` before it, so it spans between
 * `seconds - bucketMs` and `seconds` of history. Crossing a boundary clears the buckets that fell
 * out, at most `buckets` of them however long the jump: O(1) amortised per call, no timers, no
 * allocation. Time comes from the injected clock; a clock that steps back keeps filling the
 * newest bucket rather than corrupting the ring.
 */

export interface TimeWindowConfig {
  readonly seconds: number;
  /** Default `seconds` (one bucket per second). Must divide the window's length in ms. */
  readonly buckets?: number | undefined;
}

export interface TimeWindowOptions {
  readonly clock?: Clock;
  /** Start from a state taken by `toJSON()` (it is validated: it may come from storage). */
  readonly restore?: TimeWindowState | undefined;
  /** How long ago `restore` was taken, if the caller knows; default 0. */
  readonly restoreAgeMs?: number;
  /** The name errors give the configuration; default `slidingWindow`. */
  readonly field?: string;
  /** The name errors give `restore`; default `<field>.restore`. */
  readonly restoreField?: string;
}

export const MAX_TIME_WINDOW_SECONDS = 3600;
export const MAX_TIME_WINDOW_BUCKETS = 10_000;

/** Validates a time window's shape, naming `<field>.seconds` or `<field>.buckets`. */
export function checkTimeWindow(
  config: TimeWindowConfig,
  field: string,
): { seconds: number; buckets: number } {
  const { seconds, buckets = seconds } = config;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIME_WINDOW_SECONDS) {
    throw new InvalidConfigError(
      `${field}.seconds`,
      `an integer in [1, ${MAX_TIME_WINDOW_SECONDS}]`,
      seconds,
    );
  }
  const windowMs = seconds * 1000;
  const maxBuckets = Math.min(MAX_TIME_WINDOW_BUCKETS, windowMs);
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > maxBuckets || windowMs % buckets) {
    throw new InvalidConfigError(
      `${field}.buckets`,
      `an integer in [1, ${maxBuckets}] that divides ${windowMs} (the window in ms)`,
      buckets,
    );
  }
  return { seconds, buckets };
}

export class TimeSlidingWindow implements SlidingWindow {
  readonly kind = 'time';
  readonly seconds: number;
  readonly buckets: number;
  readonly bucketMs: number;
  readonly #clock: Clock;
  readonly #bucketCalls: Uint32Array;
  readonly #bucketFailures: Uint32Array;
  readonly #bucketSlowCalls: Uint32Array;
  /** The ring slot of the newest bucket, and the bucket number (time / bucketMs) it holds. */
  #head = 0;
  #headEpoch: number;
  #calls = 0;
  #failures = 0;
  #slowCalls = 0;

  constructor(config: TimeWindowConfig, options: TimeWindowOptions = {}) {
    const field = options.field ?? 'slidingWindow';
    const { seconds, buckets } = checkTimeWindow(config, field);
    this.seconds = seconds;
    this.buckets = buckets;
    this.bucketMs = (seconds * 1000) / buckets;
    this.#clock = options.clock ?? systemClock;
    this.#bucketCalls = new Uint32Array(buckets);
    this.#bucketFailures = new Uint32Array(buckets);
    this.#bucketSlowCalls = new Uint32Array(buckets);
    this.#headEpoch = Math.floor(this.#clock.now() / this.bucketMs);
    const ageMs = options.restoreAgeMs ?? 0;
    if (typeof ageMs !== 'number' || !Number.isFinite(ageMs) || ageMs < 0) {
      throw new InvalidConfigError(`${field}.restoreAgeMs`, 'a finite number >= 0', ageMs);
    }
    if (options.restore !== undefined) {
      this.#restore(options.restore, ageMs, options.restoreField ?? `${field}.restore`);
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

  record(outcome: WindowOutcome, slow: boolean, now = this.#clock.now()): void {
    this.#advance(now);
    const head = this.#head;
    this.#bucketCalls[head]!++;
    this.#calls++;
    if (outcome === 'failure') {
      this.#bucketFailures[head]!++;
      this.#failures++;
    }
    if (slow) {
      this.#bucketSlowCalls[head]!++;
      this.#slowCalls++;
    }
  }

  advance(now = this.#clock.now()): void {
    this.#advance(now);
  }

  snapshot(now = this.#clock.now()): WindowSnapshot {
    this.#advance(now);
    return windowSnapshot(this.#calls, this.#failures, this.#slowCalls);
  }

  reset(): void {
    this.#bucketCalls.fill(0);
    this.#bucketFailures.fill(0);
    this.#bucketSlowCalls.fill(0);
    this.#calls = 0;
    this.#failures = 0;
    this.#slowCalls = 0;
  }

  toJSON(now = this.#clock.now()): TimeWindowState {
    this.#advance(now);
    const counts: [number, number, number][] = [];
    for (let age = this.buckets - 1; age >= 0; age--) {
      const slot = (this.#head - age + this.buckets) % this.buckets;
      counts.push([
        this.#bucketCalls[slot]!,
        this.#bucketFailures[slot]!,
        this.#bucketSlowCalls[slot]!,
      ]);
    }
    return {
      kind: 'time',
      seconds: this.seconds,
      buckets: this.buckets,
      newestBucketAgeMs: Math.max(0, now - this.#headEpoch * this.bucketMs),
      counts,
    };
  }

  /** Moves the newest bucket to the one `now` falls in, clearing those that fell out. */
  #advance(now: number): void {
    const epoch = Math.floor(now / this.bucketMs);
    const steps = epoch - this.#headEpoch;
    if (steps <= 0) return;
    this.#headEpoch = epoch;
    if (steps >= this.buckets) {
      this.reset();
      return;
    }
    let slot = this.#head;
    for (let i = 0; i < steps; i++) {
      slot = slot + 1 === this.buckets ? 0 : slot + 1;
      this.#calls -= this.#bucketCalls[slot]!;
      this.#failures -= this.#bucketFailures[slot]!;
      this.#slowCalls -= this.#bucketSlowCalls[slot]!;
      this.#bucketCalls[slot] = 0;
      this.#bucketFailures[slot] = 0;
      this.#bucketSlowCalls[slot] = 0;
    }
    this.#head = slot;
  }

  /**
   * Lays the saved buckets out so the newest began `newestBucketAgeMs + ageMs` before now on this
   * window's clock, then drops whatever has since fallen out. With the same clock and no age this
   * is exact; across processes, bucket edges shift by less than one bucket.
   */
  #restore(state: TimeWindowState, ageMs: number, field: string): void {
    if (typeof state !== 'object' || state === null || state.kind !== 'time') {
      throw new InvalidConfigError(field, 'a time window state', state);
    }
    if (state.seconds !== this.seconds || state.buckets !== this.buckets) {
      throw new InvalidConfigError(
        field,
        `a window of ${this.seconds} s in ${this.buckets} buckets (the configured window)`,
        `${describeValue(state.seconds)} s in ${describeValue(state.buckets)} buckets`,
      );
    }
    const newestAge: unknown = state.newestBucketAgeMs;
    if (typeof newestAge !== 'number' || !Number.isFinite(newestAge) || newestAge < 0) {
      throw new InvalidConfigError(`${field}.newestBucketAgeMs`, 'a finite number >= 0', newestAge);
    }
    const counts: unknown = state.counts;
    if (!Array.isArray(counts) || counts.length !== this.buckets) {
      throw new InvalidConfigError(
        `${field}.counts`,
        `an array of ${this.buckets} [calls, failures, slowCalls] triples`,
        counts,
      );
    }
    counts.forEach((triple: unknown, i) => {
      if (!isCountTriple(triple)) {
        throw new InvalidConfigError(
          `${field}.counts[${i}]`,
          '[calls, failures, slowCalls], integers with 0 <= failures, slowCalls <= calls',
          triple,
        );
      }
      const [calls, failures, slowCalls] = triple;
      this.#bucketCalls[i] = calls;
      this.#bucketFailures[i] = failures;
      this.#bucketSlowCalls[i] = slowCalls;
      this.#calls += calls;
      this.#failures += failures;
      this.#slowCalls += slowCalls;
    });
    const now = this.#clock.now();
    this.#head = this.buckets - 1;
    this.#headEpoch = Math.floor((now - newestAge - ageMs) / this.bucketMs);
    this.#advance(now);
  }
}

function isCountTriple(value: unknown): value is [number, number, number] {
  if (!Array.isArray(value) || value.length !== 3) return false;
  const [calls, failures, slowCalls] = value as unknown[];
  return (
    isCount(calls) &&
    isCount(failures) &&
    isCount(slowCalls) &&
    failures <= calls &&
    slowCalls <= calls
  );
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff;
}
