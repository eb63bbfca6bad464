import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AbortedError, InvalidConfigError, RateLimitedError } from '../errors/index.js';
import {
  attemptContext,
  rateLimiter,
  sleep,
  type ExecuteContext,
  type KeyedRateLimiter,
  type Policy,
  type RateLimiter,
} from '../policies/index.js';
import type { SharedLimitRule } from './shared-backend.js';
import type { SharedStateLink } from './shared-state-link.js';

export interface SharedRateLimiterOptions {
  readonly link: SharedStateLink;
  /** Names the limit in the backend: every process using the same name shares one budget. */
  readonly name: string;
  /** The fleet's sustained rate, in cost units per second. */
  readonly ratePerSecond: number;
  /** The most cost the fleet may take at once after a quiet spell. Default max(1, rate / 10). */
  readonly burst?: number;
  /** Reject with RateLimitedError instead of waiting longer than this. Default Infinity. */
  readonly maxWaitMs?: number;
  /** How often the process says it is alive, for the fallback share. Default 1000 ms. */
  readonly heartbeatMs?: number;
}

/**
 * A rate limit the whole fleet shares (GCRA on the backend: one atomic step per admission, on
 * the backend's clock). Within a process, callers of one key queue behind each other, so only
 * the head of the queue asks the backend and a crowd of waiters does not poll it.
 *
 * If the backend fails, the process falls back to a local limiter at its share of the rate (the
 * rate divided by the number of processes seen alive on the last heartbeat), so an outage does
 * not multiply the fleet's rate by its size; on rejoin it goes back to the shared budget. No call
 * fails because the backend is away.
 */
export class SharedRateLimiter {
  readonly name: string;
  readonly rule: SharedLimitRule;
  readonly maxWaitMs: number;
  readonly #link: SharedStateLink;
  readonly #member = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly #heartbeatMs: number;
  readonly #tails = new Map<string, Promise<void>>();
  #members = 1;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #local: { readonly members: number; readonly limiter: RateLimiter } | undefined;

  constructor(options: SharedRateLimiterOptions) {
    const field = 'sharedRateLimit';
    if (typeof options?.name !== 'string' || options.name.length === 0) {
      throw new InvalidConfigError(`${field}.name`, 'a non-empty string', options?.name);
    }
    const rate = options.ratePerSecond;
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
      throw new InvalidConfigError(`${field}.ratePerSecond`, 'a finite number > 0', rate);
    }
    const burst = options.burst ?? Math.max(1, rate / 10);
    if (typeof burst !== 'number' || !Number.isFinite(burst) || burst < 1) {
      throw new InvalidConfigError(`${field}.burst`, 'a finite number >= 1', burst);
    }
    const maxWaitMs = options.maxWaitMs ?? Infinity;
    if (typeof maxWaitMs !== 'number' || !(maxWaitMs >= 0)) {
      throw new InvalidConfigError(`${field}.maxWaitMs`, 'a number >= 0', maxWaitMs);
    }
    const heartbeatMs = options.heartbeatMs ?? 1000;
    if (typeof heartbeatMs !== 'number' || !Number.isFinite(heartbeatMs) || heartbeatMs <= 0) {
      throw new InvalidConfigError(`${field}.heartbeatMs`, 'a finite number > 0', heartbeatMs);
    }
    this.name = options.name;
    this.rule = Object.freeze({ ratePerSecond: rate, burst });
    this.maxWaitMs = maxWaitMs;
    this.#heartbeatMs = heartbeatMs;
    this.#link = options.link;
  }

  /** Processes sharing the backend on the last heartbeat (1 until the first one answers). */
  get members(): number {
    return this.#members;
  }

  /** Resolves once `cost` has been taken from the fleet's budget for `key`. */
  acquire(key: string, cost = 1, signal?: AbortSignal): Promise<void> {
    if (typeof cost !== 'number' || !(cost > 0) || cost > this.rule.burst) {
      return Promise.reject(
        new InvalidConfigError('cost', `a number in (0, ${this.rule.burst}] (the burst)`, cost),
      );
    }
    this.#startHeartbeat();
    const previous = this.#tails.get(key);
    const mine = (previous ?? Promise.resolve()).then(() => this.#take(key, cost, signal));
    // The next caller waits for this one to be admitted (or to give up), never for its failure.
    const tail = mine.then(
      () => {},
      () => {},
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return mine;
  }

  /** The limit bound to one key, as a policy for `compose`. */
  keyed(key: string): Policy & { readonly key: string } {
    return {
      key,
      execute: async <T>(
        fn: (context: ExecuteContext) => PromiseLike<T> | T,
        signal?: AbortSignal,
      ): Promise<T> => {
        await this.acquire(key, 1, signal);
        return fn(attemptContext(signal, 1));
      },
    };
  }

  async #take(key: string, cost: number, signal: AbortSignal | undefined): Promise<void> {
    let waited = 0;
    for (;;) {
      if (signal?.aborted) throw new AbortedError(signal.reason);
      if (!this.#link.shared) return this.#localLimiter().acquire(cost, signal);
      let waitMs: number;
      try {
        waitMs = await this.#link.backend.take(`${this.name}:${key}`, cost, this.rule);
      } catch (error) {
        this.#link.fail(error);
        continue;
      }
      if (waitMs <= 0) return;
      if (waited + waitMs > this.maxWaitMs) {
        throw new RateLimitedError(waitMs, `${this.name}:${key}`);
      }
      waited += waitMs;
      await sleep(waitMs, signal);
    }
  }

  #localLimiter(): KeyedRateLimiter {
    const members = Math.max(1, this.#members);
    if (this.#local?.members !== members) {
      const rate = this.rule.ratePerSecond / members;
      this.#local = {
        members,
        limiter: rateLimiter({
          ratePerSecond: rate,
          burst: Math.max(1, this.rule.burst / members),
        }),
      };
    }
    return this.#local.limiter.keyed('fallback');
  }

  #startHeartbeat(): void {
    if (this.#heartbeat !== undefined) return;
    const beat = async (): Promise<void> => {
      if (!this.#link.shared) return;
      try {
        this.#members = await this.#link.backend.heartbeat(this.#member, this.#heartbeatMs * 3);
      } catch (error) {
        this.#link.fail(error);
      }
    };
    void beat();
    this.#heartbeat = setInterval(() => void beat(), this.#heartbeatMs);
    this.#heartbeat.unref();
  }

  /** Stops the heartbeat; waiting callers are not affected. */
  close(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}

export function sharedRateLimiter(options: SharedRateLimiterOptions): SharedRateLimiter {
  return new SharedRateLimiter(options);
}
