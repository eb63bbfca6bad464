/**
 * Retry (Polly v8 / Resilience4j semantics): run `fn` again after a backoff when it fails with
 * something worth retrying, within a maximum number of attempts, an optional total deadline and
 * an optional shared retry budget.
 *
 * Why it is shaped like this:
 * - The failure's own delay wins when longer than the backoff: a Retry-After header (delta-seconds
 *   or HTTP-date, via the classifier), a RateLimitedError's retryAfterMs, or a BreakerOpenError's
 *   time until it may half-open. A delay longer than `maxRetryAfterMs` or past the deadline
 *   means give up now: a server asking for an hour should fail the call, not park it.
 * - A non_recoverable failure is never retried (unless `shouldRetry` says otherwise).
 * - Every give-up rethrows the last failure untouched, except an abort by the caller, which
 *   rejects with AbortedError; sleeps are abortable and leave no timer behind.
 * - The success path is one async call and one await: no timer, no closure, no allocation
 *   beyond the promise itself when the caller passes no signal.
 */
import {
  AbortedError,
  InvalidConfigError,
  classify as defaultClassify,
  type Classification,
  type Classifier,
  type FailureCategory,
} from '../errors/index.js';
import { attemptContext, neverAbortedSignal } from './attempt-context.js';
import { backoff as createBackoff, type Backoff, type BackoffOptions } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import { isContextAborted } from './context-state.js';
import { EventEmitter, type Event } from './event.js';
import { inlineEnter, inlineExit, inlineInner, type InlinePolicy } from './inline.js';
import {
  clockOption,
  functionOption,
  isTimerMs,
  numberOption,
  optionsRecord,
  timerMsText,
} from './option-checks.js';
import type { ExecuteContext, Policy } from './policy.js';
import type { Random } from './random.js';
import { isRetryBudget, type RetryBudget } from './retry-budget.js';
import { sleep } from './sleep.js';
import { invoke } from './static-context.js';

export type GiveUpReason = 'non_recoverable' | 'max_attempts' | 'budget' | 'deadline' | 'aborted';

export interface RetryOptions {
  /** Attempts in all, the first included: an integer >= 1, or Infinity. Default 3. */
  readonly maxAttempts?: number;
  /** The schedule, or your own Backoff. Default exponential from 200 ms, x2, cap 30 s, full jitter. */
  readonly backoff?: BackoffOptions | Backoff;
  /** The longest delay a failure may ask for (Retry-After, a limiter, a breaker). Default 60 000. */
  readonly maxRetryAfterMs?: number;
  /**
   * Total time budget from the first attempt (ms): a retry whose wait would end past it is not
   * made. Checked before each wait; it does not cut a running attempt short (compose a timeout
   * for that). Default Infinity.
   */
  readonly maxElapsedMs?: number;
  /** Maps a failure to its category and requested delay. Default: the errors layer's classify. */
  readonly classify?: Classifier;
  /** Replaces the default rule (retry everything but non_recoverable). */
  readonly shouldRetry?: (
    error: unknown,
    classification: Classification,
    attempt: number,
  ) => boolean;
  /** A budget shared with other retry policies calling the same service. */
  readonly budget?: RetryBudget;
  /** Measures maxElapsedMs. Default the system's monotonic clock. */
  readonly clock?: Clock;
  /** The jitter's random source, in [0, 1). Default Math.random. */
  readonly random?: Random;
}

/** A retry is about to wait `delayMs` after attempt number `attempt` failed. */
export interface RetryEvent {
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
  readonly category: FailureCategory;
}

/** The policy stopped; `error` is what `execute` rejects with. */
export interface GiveUpEvent {
  readonly attempts: number;
  readonly error: unknown;
  readonly reason: GiveUpReason;
}

export interface RetrySuccessEvent {
  readonly attempts: number;
}

const marker = Symbol.for('sluice.policy.retry');
const retryKeys = [
  'maxAttempts',
  'backoff',
  'maxRetryAfterMs',
  'maxElapsedMs',
  'classify',
  'shouldRetry',
  'budget',
  'clock',
  'random',
] as const;

export function retry(options?: RetryOptions): RetryPolicy {
  return new RetryPolicy(options);
}

export function isRetryPolicy(value: unknown): value is RetryPolicy {
  return typeof value === 'object' && value !== null && marker in value;
}

export class RetryPolicy implements Policy, InlinePolicy<number> {
  readonly [marker] = true;
  readonly maxAttempts: number;
  readonly maxRetryAfterMs: number;
  readonly maxElapsedMs: number;
  readonly #backoff: Backoff;
  readonly #classify: Classifier;
  readonly #shouldRetry: RetryOptions['shouldRetry'];
  readonly #budget: RetryBudget | undefined;
  readonly #clock: Clock;
  readonly #onRetry = new EventEmitter<RetryEvent>();
  readonly #onGiveUp = new EventEmitter<GiveUpEvent>();
  readonly #onSuccess = new EventEmitter<RetrySuccessEvent>();

  /** Fires before each wait. */
  readonly onRetry: Event<RetryEvent> = this.#onRetry.event;
  /** Fires once when the policy stops trying, with the reason. */
  readonly onGiveUp: Event<GiveUpEvent> = this.#onGiveUp.event;
  /** Fires when an attempt succeeds, with how many it took. */
  readonly onSuccess: Event<RetrySuccessEvent> = this.#onSuccess.event;

  constructor(options?: RetryOptions) {
    const o = optionsRecord('retry', options, retryKeys);
    this.maxAttempts = numberOption(
      'retry.maxAttempts',
      o.maxAttempts,
      3,
      'an integer >= 1 or Infinity',
      (n) => n >= 1 && (Number.isInteger(n) || n === Infinity),
    );
    this.maxRetryAfterMs = numberOption(
      'retry.maxRetryAfterMs',
      o.maxRetryAfterMs,
      60_000,
      timerMsText,
      isTimerMs,
    );
    this.maxElapsedMs = numberOption(
      'retry.maxElapsedMs',
      o.maxElapsedMs,
      Infinity,
      'a number of ms > 0 (Infinity for no deadline)',
      (n) => n > 0,
    );
    this.#classify = functionOption<Classifier>('retry.classify', o.classify) ?? defaultClassify;
    this.#shouldRetry = functionOption('retry.shouldRetry', o.shouldRetry);
    if (o.budget !== undefined && !isRetryBudget(o.budget)) {
      throw new InvalidConfigError('retry.budget', 'a RetryBudget from retryBudget()', o.budget);
    }
    this.#budget = o.budget;
    this.#clock = clockOption<Clock>('retry.clock', o.clock) ?? systemClock;
    const random = functionOption<Random>('retry.random', o.random) ?? Math.random;
    const b = o.backoff as Partial<Backoff> | undefined;
    this.#backoff =
      typeof b === 'object' && b !== null && typeof b.next === 'function'
        ? (b as Backoff)
        : createBackoff(o.backoff as BackoffOptions | undefined, random, 'retry.backoff');
  }

  execute<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    if (signal?.aborted) {
      return Promise.reject(this.#giveUp(0, new AbortedError(signal.reason), 'aborted'));
    }
    return this.#run(fn, attemptContext(signal, 1));
  }

  /** As a layer of compose: the first attempt runs in `context` itself (see Policy). */
  executeContext<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    context: ExecuteContext,
  ): Promise<T> {
    if (isContextAborted(context)) {
      return Promise.reject(this.#giveUp(0, new AbortedError(context.signal.reason), 'aborted'));
    }
    return this.#run(fn, context);
  }

  /** The first attempt, chained on fn's promise rather than awaited in an async frame. */
  #run<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    context: ExecuteContext,
  ): Promise<T> {
    this.#budget?.recordRequest();
    const start = this.maxElapsedMs === Infinity ? 0 : this.#clock.now();
    return invoke(fn, context).then(this.#succeeded, (error: unknown) => {
      // The signal is read only now: on the success path a lazy one is never made.
      const signal = context.signal;
      return this.#retry(fn, signal === neverAbortedSignal ? undefined : signal, error, start);
    });
  }

  readonly #succeeded = <T>(value: T): T => {
    if (this.#onSuccess.size !== 0) this.#onSuccess.fire({ attempts: 1 });
    return value;
  };

  /** Inline (see inline.ts): the first attempt runs inline; on a failure `again` runs the rest. */
  [inlineEnter](context: ExecuteContext): number {
    if (isContextAborted(context)) {
      throw this.#giveUp(0, new AbortedError(context.signal.reason), 'aborted');
    }
    this.#budget?.recordRequest();
    return this.maxElapsedMs === Infinity ? 0 : this.#clock.now();
  }

  [inlineInner](_start: number, context: ExecuteContext): ExecuteContext {
    return context;
  }

  [inlineExit](
    start: number,
    context: ExecuteContext,
    failed: boolean,
    outcome: unknown,
    again: (context: ExecuteContext) => Promise<unknown>,
  ): unknown {
    if (!failed) {
      if (this.#onSuccess.size !== 0) this.#onSuccess.fire({ attempts: 1 });
      return outcome;
    }
    const signal = context.signal;
    return this.#retry(again, signal === neverAbortedSignal ? undefined : signal, outcome, start);
  }

  /** The failure path, kept apart so the success path stays small. */
  async #retry<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal: AbortSignal | undefined,
    firstError: unknown,
    start: number,
  ): Promise<T> {
    let error = firstError;
    let attempt = 1;
    let previousMs = 0;
    for (;;) {
      if (signal?.aborted) throw this.#giveUp(attempt, new AbortedError(signal.reason), 'aborted');
      const classification = this.#classify(error);
      const retryable =
        this.#shouldRetry === undefined
          ? classification.category !== 'non_recoverable'
          : this.#shouldRetry(error, classification, attempt);
      if (!retryable) throw this.#giveUp(attempt, error, 'non_recoverable');
      if (attempt >= this.maxAttempts) throw this.#giveUp(attempt, error, 'max_attempts');

      previousMs = this.#backoff.next(attempt, previousMs);
      let delayMs = previousMs;
      const requested = classification.retryAfterMs;
      if (requested !== undefined) {
        if (requested > this.maxRetryAfterMs) throw this.#giveUp(attempt, error, 'deadline');
        if (requested > delayMs) delayMs = requested;
      }
      if (
        this.maxElapsedMs !== Infinity &&
        this.#clock.now() - start + delayMs > this.maxElapsedMs
      ) {
        throw this.#giveUp(attempt, error, 'deadline');
      }
      if (this.#budget !== undefined && !this.#budget.tryAcquireRetry()) {
        throw this.#giveUp(attempt, error, 'budget');
      }
      if (this.#onRetry.size !== 0) {
        this.#onRetry.fire({ attempt, delayMs, error, category: classification.category });
      }
      if (delayMs > 0) {
        try {
          await sleep(delayMs, signal);
        } catch (aborted) {
          throw this.#giveUp(attempt, aborted, 'aborted');
        }
      } else if (signal?.aborted) {
        throw this.#giveUp(attempt, new AbortedError(signal.reason), 'aborted');
      }

      attempt += 1;
      try {
        const value = await fn(attemptContext(signal, attempt));
        if (this.#onSuccess.size !== 0) this.#onSuccess.fire({ attempts: attempt });
        return value;
      } catch (next) {
        error = next;
      }
    }
  }

  #giveUp<E>(attempts: number, error: E, reason: GiveUpReason): E {
    if (this.#onGiveUp.size !== 0) this.#onGiveUp.fire({ attempts, error, reason });
    return error;
  }
}
