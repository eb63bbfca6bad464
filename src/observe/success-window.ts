/**
 * Why: health is about now, not since start-up: a service that failed all morning and recovered
 * an hour ago is healthy. This counts successes and failures over a sliding window (default
 * 5 minutes) in a ring of time buckets (default 10), so memory is fixed and the window slides
 * in steps of windowMs / buckets. The clock is injected, for tests and for replays.
 */
import { InvalidConfigError } from '../errors/index.js';

export interface SuccessWindowOptions {
  readonly windowMs?: number;
  readonly buckets?: number;
  readonly now?: () => number;
}

export interface WindowCounts {
  readonly successes: number;
  readonly failures: number;
}

export class SuccessWindow {
  readonly windowMs: number;
  readonly #bucketMs: number;
  readonly #now: () => number;
  readonly #epochs: number[];
  readonly #successes: number[];
  readonly #failures: number[];

  constructor(options: SuccessWindowOptions = {}) {
    this.windowMs = options.windowMs ?? 5 * 60_000;
    const buckets = options.buckets ?? 10;
    if (!Number.isInteger(buckets) || buckets < 1) {
      throw new InvalidConfigError('successWindow.buckets', 'a positive integer', buckets);
    }
    if (!Number.isFinite(this.windowMs) || this.windowMs < buckets) {
      throw new InvalidConfigError(
        'successWindow.windowMs',
        `a finite number of ms >= buckets (${buckets})`,
        this.windowMs,
      );
    }
    this.#bucketMs = this.windowMs / buckets;
    this.#now = options.now ?? Date.now;
    this.#epochs = new Array<number>(buckets).fill(-1);
    this.#successes = new Array<number>(buckets).fill(0);
    this.#failures = new Array<number>(buckets).fill(0);
  }

  record(success: boolean, count = 1): void {
    const epoch = Math.floor(this.#now() / this.#bucketMs);
    const i = epoch % this.#epochs.length;
    if (this.#epochs[i] !== epoch) {
      this.#epochs[i] = epoch;
      this.#successes[i] = 0;
      this.#failures[i] = 0;
    }
    const into = success ? this.#successes : this.#failures;
    into[i] = (into[i] ?? 0) + count;
  }

  counts(): WindowCounts {
    const current = Math.floor(this.#now() / this.#bucketMs);
    let successes = 0;
    let failures = 0;
    for (let i = 0; i < this.#epochs.length; i++) {
      const epoch = this.#epochs[i] ?? -1;
      if (epoch >= 0 && current - epoch < this.#epochs.length) {
        successes += this.#successes[i] ?? 0;
        failures += this.#failures[i] ?? 0;
      }
    }
    return { successes, failures };
  }
}
