import { AbortedError, InvalidConfigError, RateLimitedError } from '../errors/index.js';
import { systemClock, type Clock } from './clock.js';
import { isContextAborted } from './context-state.js';
import { EventEmitter, type Event } from './event.js';
import { Gcra } from './gcra.js';
import { declined, inlineEnter, inlineExit, inlineInner, type InlinePolicy } from './inline.js';
import { IntrusiveList, ListNode } from './intrusive-list.js';
import { KeyStateMap } from './key-state-map.js';
import type { ExecuteContext, Policy } from './policy.js';
import { checkBurst, checkRate, type RateAlgorithm } from './rate-algorithm.js';
import { rejectLater } from './reject-later.js';
import { contextFor, invoke } from './static-context.js';
import { TokenBucket } from './token-bucket.js';

/**
 * The rate limiter policy: a token bucket or GCRA per key (per service, domain, IP, user), in a
 * bounded key map that forgets idle keys. A call that does not fit either waits in the key's FIFO
 * queue (`acquire`, `execute`) or is refused at once with how long to wait (`tryAcquire`).
 *
 * Fairness: only the head of a key's queue may take tokens, and a new call never overtakes a
 * queued one, so a big cost at the head is not starved by small ones behind it. One timer per key
 * with waiters (for its head), none otherwise. The success path is one Map lookup and a few
 * arithmetic operations; it allocates nothing except a key's first state.
 */

const marker = Symbol.for('sluice.policy.rate-limiter');
const resolved = Promise.resolve();

export type RateLimiterAlgorithm = 'token-bucket' | 'gcra';

export interface RateLimiterOptions {
  /** Default 'token-bucket'. Both enforce the same limit; GCRA stores one number per key. */
  readonly algorithm?: RateLimiterAlgorithm;
  /** Sustained rate, in cost units per second. */
  readonly ratePerSecond: number;
  /** Bucket size: the most cost admitted at once after a quiet spell. Default max(1, rate). */
  readonly burst?: number;
  /** Waiters allowed per key; beyond it `acquire` rejects with RateLimitedError. Default 1000. */
  readonly maxQueued?: number;
  /** `acquire` rejects at once, instead of waiting, when the wait would exceed this. Default ∞. */
  readonly maxWaitMs?: number;
  /** Keys held at most (idle ones are forgotten first). Default 10,000. */
  readonly maxKeys?: number;
  /** The key `execute` uses. Default 'default'. */
  readonly key?: string;
  /** Time source for admission (waits themselves use setTimeout). Default performance.now(). */
  readonly clock?: Clock;
}

/** What `tryAcquire` answers: admitted, or refused with how long until the cost would fit. */
export type RateLimitDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export interface RateLimitWaitEvent {
  readonly key: string;
  readonly cost: number;
  /** Expected wait, counting the cost queued ahead. */
  readonly waitMs: number;
}

export interface RateLimitRejectEvent {
  readonly key: string;
  readonly cost: number;
  readonly retryAfterMs: number;
  /** queue-full: maxQueued reached; max-wait: wait above maxWaitMs; try-acquire: refused. */
  readonly reason: 'queue-full' | 'max-wait' | 'try-acquire';
}

/** The limiter bound to one key: what `execute` runs under, for per-domain or per-user use. */
export interface KeyedRateLimiter extends Policy {
  readonly key: string;
  tryAcquire(cost?: number): RateLimitDecision;
  acquire(cost?: number, signal?: AbortSignal): Promise<void>;
}

const allowed: RateLimitDecision = Object.freeze({ allowed: true });

class Waiter extends ListNode {
  resolve: () => void = noop;
  reject: (error: unknown) => void = noop;
  onAbort: (() => void) | undefined = undefined;

  constructor(
    readonly cost: number,
    readonly signal: AbortSignal | undefined,
  ) {
    super();
  }
}

class KeyQueue extends IntrusiveList<Waiter> {
  totalCost = 0;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  wake: () => void = noop;

  constructor(readonly key: string) {
    super();
  }
}

function noop(): void {}

export class RateLimiter implements Policy, InlinePolicy<true> {
  readonly [marker] = true;
  readonly algorithm: RateLimiterAlgorithm;
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly maxQueued: number;
  readonly maxWaitMs: number;
  readonly maxKeys: number;
  readonly key: string;
  readonly #algo: RateAlgorithm<unknown>;
  readonly #states: KeyStateMap<unknown>;
  readonly #queues = new Map<string, KeyQueue>();
  readonly #clock: Clock;
  readonly #onWait = new EventEmitter<RateLimitWaitEvent>();
  readonly #onReject = new EventEmitter<RateLimitRejectEvent>();
  /** A call had to queue. */
  readonly onWait: Event<RateLimitWaitEvent> = this.#onWait.event;
  /** A call was refused (tryAcquire) or rejected (queue full, wait too long). */
  readonly onReject: Event<RateLimitRejectEvent> = this.#onReject.event;

  constructor(options: RateLimiterOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidConfigError('rateLimiter', 'an options object', options);
    }
    const algorithm = options.algorithm ?? 'token-bucket';
    if (algorithm !== 'token-bucket' && algorithm !== 'gcra') {
      throw new InvalidConfigError('rateLimiter.algorithm', "'token-bucket' or 'gcra'", algorithm);
    }
    const rate = checkRate('rateLimiter.ratePerSecond', options.ratePerSecond);
    const burst = checkBurst('rateLimiter.burst', options.burst ?? Math.max(1, rate));
    this.maxQueued = checkCount('rateLimiter.maxQueued', options.maxQueued ?? 1000, 0);
    this.maxKeys = checkCount('rateLimiter.maxKeys', options.maxKeys ?? 10_000, 1);
    const maxWaitMs = options.maxWaitMs ?? Infinity;
    if (typeof maxWaitMs !== 'number' || !(maxWaitMs >= 0)) {
      throw new InvalidConfigError(
        'rateLimiter.maxWaitMs',
        'a number >= 0 (or Infinity)',
        maxWaitMs,
      );
    }
    const key = options.key ?? 'default';
    if (typeof key !== 'string') throw new InvalidConfigError('rateLimiter.key', 'a string', key);
    const clock = options.clock ?? systemClock;
    if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
      throw new InvalidConfigError('rateLimiter.clock', 'an object with a now() method', clock);
    }
    this.algorithm = algorithm;
    this.ratePerSecond = rate;
    this.burst = burst;
    this.maxWaitMs = maxWaitMs;
    this.key = key;
    this.#clock = clock;
    const algo: RateAlgorithm<unknown> =
      algorithm === 'gcra' ? new Gcra(rate, burst) : new TokenBucket(rate, burst);
    this.#algo = algo;
    this.#states = new KeyStateMap<unknown>(
      this.maxKeys,
      (state) => algo.idleAt(state),
      (k) => this.#queues.has(k),
    );
  }

  /** Keys currently held (at most maxKeys, plus keys with waiters). */
  get size(): number {
    return this.#states.size;
  }

  /** Keys forgotten before they were idle because more keys were busy than maxKeys allows. */
  get evictedBusy(): number {
    return this.#states.evictedBusy;
  }

  /** Callers waiting for `key`. */
  queued(key: string = this.key): number {
    return this.#queues.get(key)?.size ?? 0;
  }

  /**
   * Takes `cost` for `key` now if it fits and nobody is queued for `key`; otherwise refuses, with
   * how long until it (and everything queued ahead) would fit. Never waits, never throws for a
   * refusal; throws InvalidConfigError for a bad cost.
   */
  tryAcquire(key: string, cost = 1): RateLimitDecision {
    this.#checkCost(cost);
    const now = this.#clock.now();
    const queue = this.#queues.size === 0 ? undefined : this.#queues.get(key);
    if (queue === undefined && this.#take(key, cost, now)) return allowed;
    const retryAfterMs = this.#waitMs(key, cost + (queue?.totalCost ?? 0), now);
    this.#reject(key, cost, retryAfterMs, 'try-acquire');
    return { allowed: false, retryAfterMs };
  }

  /**
   * Resolves once `cost` has been taken for `key`, waiting in the key's FIFO queue if needed.
   * Rejects with RateLimitedError (retryAfterMs set) when the queue is full or the wait would
   * exceed maxWaitMs, with AbortedError when `signal` aborts (the place in the queue is freed),
   * with InvalidConfigError for a bad cost.
   */
  acquire(key: string, cost = 1, signal?: AbortSignal): Promise<void> {
    const costError = this.#costError(cost);
    if (costError !== undefined) return Promise.reject(costError);
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    const now = this.#clock.now();
    const queue = this.#queues.size === 0 ? undefined : this.#queues.get(key);
    if (queue === undefined && this.#take(key, cost, now)) return resolved;
    const waited = this.#wait(key, cost, signal, queue, now);
    return waited instanceof Promise ? waited : rejectLater(waited);
  }

  /**
   * A call that did not fit now: its place in the key's queue, or the refusal when the queue is
   * full or the wait would exceed maxWaitMs (made without a stack, see RateLimitedError.rejection).
   */
  #wait(
    key: string,
    cost: number,
    signal: AbortSignal | undefined,
    queue: KeyQueue | undefined,
    now: number,
  ): Promise<void> | RateLimitedError {
    const waitMs = this.#waitMs(key, cost + (queue?.totalCost ?? 0), now);
    if ((queue?.size ?? 0) >= this.maxQueued) {
      this.#reject(key, cost, waitMs, 'queue-full');
      return RateLimitedError.rejection(waitMs, key);
    }
    if (waitMs > this.maxWaitMs) {
      this.#reject(key, cost, waitMs, 'max-wait');
      return RateLimitedError.rejection(waitMs, key);
    }
    return this.#enqueue(queue ?? this.#newQueue(key, waitMs), cost, signal, waitMs);
  }

  /** Runs `fn` once one unit for the default key has been taken (see `acquire`). */
  execute<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.#run(this.key, fn, signal);
  }

  /**
   * As a layer of compose: admitted at once, `fn` runs in `context` itself; the signal is read
   * only to wait in the queue (see Policy).
   */
  executeContext<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    context: ExecuteContext,
  ): Promise<T> {
    if (isContextAborted(context)) return Promise.reject(new AbortedError(context.signal.reason));
    if (this.#admitNow(this.key)) return invoke(fn, context);
    return this.acquire(this.key, 1, context.signal).then(() => fn(context));
  }

  /** Inline (see inline.ts) when a token is there now; a call that would wait is declined. */
  [inlineEnter](context: ExecuteContext): true | typeof declined {
    if (isContextAborted(context)) throw new AbortedError(context.signal.reason);
    return this.#admitNow(this.key) ? true : declined;
  }

  [inlineInner](_admitted: true, context: ExecuteContext): ExecuteContext {
    return context;
  }

  [inlineExit](_admitted: true, _context: ExecuteContext, failed: boolean, outcome: unknown) {
    if (failed) throw outcome;
    return outcome;
  }

  /** Takes one unit for `key` if nobody is queued for it and it fits now. */
  #admitNow(key: string): boolean {
    return (
      (this.#queues.size === 0 || !this.#queues.has(key)) && this.#take(key, 1, this.#clock.now())
    );
  }

  /** A view of this limiter bound to `key`: same buckets, queues and events. */
  keyed(key: string): KeyedRateLimiter {
    if (typeof key !== 'string') throw new InvalidConfigError('key', 'a string', key);
    return {
      key,
      tryAcquire: (cost = 1) => this.tryAcquire(key, cost),
      acquire: (cost = 1, signal) => this.acquire(key, cost, signal),
      execute: (fn, signal) => this.#run(key, fn, signal),
    };
  }

  #run<T>(
    key: string,
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    const now = this.#clock.now();
    const queue = this.#queues.size === 0 ? undefined : this.#queues.get(key);
    if (queue === undefined && this.#take(key, 1, now)) return invoke(fn, contextFor(signal));
    const waited = this.#wait(key, 1, signal, queue, now);
    if (!(waited instanceof Promise)) return rejectLater(waited);
    return waited.then(() => fn(contextFor(signal)));
  }

  /** Takes `cost` from `key`'s bucket if it fits now, ignoring any queue. */
  #take(key: string, cost: number, now: number): boolean {
    const states = this.#states;
    const state = states.get(key, now);
    const next = this.#algo.take(state, cost, now);
    if (next === undefined) return false;
    if (next !== state) states.set(key, next, now);
    return true;
  }

  #waitMs(key: string, cost: number, now: number): number {
    return this.#algo.waitMs(this.#states.get(key, now), cost, now);
  }

  #newQueue(key: string, waitMs: number): KeyQueue {
    const queue = new KeyQueue(key);
    queue.wake = () => {
      queue.timer = undefined;
      this.#drain(queue);
    };
    this.#queues.set(key, queue);
    this.#arm(queue, waitMs);
    return queue;
  }

  #enqueue(
    queue: KeyQueue,
    cost: number,
    signal: AbortSignal | undefined,
    waitMs: number,
  ): Promise<void> {
    const waiter = new Waiter(cost, signal);
    const promise = new Promise<void>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    queue.push(waiter);
    queue.totalCost += cost;
    if (signal !== undefined) {
      waiter.onAbort = () => this.#abandon(queue, waiter);
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
    if (this.#onWait.size > 0) this.#onWait.fire({ key: queue.key, cost, waitMs });
    return promise;
  }

  #arm(queue: KeyQueue, waitMs: number): void {
    queue.timer = setTimeout(queue.wake, Math.max(1, Math.ceil(waitMs)));
  }

  /** Admits queued callers in order while they fit, then sleeps until the head fits. */
  #drain(queue: KeyQueue): void {
    const now = this.#clock.now();
    for (let waiter = queue.head; waiter !== undefined; waiter = queue.head) {
      if (!this.#take(queue.key, waiter.cost, now)) {
        this.#arm(queue, this.#waitMs(queue.key, waiter.cost, now));
        return;
      }
      this.#dequeue(queue, waiter);
      waiter.resolve();
    }
    this.#queues.delete(queue.key);
  }

  #dequeue(queue: KeyQueue, waiter: Waiter): void {
    queue.remove(waiter);
    queue.totalCost = queue.size === 0 ? 0 : queue.totalCost - waiter.cost;
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }

  /** An abort while queued: free the place, and let the new head go if it fits now. */
  #abandon(queue: KeyQueue, waiter: Waiter): void {
    if (waiter.owner !== queue) return;
    const wasHead = queue.head === waiter;
    this.#dequeue(queue, waiter);
    waiter.reject(new AbortedError(waiter.signal?.reason));
    if (!wasHead) return;
    clearTimeout(queue.timer);
    queue.timer = undefined;
    this.#drain(queue);
  }

  #checkCost(cost: number): void {
    const error = this.#costError(cost);
    if (error !== undefined) throw error;
  }

  #costError(cost: number): InvalidConfigError | undefined {
    if (typeof cost === 'number' && cost > 0 && cost <= this.burst) return undefined;
    return new InvalidConfigError('cost', `a number in (0, ${this.burst}] (the burst)`, cost);
  }

  #reject(key: string, cost: number, retryAfterMs: number, reason: RateLimitRejectEvent['reason']) {
    if (this.#onReject.size > 0) this.#onReject.fire({ key, cost, retryAfterMs, reason });
  }
}

function checkCount(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidConfigError(field, `an integer >= ${min}`, value);
  }
  return value;
}

export function rateLimiter(options: RateLimiterOptions): RateLimiter {
  return new RateLimiter(options);
}

export function isRateLimiter(value: unknown): value is RateLimiter {
  return typeof value === 'object' && value !== null && marker in value;
}
