import { AbortedError, BulkheadFullError, InvalidConfigError } from '../errors/index.js';
import { EventEmitter, type Event } from './event.js';
import { declined, inlineEnter, inlineExit, inlineInner, type InlinePolicy } from './inline.js';
import { IntrusiveList, ListNode } from './intrusive-list.js';
import type { ExecuteContext, Policy } from './policy.js';
import { neverAbortedSignal } from './attempt-context.js';
import { isContextAborted } from './context-state.js';
import { rejectLater } from './reject-later.js';
import { contextFor, invoke } from './static-context.js';

/**
 * The bulkhead policy: at most `maxConcurrent` calls run at once and at most `maxQueued` wait,
 * in FIFO order; any more are rejected at once with BulkheadFullError, so one slow service
 * cannot tie up every worker. A finishing call hands its slot straight to the head of the queue.
 * A queued call whose signal aborts leaves the queue at once (O(1): the queue is an intrusive
 * list) and rejects with AbortedError; no slot or queue place can leak, whatever the timing.
 */

const marker = Symbol.for('sluice.policy.bulkhead');

export interface BulkheadOptions {
  readonly maxConcurrent: number;
  /** Default 0: no queue, reject as soon as every slot is busy. */
  readonly maxQueued?: number;
}

export interface BulkheadRejectEvent {
  readonly maxConcurrent: number;
  readonly maxQueued: number;
}

class BulkheadWaiter extends ListNode {
  resolve: () => void = noop;
  reject: (error: unknown) => void = noop;
  onAbort: (() => void) | undefined = undefined;

  constructor(readonly signal: AbortSignal | undefined) {
    super();
  }
}

function noop(): void {}

export class BulkheadPolicy implements Policy, InlinePolicy<true> {
  readonly [marker] = true;
  readonly maxConcurrent: number;
  readonly maxQueued: number;
  #running = 0;
  readonly #queue = new IntrusiveList<BulkheadWaiter>();
  readonly #onReject = new EventEmitter<BulkheadRejectEvent>();
  /** A call found every slot and every queue place taken. */
  readonly onReject: Event<BulkheadRejectEvent> = this.#onReject.event;

  constructor(options: BulkheadOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidConfigError('bulkhead', 'an options object', options);
    }
    this.maxConcurrent = checkCount('bulkhead.maxConcurrent', options.maxConcurrent, 1);
    this.maxQueued = checkCount('bulkhead.maxQueued', options.maxQueued ?? 0, 0);
  }

  /** Free execution slots. */
  get executionSlots(): number {
    return this.maxConcurrent - this.#running;
  }

  /** Free queue places. */
  get queueSlots(): number {
    return this.maxQueued - this.#queue.size;
  }

  execute<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    return this.#run(fn, contextFor(signal));
  }

  /** As a layer of compose: `fn` runs in `context` itself (see Policy). */
  executeContext<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    context: ExecuteContext,
  ): Promise<T> {
    if (isContextAborted(context)) return Promise.reject(new AbortedError(context.signal.reason));
    return this.#run(fn, context);
  }

  #run<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    context: ExecuteContext,
  ): Promise<T> {
    if (this.#running < this.maxConcurrent) {
      this.#running++;
      // A slot now: hand the caller fn's own promise and free the slot in a reaction that runs
      // before the caller's (no async frame of ours on the common path).
      const promise = invoke(fn, context);
      promise.then(this.#released, this.#released);
      return promise;
    }
    if (this.#queue.size < this.maxQueued) return this.#queued(fn, context);
    return rejectLater(this.#full());
  }

  readonly #released = (): void => this.#release();

  async #queued<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    context: ExecuteContext,
  ): Promise<T> {
    // Waiting must hear an abort, so only now is the signal read.
    const signal = context.signal;
    await this.#wait(signal === neverAbortedSignal ? undefined : signal);
    // Handed a slot: the caller may have aborted as it was handed over.
    try {
      if (isContextAborted(context)) throw new AbortedError(context.signal.reason);
      return await fn(context);
    } finally {
      this.#release();
    }
  }

  /** Inline (see inline.ts) when a slot is free now; a call that would queue is declined. */
  [inlineEnter](context: ExecuteContext): true | typeof declined {
    if (isContextAborted(context)) throw new AbortedError(context.signal.reason);
    if (this.#running < this.maxConcurrent) {
      this.#running++;
      return true;
    }
    if (this.#queue.size < this.maxQueued) return declined;
    throw this.#full();
  }

  [inlineInner](_slot: true, context: ExecuteContext): ExecuteContext {
    return context;
  }

  [inlineExit](_slot: true, _context: ExecuteContext, failed: boolean, outcome: unknown): unknown {
    this.#release();
    if (failed) throw outcome;
    return outcome;
  }

  #full(): BulkheadFullError {
    if (this.#onReject.size > 0) {
      this.#onReject.fire({ maxConcurrent: this.maxConcurrent, maxQueued: this.maxQueued });
    }
    return BulkheadFullError.rejection(this.maxConcurrent, this.maxQueued);
  }

  /** Waits for a slot handed over by `#release`. */
  #wait(signal: AbortSignal | undefined): Promise<void> {
    const waiter = new BulkheadWaiter(signal);
    const promise = new Promise<void>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    this.#queue.push(waiter);
    if (signal !== undefined) {
      waiter.onAbort = () => {
        if (!this.#queue.remove(waiter)) return;
        waiter.reject(new AbortedError(signal.reason));
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
    return promise;
  }

  #release(): void {
    const next = this.#queue.shift();
    if (next === undefined) {
      this.#running--;
      return;
    }
    if (next.onAbort !== undefined) next.signal?.removeEventListener('abort', next.onAbort);
    next.resolve();
  }
}

function checkCount(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidConfigError(field, `an integer >= ${min}`, value);
  }
  return value;
}

export function bulkhead(maxConcurrent: number, maxQueued = 0): BulkheadPolicy {
  return new BulkheadPolicy({ maxConcurrent, maxQueued });
}

export function isBulkhead(value: unknown): value is BulkheadPolicy {
  return typeof value === 'object' && value !== null && marker in value;
}
