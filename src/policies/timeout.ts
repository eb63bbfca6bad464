import { AbortedError, InvalidConfigError, TimeoutError } from '../errors/index.js';
import { isContextAborted, peekAborted } from './context-state.js';
import { EventEmitter, type Event } from './event.js';
import { declined, inlineEnter, inlineExit, inlineInner, type InlinePolicy } from './inline.js';
import type { ExecuteContext, Policy } from './policy.js';
import { sharedTimerWheel, TimerEntry, type TimerWheel } from './timer-wheel.js';

/**
 * The timeout policy, built to be cheap on the success path. A naive timeout (cockatiel's) pays
 * per call for an AbortController (~3 us in Node 20 once its signal is touched), a setTimeout +
 * clearTimeout and an abort listener: tens of microseconds. Here a call costs one small object
 * that is at once the wheel entry and the ExecuteContext handed to `fn`, a push onto the shared
 * coarse timer wheel (see timer-wheel.ts for the resolution: fires ms to ms + 2 ticks late, never
 * early) and its removal. The AbortController is created lazily, only if `fn` reads
 * `context.signal`, and only then linked to the caller's signal; the link is removed on settle.
 *
 * Strategies:
 * - cooperative (default): `fn`'s signal aborts at the deadline with a TimeoutError reason; the
 *   policy waits for `fn` and, if the deadline passed before it settled, rejects with
 *   TimeoutError (cause: fn's error, if any), discarding a late value.
 * - aggressive: the policy rejects with TimeoutError at the deadline, aborting the signal too;
 *   `fn` keeps running in the background and its late value or rejection is swallowed.
 *
 * The caller's signal: aborted before the call, it rejects with AbortedError without running
 * `fn`; aborted during, it aborts `fn`'s signal (with the caller's reason). Cooperative then
 * waits for `fn` and rejects with AbortedError if `fn` failed; aggressive rejects at once.
 */

const marker = Symbol.for('sluice.policy.timeout');

export type TimeoutStrategy = 'cooperative' | 'aggressive';

export interface TimeoutOptions {
  /** Default 'cooperative'. */
  readonly strategy?: TimeoutStrategy;
  /** The coarse timer to use. Default: the shared 5 ms wheel. */
  readonly wheel?: TimerWheel;
}

export interface TimeoutEvent {
  readonly timeoutMs: number;
  readonly strategy: TimeoutStrategy;
}

/**
 * One call: the wheel entry and the context `fn` gets. The caller is either a signal (`execute`)
 * or, through `executeContext`, the outer policy's context, whose own signal (perhaps lazy too)
 * is then read only when this call's signal is made or a failure needs to know.
 */
class TimeoutCall extends TimerEntry implements ExecuteContext {
  timedOut = false;
  settled = false;
  linked = false;
  controller: AbortController | undefined = undefined;

  constructor(
    readonly policy: TimeoutPolicy,
    public caller: AbortSignal | undefined,
    readonly outer: ExecuteContext | undefined,
  ) {
    super();
  }

  /** The outer context's attempt, flowing inward; 1 when called through `execute`. */
  get attempt(): number {
    return this.outer === undefined ? 1 : this.outer.attempt;
  }

  get signal(): AbortSignal {
    let controller = this.controller;
    if (controller === undefined) {
      controller = this.controller = new AbortController();
      const caller = this.callerSignal();
      if (this.timedOut) controller.abort(new TimeoutError(this.policy.timeoutMs));
      else if (caller?.aborted) controller.abort(caller.reason);
      else if (caller !== undefined && !this.settled && !this.linked) {
        caller.addEventListener('abort', this);
        this.linked = true;
      }
    }
    return controller.signal;
  }

  /** Whether `signal` is, or once made will be, aborted; makes neither it nor the caller's. */
  get [peekAborted](): boolean {
    if (this.timedOut) return true;
    if (this.controller !== undefined) return this.controller.signal.aborted;
    return this.callerAborted();
  }

  /** The caller's signal, read from the outer context on first need. */
  callerSignal(): AbortSignal | undefined {
    if (this.caller === undefined && this.outer !== undefined) this.caller = this.outer.signal;
    return this.caller;
  }

  callerAborted(): boolean {
    if (this.caller !== undefined) return this.caller.aborted;
    return this.outer !== undefined && isContextAborted(this.outer);
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    this.controller?.abort(this.caller?.reason);
  }

  onTimer(): void {
    this.timedOut = true;
    this.controller?.abort(new TimeoutError(this.policy.timeoutMs));
    this.policy.reportTimeout();
  }

  /** Leaves the wheel and the caller's signal. */
  finish(wheel: TimerWheel): void {
    this.settled = true;
    wheel.cancel(this);
    if (this.linked) {
      this.linked = false;
      this.caller?.removeEventListener('abort', this);
    }
  }
}

/** An aggressive call also settles the policy's promise itself, whichever comes first. */
class AggressiveCall<T> extends TimeoutCall {
  resolve: (value: T) => void = noop;
  reject: (error: unknown) => void = noop;

  ok(value: T): void {
    if (this.settled) return;
    this.finish(this.policy.wheel);
    this.resolve(value);
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.finish(this.policy.wheel);
    this.reject(error);
  }

  override handleEvent(): void {
    super.handleEvent();
    if (this.settled) return;
    this.finish(this.policy.wheel);
    this.reject(new AbortedError(this.caller?.reason));
  }

  override onTimer(): void {
    super.onTimer();
    if (this.settled) return;
    this.finish(this.policy.wheel);
    this.reject(new TimeoutError(this.policy.timeoutMs));
  }
}

function noop(): void {}

export class TimeoutPolicy implements Policy, InlinePolicy<TimeoutCall> {
  readonly [marker] = true;
  readonly timeoutMs: number;
  readonly strategy: TimeoutStrategy;
  readonly wheel: TimerWheel;
  readonly #onTimeout = new EventEmitter<TimeoutEvent>();
  /** The deadline passed before `fn` settled. */
  readonly onTimeout: Event<TimeoutEvent> = this.#onTimeout.event;

  constructor(timeoutMs: number, options: TimeoutOptions = {}) {
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0 && timeoutMs < 2 ** 31)) {
      throw new InvalidConfigError('timeout.ms', 'a number in (0, 2147483648)', timeoutMs);
    }
    if (typeof options !== 'object' || options === null) {
      throw new InvalidConfigError('timeout.options', 'an options object', options);
    }
    const strategy = options.strategy ?? 'cooperative';
    if (strategy !== 'cooperative' && strategy !== 'aggressive') {
      throw new InvalidConfigError('timeout.strategy', "'cooperative' or 'aggressive'", strategy);
    }
    this.timeoutMs = timeoutMs;
    this.strategy = strategy;
    this.wheel = options.wheel ?? sharedTimerWheel;
  }

  execute<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    return this.strategy === 'cooperative'
      ? this.#cooperative(fn, new TimeoutCall(this, signal, undefined))
      : this.#aggressive(fn, new AggressiveCall<T>(this, signal, undefined));
  }

  /**
   * As a layer of compose: the outer context's signal is read only if `fn` reads this call's
   * signal, or on a failure (see Policy). The aggressive strategy must hear the caller's abort
   * at once, so it reads the outer signal up front.
   */
  executeContext<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    context: ExecuteContext,
  ): Promise<T> {
    if (isContextAborted(context)) return Promise.reject(new AbortedError(context.signal.reason));
    return this.strategy === 'cooperative'
      ? this.#cooperative(fn, new TimeoutCall(this, undefined, context))
      : this.#aggressive(fn, new AggressiveCall<T>(this, context.signal, context));
  }

  /** @internal Called by a call whose deadline passed. */
  reportTimeout(): void {
    if (this.#onTimeout.size > 0) {
      this.#onTimeout.fire({ timeoutMs: this.timeoutMs, strategy: this.strategy });
    }
  }

  async #cooperative<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    call: TimeoutCall,
  ): Promise<T> {
    this.wheel.schedule(call, this.timeoutMs);
    let value: T;
    try {
      value = await fn(call);
    } catch (error) {
      return this.#settle(call, true, error) as T;
    }
    return this.#settle(call, false, value) as T;
  }

  /** The cooperative strategy's end of a call: the value, or the error to reject with. */
  #settle(call: TimeoutCall, failed: boolean, outcome: unknown): unknown {
    call.finish(this.wheel);
    if (failed) {
      if (call.timedOut) throw new TimeoutError(this.timeoutMs, { cause: outcome });
      if (call.callerAborted()) throw new AbortedError(call.callerSignal()?.reason);
      throw outcome;
    }
    if (call.timedOut) throw new TimeoutError(this.timeoutMs);
    return outcome;
  }

  /** Inline (see inline.ts), cooperative only: the aggressive strategy settles on its own. */
  [inlineEnter](context: ExecuteContext): TimeoutCall | typeof declined {
    if (this.strategy !== 'cooperative') return declined;
    if (isContextAborted(context)) throw new AbortedError(context.signal.reason);
    const call = new TimeoutCall(this, undefined, context);
    this.wheel.schedule(call, this.timeoutMs);
    return call;
  }

  [inlineInner](call: TimeoutCall): ExecuteContext {
    return call;
  }

  [inlineExit](call: TimeoutCall, _context: ExecuteContext, failed: boolean, outcome: unknown) {
    return this.#settle(call, failed, outcome);
  }

  #aggressive<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    call: AggressiveCall<T>,
  ): Promise<T> {
    const promise = new Promise<T>((resolve, reject) => {
      call.resolve = resolve;
      call.reject = reject;
    });
    this.wheel.schedule(call, this.timeoutMs);
    const signal = call.caller;
    if (signal !== undefined) {
      signal.addEventListener('abort', call);
      call.linked = true;
    }
    try {
      const result = fn(call);
      if (isThenable(result)) {
        result.then(
          (value) => call.ok(value),
          (error: unknown) => call.fail(error),
        );
      } else call.ok(result);
    } catch (error) {
      call.fail(error);
    }
    return promise;
  }
}

function isThenable<T>(value: PromiseLike<T> | T): value is PromiseLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

export function timeout(ms: number, options?: TimeoutOptions): TimeoutPolicy {
  return new TimeoutPolicy(ms, options);
}

export function isTimeoutPolicy(value: unknown): value is TimeoutPolicy {
  return typeof value === 'object' && value !== null && marker in value;
}
