/**
 * A retry budget (Envoy, Finagle): retries may add at most `ratio` extra load on top of the
 * requests seen in the last `windowMs`, plus a floor of `minRetriesPerSecond` so a quiet service
 * can still retry. Per-call limits (maxAttempts) cannot stop a retry storm: during an outage
 * every caller retries, multiplying load exactly when the service can least take it. A budget
 * shared by every retry policy that calls one service caps the total instead.
 *
 * Counts live in a ring of time buckets driven by the injected Clock, with running totals, so
 * recording is O(1) amortised and allocates nothing.
 */
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { clockOption, numberOption, optionsRecord } from './option-checks.js';

export interface RetryBudgetOptions {
  /** Retries allowed per request in the window, e.g. 0.2 = at most 20% extra load. Default 0.2. */
  readonly ratio?: number;
  /** The sliding window (ms). Default 10 000. */
  readonly windowMs?: number;
  /** Retries always allowed per second of window, however few requests. Default 10. */
  readonly minRetriesPerSecond?: number;
  /** Buckets the window is split into (its granularity). Default 10. */
  readonly buckets?: number;
  readonly clock?: Clock;
}

export interface RetryBudgetSnapshot {
  /** Requests (first attempts) recorded in the current window. */
  readonly requests: number;
  /** Retries granted in the current window. */
  readonly retries: number;
  /** Retries that could still be granted now. */
  readonly available: number;
}

const marker = Symbol.for('sluice.policy.retry-budget');
const budgetKeys = ['ratio', 'windowMs', 'minRetriesPerSecond', 'buckets', 'clock'] as const;

export function retryBudget(options?: RetryBudgetOptions): RetryBudget {
  return new RetryBudget(options);
}

export function isRetryBudget(value: unknown): value is RetryBudget {
  return typeof value === 'object' && value !== null && marker in value;
}

export class RetryBudget {
  readonly [marker] = true;
  readonly ratio: number;
  readonly windowMs: number;
  readonly minRetriesPerSecond: number;
  readonly #clock: Clock;
  readonly #bucketMs: number;
  readonly #floor: number;
  readonly #requests: Float64Array;
  readonly #retries: Float64Array;
  readonly #origin: number;
  /** Buckets since construction (never negative, so `% buckets` is a slot). */
  #head = 0;
  #totalRequests = 0;
  #totalRetries = 0;

  constructor(options?: RetryBudgetOptions) {
    const o = optionsRecord('retryBudget', options, budgetKeys);
    this.ratio = numberOption(
      'retryBudget.ratio',
      o.ratio,
      0.2,
      'a finite number >= 0',
      (n) => Number.isFinite(n) && n >= 0,
    );
    this.windowMs = numberOption(
      'retryBudget.windowMs',
      o.windowMs,
      10_000,
      'a finite number of ms > 0',
      (n) => Number.isFinite(n) && n > 0,
    );
    this.minRetriesPerSecond = numberOption(
      'retryBudget.minRetriesPerSecond',
      o.minRetriesPerSecond,
      10,
      'a finite number >= 0',
      (n) => Number.isFinite(n) && n >= 0,
    );
    const buckets = numberOption(
      'retryBudget.buckets',
      o.buckets,
      10,
      'an integer in [1, 1000]',
      (n) => Number.isInteger(n) && n >= 1 && n <= 1000,
    );
    this.#clock = clockOption<Clock>('retryBudget.clock', o.clock) ?? systemClock;
    this.#bucketMs = this.windowMs / buckets;
    this.#floor = (this.minRetriesPerSecond * this.windowMs) / 1000;
    this.#requests = new Float64Array(buckets);
    this.#retries = new Float64Array(buckets);
    this.#origin = Math.floor(this.#clock.now() / this.#bucketMs);
  }

  /** Counts one request (a first attempt). Retry policies call it; so may anything else. */
  recordRequest(): void {
    this.#requests[this.#advance()]! += 1;
    this.#totalRequests += 1;
  }

  /** Takes one retry from the budget; false (and nothing taken) when it is exhausted. */
  tryAcquireRetry(): boolean {
    const slot = this.#advance();
    if (this.#totalRetries + 1 > this.#allowed()) return false;
    this.#retries[slot]! += 1;
    this.#totalRetries += 1;
    return true;
  }

  snapshot(): RetryBudgetSnapshot {
    this.#advance();
    return {
      requests: this.#totalRequests,
      retries: this.#totalRetries,
      available: Math.max(0, Math.floor(this.#allowed() - this.#totalRetries)),
    };
  }

  #allowed(): number {
    return this.ratio * this.#totalRequests + this.#floor;
  }

  /** Expires buckets that slid out of the window; returns the current bucket's slot. */
  #advance(): number {
    const size = this.#requests.length;
    const index = Math.floor(this.#clock.now() / this.#bucketMs) - this.#origin;
    // A clock that went backwards keeps counting into the current bucket.
    if (index > this.#head) {
      const expired = Math.min(index - this.#head, size);
      for (let i = 1; i <= expired; i++) {
        const slot = (this.#head + i) % size;
        this.#totalRequests -= this.#requests[slot]!;
        this.#totalRetries -= this.#retries[slot]!;
        this.#requests[slot] = 0;
        this.#retries[slot] = 0;
      }
      this.#head = index;
    }
    return this.#head % size;
  }
}
