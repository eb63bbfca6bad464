/**
 * Fallback: when the call fails, answer with something else (a cached value, a default, a cheaper
 * source) chosen by the failure's category, e.g. `{ rate_limited: cached, recoverable: stale }`.
 * Categories without a handler rethrow, so a bug (non_recoverable) is not papered over unless you
 * ask for it; an abort by the caller always rejects with AbortedError.
 *
 * A fallback answer is degraded, and callers must be able to tell: `executeResult` returns a
 * FallbackResult flagged `degraded` (with the failure and its category), `onFallback` reports it
 * to observers, and `execute` returns the bare value for callers who do not care.
 *
 * Not declared as a Policy: its answer may be of another type than the call's (`T | U`), which
 * the Policy signature cannot express. Put it outermost, around the composed policies:
 * `fb.execute(({ signal }) => pipeline.execute(fn, signal), signal)`.
 */
import {
  AbortedError,
  InvalidConfigError,
  classify as defaultClassify,
  failureCategories,
  type Classifier,
  type FailureCategory,
} from '../errors/index.js';
import { attemptContext } from './attempt-context.js';
import { EventEmitter, type Event } from './event.js';
import { functionOption, optionsRecord } from './option-checks.js';
import type { ExecuteContext } from './policy.js';

/** A value, or a function computing one from the failure (to answer with a function, wrap it). */
export type FallbackHandler<U> =
  U | ((error: unknown, category: FailureCategory) => U | PromiseLike<U>);

export type FallbackHandlers<U> = { readonly [C in FailureCategory]?: FallbackHandler<U> };

export interface FallbackOptions {
  /** Maps a failure to its category. Default: the errors layer's classify. */
  readonly classify?: Classifier;
}

export interface DegradedResult<T> {
  readonly degraded: true;
  readonly value: T;
  /** The failure the fallback answered for. */
  readonly error: unknown;
  readonly category: FailureCategory;
}

export type FallbackResult<T> = { readonly degraded: false; readonly value: T } | DegradedResult<T>;

export interface FallbackEvent {
  readonly error: unknown;
  readonly category: FailureCategory;
}

export function isDegraded<T>(result: FallbackResult<T>): result is DegradedResult<T> {
  return result.degraded;
}

const marker = Symbol.for('sluice.policy.fallback');

export function fallback<U>(
  handlers: FallbackHandlers<U>,
  options?: FallbackOptions,
): FallbackPolicy<U> {
  return new FallbackPolicy(handlers, options);
}

export function isFallbackPolicy(value: unknown): value is FallbackPolicy<unknown> {
  return typeof value === 'object' && value !== null && marker in value;
}

export class FallbackPolicy<U> {
  readonly [marker] = true;
  readonly #handlers: FallbackHandlers<U>;
  readonly #classify: Classifier;
  readonly #onFallback = new EventEmitter<FallbackEvent>();
  /** Fires each time a fallback answers instead of the call. */
  readonly onFallback: Event<FallbackEvent> = this.#onFallback.event;

  constructor(handlers: FallbackHandlers<U>, options?: FallbackOptions) {
    const h = optionsRecord('fallback', handlers, failureCategories);
    if (Object.keys(h).length === 0) {
      throw new InvalidConfigError(
        'fallback',
        `handlers for at least one category (${failureCategories.join(', ')})`,
        handlers,
      );
    }
    this.#handlers = { ...handlers };
    const o = optionsRecord('fallback', options, ['classify']);
    this.#classify = functionOption<Classifier>('fallback.classify', o.classify) ?? defaultClassify;
  }

  /** Runs `fn`; on a handled failure, resolves with the fallback's answer instead. */
  async execute<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T | U> {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    try {
      return await fn(attemptContext(signal, 1));
    } catch (error) {
      return (await this.#recover(error, signal)).value;
    }
  }

  /** Like `execute`, but says whether the answer is the call's own or a degraded fallback. */
  async executeResult<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<FallbackResult<T | U>> {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    let value: T;
    try {
      value = await fn(attemptContext(signal, 1));
    } catch (error) {
      return this.#recover(error, signal);
    }
    return { degraded: false, value };
  }

  async #recover(error: unknown, signal: AbortSignal | undefined): Promise<DegradedResult<U>> {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    const { category } = this.#classify(error);
    if (!(category in this.#handlers)) throw error;
    const handler = this.#handlers[category] as FallbackHandler<U>;
    const value =
      typeof handler === 'function'
        ? await (handler as (error: unknown, category: FailureCategory) => U | PromiseLike<U>)(
            error,
            category,
          )
        : handler;
    if (this.#onFallback.size !== 0) this.#onFallback.fire({ error, category });
    return { degraded: true, value, error, category };
  }
}
