import type { CommitResult, Outcome, Store } from '../store/index.js';

export interface CommitBufferOptions {
  /** Flush when this many outcomes wait. Default 500. */
  readonly maxBatch?: number;
  /** Flush at the latest this long after the first outcome arrived. Default 5 ms. */
  readonly maxDelayMs?: number;
  readonly now: () => number;
  /** Called after each flush with what it applied and which leases were stale. */
  readonly onFlush?: (result: CommitResult, outcomes: readonly Outcome[]) => void;
  /** Called when a flush fails; the outcomes stay buffered and are tried again. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Group commit: handlers finish one by one, but their outcomes reach the store in batches, one
 * transaction per flush, every few milliseconds or every `maxBatch` outcomes. That turns
 * thousands of small writes per second into a few hundred transactions. Flushes run one at a
 * time and in arrival order. If the process dies before a flush, those items are still leased
 * and come back when their leases expire: nothing is lost, the handler just runs again.
 */
export class CommitBuffer {
  readonly #store: Store;
  readonly #maxBatch: number;
  readonly #maxDelayMs: number;
  readonly #options: CommitBufferOptions;
  #pending: Outcome[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> | undefined;
  #idleWaiters: (() => void)[] = [];
  #failures = 0;

  constructor(store: Store, options: CommitBufferOptions) {
    this.#store = store;
    this.#options = options;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 5;
  }

  /** Outcomes waiting for a flush, or being flushed. */
  get size(): number {
    return this.#pending.length;
  }

  /** More than four batches wait: claimers should let the writer catch up first. */
  get backlogged(): boolean {
    return this.#pending.length > 4 * this.#maxBatch;
  }

  add(outcome: Outcome): void {
    this.#pending.push(outcome);
    if (this.#pending.length >= this.#maxBatch) this.#startFlush();
    else this.#timer ??= setTimeout(this.#onTimer, this.#maxDelayMs);
  }

  /** Writes everything buffered now and resolves when the store has it (or rejects). */
  async flush(): Promise<void> {
    while (this.#pending.length > 0 || this.#flushing) {
      if (this.#flushing) await this.#flushing;
      else await this.#flushOnce();
    }
  }

  /** Resolves when nothing is buffered or being written. */
  idle(): Promise<void> {
    if (this.#pending.length === 0 && !this.#flushing) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * A fired timer is forgotten first: if a flush is in flight, #startFlush does nothing, and the
   * flush's end must then be free to set a new timer for what arrived meanwhile (with a store
   * whose commit takes real time, a kept handle left those outcomes waiting forever).
   */
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#startFlush();
  };

  #startFlush(): void {
    if (this.#flushing) return;
    void this.#flushOnce().catch(() => undefined);
  }

  #flushOnce(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending.splice(0, this.#maxBatch);
    const flushing = (async () => {
      try {
        if (batch.length === 0) return;
        const result = await this.#store.commit(batch, this.#options.now());
        this.#options.onFlush?.(result, batch);
        this.#failures = 0;
      } catch (error) {
        // Keep the batch, ahead of anything newer, and try again after a growing pause (a locked
        // or full database should not be hammered every few milliseconds).
        this.#pending = [...batch, ...this.#pending];
        this.#failures += 1;
        this.#options.onError?.(error);
        throw error;
      } finally {
        this.#flushing = undefined;
        if (this.#failures > 0) {
          this.#timer ??= setTimeout(
            this.#onTimer,
            Math.min(1000, this.#maxDelayMs * 2 ** this.#failures),
          );
        } else if (this.#pending.length >= this.#maxBatch) this.#startFlush();
        else if (this.#pending.length > 0) {
          this.#timer ??= setTimeout(this.#onTimer, this.#maxDelayMs);
        } else {
          const waiters = this.#idleWaiters;
          this.#idleWaiters = [];
          for (const resolve of waiters) resolve();
        }
      }
    })();
    this.#flushing = flushing;
    return flushing;
  }
}
