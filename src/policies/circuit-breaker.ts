import { AbortedError, BreakerOpenError } from '../errors/index.js';
import {
  resolveBreakerOptions,
  type CircuitBreakerOptions,
  type OutcomeVerdict,
  type ResolvedBreakerOptions,
} from './circuit-breaker-options.js';
import { judgeError } from './circuit-breaker-outcome.js';
import {
  checkBreakerSnapshot,
  type CircuitBreakerSnapshot,
  type CircuitState,
} from './circuit-breaker-snapshot.js';
import type {
  BreakerFailureEvent,
  BreakerRejectEvent,
  BreakerStateChange,
  BreakerSuccessEvent,
  BreakerTransitionReason,
} from './circuit-breaker-events.js';
import {
  Permit,
  untrackedPermit,
  type BreakerPermit,
  type PermitSink,
} from './circuit-breaker-permit.js';
import { attemptContext } from './attempt-context.js';
import type { Clock } from './clock.js';
import { isContextAborted } from './context-state.js';
import { rejectLater } from './reject-later.js';
import { invoke } from './static-context.js';
import { EventEmitter, type Event } from './event.js';
import { inlineEnter, inlineExit, inlineInner, type InlinePolicy } from './inline.js';
import type { ExecuteContext, Policy } from './policy.js';
import type {
  CountWindowState,
  SlidingWindow,
  TimeWindowState,
  WindowSnapshot,
} from './sliding-window.js';
import { CountSlidingWindow } from './sliding-window-count.js';
import { TimeSlidingWindow } from './sliding-window-time.js';

/**
 * The circuit breaker: stops calling a service that is failing (or answering too slowly) so it
 * can recover and our callers fail fast, then lets a few probes through to see if it is back.
 * Resilience4j's state machine (CLOSED, OPEN, HALF_OPEN, and the manual FORCED_OPEN, DISABLED,
 * METRICS_ONLY) with cockatiel's shape (a factory, events, JSON state).
 *
 * No timers: time-driven transitions (OPEN to HALF_OPEN, a stuck HALF_OPEN back to OPEN) happen
 * when the breaker is next used or looked at, using the injected clock. Every call is O(1) and
 * reads the clock twice (start and end, for the slow-call rate: performance.now() costs 50-100 ns
 * on a VM, the dearest thing on the path). The success path of `execute` allocates no promise of
 * its own: the caller gets fn's promise, which the breaker watches with one reaction (two small
 * closures); the context object is allocated only when the caller passes a signal.
 *
 * Each admitted call is tagged with the breaker's generation, which changes on every transition,
 * so a call that finishes after the state moved on (a hung probe, a call from before an open)
 * fires its events but cannot disturb the new state's accounting.
 */

const marker = Symbol.for('sluice.policy.circuit-breaker');

/** `execute` with the caller's clock reading as the start (see BreakerRegistry.execute). */
export const executeAt: unique symbol = Symbol('sluice.policy.circuitBreaker.executeAt');
const REJECTED = -1;
const UNTRACKED = -2;

export class CircuitBreaker implements Policy, InlinePolicy<CallTicket> {
  readonly [marker] = true;
  readonly name: string;
  readonly #o: ResolvedBreakerOptions;
  readonly #clock: Clock;
  readonly #slowMs: number;
  readonly #window: SlidingWindow;
  #state: CircuitState = 'CLOSED';
  #generation = 0;
  #consecutiveOpens = 0;
  #openedAt = 0;
  #openUntil = 0;
  // HALF_OPEN: permits handed out (and not returned), verdicts, and since when probes are out.
  #issued = 0;
  #successes = 0;
  #failures = 0;
  #probesSince = 0;

  // Made on first subscription, like the permit sink on first tryAcquire: most per-key
  // breakers never get a listener, and 10,000 of them should not pay for four emitters each.
  #stateChange: EventEmitter<BreakerStateChange> | undefined = undefined;
  #success: EventEmitter<BreakerSuccessEvent> | undefined = undefined;
  #failure: EventEmitter<BreakerFailureEvent> | undefined = undefined;
  #reject: EventEmitter<BreakerRejectEvent> | undefined = undefined;
  #sink: PermitSink | undefined = undefined;
  // One call in flight at a time is the common case (a worker awaiting each call): that call, the
  // solo one, is watched by two reactions made once per breaker instead of two closures per call.
  #soloBusy = false;
  #soloStart = 0;
  #soloGeneration = 0;
  #soloContext: ExecuteContext | undefined = undefined;
  #soloWatch: SoloWatch | undefined = undefined;

  get onStateChange(): Event<BreakerStateChange> {
    return (this.#stateChange ??= new EventEmitter()).event;
  }

  get onSuccess(): Event<BreakerSuccessEvent> {
    return (this.#success ??= new EventEmitter()).event;
  }

  get onFailure(): Event<BreakerFailureEvent> {
    return (this.#failure ??= new EventEmitter()).event;
  }

  get onReject(): Event<BreakerRejectEvent> {
    return (this.#reject ??= new EventEmitter()).event;
  }

  /** Restores a breaker from `toJSON()`; the same as `circuitBreaker({ ...options, restore })`. */
  static fromJSON(
    snapshot: CircuitBreakerSnapshot,
    options: CircuitBreakerOptions = {},
  ): CircuitBreaker {
    return new CircuitBreaker({ ...options, restore: snapshot });
  }

  constructor(options: CircuitBreakerOptions = {}) {
    const o = resolveBreakerOptions(options);
    const restore = o.restore && checkBreakerSnapshot(o.restore, o);
    this.#o = o;
    this.#slowMs = o.slowCallDurationMs;
    this.name = o.name;
    this.#clock = o.clock;
    // The window checks that a restored window state is of its own kind and shape.
    const names = { field: 'circuitBreaker.window', restoreField: 'circuitBreaker.restore.window' };
    this.#window =
      o.window.kind === 'count'
        ? new CountSlidingWindow(o.window.size, {
            ...names,
            restore: restore?.window as CountWindowState | undefined,
          })
        : new TimeSlidingWindow(o.window, {
            ...names,
            clock: o.clock,
            restore: restore?.window as TimeWindowState | undefined,
            restoreAgeMs: o.restoreAgeMs,
          });
    if (restore) this.#restore(restore);
  }

  /** The state now (reading it applies any transition that time has made due). */
  get state(): CircuitState {
    this.#advance(this.#clock.now());
    return this.#state;
  }

  /** What the sliding window holds now. */
  metrics(): WindowSnapshot {
    return this.#window.snapshot(this.#clock.now());
  }

  execute<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    return this.#run(fn, attemptContext(signal, 1));
  }

  /** As a layer of compose: `fn` runs in `context` itself (see Policy). */
  executeContext<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    context: ExecuteContext,
  ): Promise<T> {
    if (isContextAborted(context)) return Promise.reject(new AbortedError(context.signal.reason));
    return this.#run(fn, context);
  }

  /**
   * `execute` for a caller that has just read `clock` (a registry looking the breaker up): its
   * reading is the call's start when it is this breaker's clock, saving a read (~50 ns on a VM).
   */
  [executeAt]<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal: AbortSignal | undefined,
    clock: Clock,
    now: number,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    const start = clock === this.#clock ? now : this.#clock.now();
    return this.#run(fn, attemptContext(signal, 1), start);
  }

  /**
   * Runs `fn` and watches its promise instead of awaiting it in an async frame of our own: the
   * caller gets fn's promise itself, settled one microtask hop sooner, and the breaker records
   * the outcome in a reaction registered before the caller's.
   */
  #run<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    context: ExecuteContext,
    start = this.#clock.now(),
  ): Promise<T> {
    const generation = this.#admit(start);
    if (generation === REJECTED) return rejectLater(this.#rejected(start));
    const promise = invoke(fn, context);
    if (generation === UNTRACKED) return promise;
    if (!this.#soloBusy) {
      this.#soloBusy = true;
      this.#soloStart = start;
      this.#soloGeneration = generation;
      this.#soloContext = context;
      const watch = (this.#soloWatch ??= this.#newSoloWatch());
      promise.then(watch[0], watch[1]);
    } else {
      promise.then(
        () => this.#callSucceeded(generation, start),
        (error: unknown) => this.#callFailed(generation, start, context, error),
      );
    }
    return promise;
  }

  /**
   * The reactions for the solo call: made once (on first use, like the emitters), they read the
   * call's start and generation from the breaker. The slot is freed before the outcome is
   * recorded, since a listener may start the next call.
   */
  #newSoloWatch(): SoloWatch {
    return [
      () => {
        const generation = this.#soloGeneration;
        this.#soloBusy = false;
        this.#soloContext = undefined;
        this.#callSucceeded(generation, this.#soloStart);
      },
      (error: unknown) => {
        const { generation, start, context } = this.#releaseSolo();
        this.#callFailed(generation, start, context, error);
      },
    ];
  }

  #releaseSolo(): { generation: number; start: number; context: ExecuteContext } {
    const context = this.#soloContext!;
    this.#soloBusy = false;
    this.#soloContext = undefined;
    return { generation: this.#soloGeneration, start: this.#soloStart, context };
  }

  [inlineEnter](context: ExecuteContext): CallTicket {
    if (isContextAborted(context)) throw new AbortedError(context.signal.reason);
    const start = this.#clock.now();
    const generation = this.#admit(start);
    if (generation === REJECTED) throw this.#rejected(start);
    return new CallTicket(start, generation);
  }

  [inlineInner](_ticket: CallTicket, context: ExecuteContext): ExecuteContext {
    return context;
  }

  [inlineExit](
    ticket: CallTicket,
    context: ExecuteContext,
    failed: boolean,
    outcome: unknown,
  ): unknown {
    const generation = ticket.generation;
    if (failed) {
      if (generation !== UNTRACKED) this.#callFailed(generation, ticket.start, context, outcome);
      throw outcome;
    }
    if (generation !== UNTRACKED) this.#callSucceeded(generation, ticket.start);
    return outcome;
  }

  #callSucceeded(generation: number, start: number): void {
    const end = this.#clock.now();
    if (
      this.#state === 'CLOSED' &&
      generation === this.#generation &&
      this.#success === undefined
    ) {
      // The success path of #succeeded and #settle when nothing listens and nothing moved on.
      this.#window.record('success', end - start >= this.#slowMs, end);
      this.#evaluate(end);
    } else {
      this.#succeeded(generation, end - start, end);
    }
  }

  #callFailed(generation: number, start: number, context: ExecuteContext, error: unknown): void {
    const end = this.#clock.now();
    this.#failed(generation, error, end - start, isContextAborted(context), end);
  }

  /**
   * For callers that run the work themselves: a permit to settle when it ends, or the error to
   * fail fast with. `signal` is the caller's, so its abort is recognised as the caller's own.
   */
  tryAcquire(signal?: AbortSignal): BreakerPermit | BreakerOpenError {
    const now = this.#clock.now();
    const generation = this.#admit(now);
    if (generation === REJECTED) return this.#rejected(now);
    if (generation === UNTRACKED) return untrackedPermit;
    return new Permit((this.#sink ??= this.#newSink()), generation, signal);
  }

  /**
   * Back to CLOSED with an empty window and no open-duration growth. Calls admitted before the
   * reset no longer count, even if it was CLOSED already.
   */
  reset(): void {
    this.#window.reset();
    this.#consecutiveOpens = 0;
    this.#generation++;
    this.#transition('CLOSED', 'reset');
  }

  /** FORCED_OPEN: reject every call until reset(). */
  isolate(): void {
    this.#transition('FORCED_OPEN', 'isolate');
  }

  /** DISABLED: admit every call, record nothing, never transition, until reset(). */
  disable(): void {
    this.#transition('DISABLED', 'disable');
  }

  /** METRICS_ONLY: admit every call and record it (metrics, events), never open, until reset(). */
  metricsOnly(): void {
    this.#transition('METRICS_ONLY', 'metrics-only');
  }

  toJSON(): CircuitBreakerSnapshot {
    const now = this.#clock.now();
    this.#advance(now);
    const base = { version: 1, consecutiveOpens: this.#consecutiveOpens } as const;
    const window = this.#window.toJSON(now);
    switch (this.#state) {
      case 'OPEN':
        return {
          ...base,
          state: 'OPEN',
          openedAgoMs: now - this.#openedAt,
          remainingMs: Math.max(0, this.#openUntil - now),
          window,
        };
      case 'HALF_OPEN':
        return {
          ...base,
          state: 'HALF_OPEN',
          successes: this.#successes,
          failures: this.#failures,
          window,
        };
      default:
        return { ...base, state: this.#state, window };
    }
  }

  /** Admits a call: the generation to settle it under, REJECTED, or UNTRACKED (DISABLED). */
  #admit(now: number): number {
    // CLOSED admits without looking at time (#advance never leaves CLOSED): the common case
    // skips the state machine.
    if (this.#state === 'CLOSED') return this.#generation;
    this.#advance(now);
    switch (this.#state) {
      case 'METRICS_ONLY':
        return this.#generation;
      case 'HALF_OPEN':
        if (this.#issued === this.#o.permits) return REJECTED;
        if (this.#issued === this.#successes + this.#failures) this.#probesSince = now;
        this.#issued++;
        return this.#generation;
      case 'DISABLED':
        return UNTRACKED;
      default:
        return REJECTED;
    }
  }

  /** Applies the transitions time has made due: OPEN elapsed, HALF_OPEN stuck past maxWait. */
  #advance(now: number): void {
    if (this.#state === 'OPEN') {
      if (now >= this.#openUntil) {
        this.#issued = this.#successes = this.#failures = 0;
        this.#transition('HALF_OPEN', 'open-duration-elapsed');
      }
    } else if (
      this.#state === 'HALF_OPEN' &&
      this.#issued > this.#successes + this.#failures &&
      now - this.#probesSince >= this.#o.maxWaitMs
    ) {
      this.#open(now, 'half-open-timeout');
    }
  }

  #rejected(now: number): BreakerOpenError {
    const state = this.#state as 'OPEN' | 'FORCED_OPEN' | 'HALF_OPEN';
    const retryAfterMs = state === 'OPEN' ? Math.max(0, this.#openUntil - now) : undefined;
    const error = BreakerOpenError.rejection(state, retryAfterMs, this.name);
    const reject = this.#reject;
    if (reject !== undefined && reject.size > 0) reject.fire({ error });
    return error;
  }

  #newSink(): PermitSink {
    return {
      succeeded: (generation, durationMs) =>
        this.#succeeded(generation, durationMs, this.#clock.now()),
      failed: (generation, error, durationMs, callerAborted) =>
        this.#failed(generation, error, durationMs, callerAborted, this.#clock.now()),
      ignored: (generation) => this.#settle(generation, 'ignore', 0, this.#clock.now()),
    };
  }

  #succeeded(generation: number, durationMs: number, now: number): void {
    const success = this.#success;
    if (success !== undefined && success.size > 0) {
      success.fire({ durationMs, slow: durationMs >= this.#o.slowCallDurationMs });
    }
    this.#settle(generation, 'success', durationMs, now);
  }

  #failed(
    generation: number,
    error: unknown,
    durationMs: number,
    callerAborted: boolean,
    now: number,
  ): void {
    const verdict = this.#judge(error, callerAborted);
    const failure = this.#failure;
    if (failure !== undefined && failure.size > 0) {
      const slow = durationMs >= this.#o.slowCallDurationMs;
      failure.fire({ error, durationMs, slow, recordedAs: verdict });
    }
    this.#settle(generation, verdict, durationMs, now);
  }

  /** A throwing isFailure or classifier must not hide the call's own error: count it, report it. */
  #judge(error: unknown, callerAborted: boolean): OutcomeVerdict {
    try {
      return judgeError(error, callerAborted, this.#o);
    } catch (hookError) {
      queueMicrotask(() => {
        throw hookError;
      });
      return 'failure';
    }
  }

  /** Records a call's verdict at time `now`, if it belongs to the current state. */
  #settle(generation: number, verdict: OutcomeVerdict, durationMs: number, now: number): void {
    this.#advance(now);
    if (generation !== this.#generation) return;
    const slow = durationMs >= this.#o.slowCallDurationMs;
    switch (this.#state) {
      case 'CLOSED':
        if (verdict !== 'ignore') {
          this.#window.record(verdict, slow, now);
          this.#evaluate(now);
        }
        return;
      case 'METRICS_ONLY':
        if (verdict !== 'ignore') this.#window.record(verdict, slow, now);
        return;
      case 'HALF_OPEN':
        this.#probe(verdict, slow, now);
        return;
      default:
        return;
    }
  }

  /** CLOSED: open once the window holds enough calls and either rate reaches its threshold. */
  #evaluate(now: number): void {
    const window = this.#window; // just recorded into, so its counts are as of now
    const calls = window.calls;
    if (calls < this.#o.minimumCalls) return;
    if (window.failures / calls >= this.#o.failureRateThreshold) {
      this.#open(now, 'failure-rate');
    } else if (window.slowCalls / calls >= this.#o.slowCallRateThreshold) {
      this.#open(now, 'slow-call-rate');
    }
  }

  /**
   * HALF_OPEN: a healthy probe (a success, not slow) counts toward successThreshold; any other
   * verdict-bearing probe is a failure, and the breaker re-opens as soon as the remaining
   * permits can no longer reach the threshold. An ignored probe gives its permit back.
   */
  #probe(verdict: OutcomeVerdict, slow: boolean, now: number): void {
    const o = this.#o;
    if (verdict === 'ignore') {
      this.#issued--;
    } else if (verdict === 'success' && !slow) {
      if (++this.#successes >= o.successThreshold) {
        this.#window.reset();
        this.#consecutiveOpens = 0;
        this.#transition('CLOSED', 'probes-succeeded');
      }
    } else if (o.permits - ++this.#failures < o.successThreshold) {
      this.#open(now, 'probe-failed');
    }
  }

  #open(now: number, reason: BreakerTransitionReason): void {
    const o = this.#o;
    const n = ++this.#consecutiveOpens;
    const duration = Math.min(o.maxOpenDurationMs, o.openDurationMs * o.growthFactor ** (n - 1));
    this.#openedAt = now;
    this.#openUntil = now + duration;
    this.#transition('OPEN', reason);
  }

  #transition(to: CircuitState, reason: BreakerTransitionReason): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#generation++;
    const stateChange = this.#stateChange;
    if (stateChange !== undefined && stateChange.size > 0) stateChange.fire({ from, to, reason });
  }

  #restore(snapshot: CircuitBreakerSnapshot): void {
    const now = this.#clock.now();
    const age = this.#o.restoreAgeMs;
    this.#state = snapshot.state;
    this.#consecutiveOpens = snapshot.consecutiveOpens;
    if (snapshot.state === 'OPEN') {
      this.#openedAt = now - snapshot.openedAgoMs - age;
      this.#openUntil = now + snapshot.remainingMs - age;
    } else if (snapshot.state === 'HALF_OPEN') {
      this.#successes = snapshot.successes;
      this.#failures = snapshot.failures;
      this.#issued = snapshot.successes + snapshot.failures;
    }
  }
}

/** The solo call's reactions: on success, on failure. */
type SoloWatch = readonly [() => void, (error: unknown) => void];

/** What the breaker's inline exit needs to know about a call. */
class CallTicket {
  constructor(
    readonly start: number,
    readonly generation: number,
  ) {}
}

export function circuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  return new CircuitBreaker(options);
}

export function isCircuitBreaker(value: unknown): value is CircuitBreaker {
  return typeof value === 'object' && value !== null && marker in value;
}
