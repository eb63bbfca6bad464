import { BreakerOpenError, InvalidConfigError } from '../errors/index.js';
import {
  EventEmitter,
  attemptContext,
  circuitBreaker,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  type Event,
  type ExecuteContext,
  type Policy,
} from '../policies/index.js';
import {
  resolveBreakerOptions,
  type ResolvedBreakerOptions,
} from '../policies/circuit-breaker-options.js';
import { judgeError } from '../policies/circuit-breaker-outcome.js';
import type {
  SharedBreakerChange,
  SharedBreakerRule,
  SharedBreakerState,
  SharedBreakerView,
} from './shared-backend.js';
import type { SharedStateLink } from './shared-state-link.js';

export interface SharedCircuitBreakerOptions extends Omit<CircuitBreakerOptions, 'restore'> {
  readonly link: SharedStateLink;
  /** Names the breaker in the backend: every process using it shares one state machine. */
  readonly name: string;
  /**
   * Successes are reported to the backend in batches, at most this long after they happen
   * (failures at once, since they may trip it). Default 250 ms.
   */
  readonly flushMs?: number;
}

export interface SharedBreakerStateChange {
  readonly from: SharedBreakerState;
  readonly to: SharedBreakerState;
}

/** The windows a shared breaker counts over when the options name a count window. */
export const defaultSharedWindowSeconds = 10;

/**
 * A circuit breaker whose state the whole fleet shares: one process's failures count toward the
 * fleet's failure rate, an open breaker is open everywhere at once (pushed over the backend's
 * pub/sub), and a half-open round admits `halfOpen.permits` probes across the fleet, not per
 * process (the permit is taken atomically on the backend).
 *
 * Cost: a closed breaker's call makes no backend round trip (successes are batched, failures
 * sent as they happen); an open one rejects locally until its open time runs out; only then,
 * and in half-open, does a call ask the backend. Counting is over a time window of whole seconds
 * (`window.seconds`, or 10 s when a count window is configured); the slow-call rate and
 * open-duration growth stay local features.
 *
 * When the backend fails, the process falls back to a local breaker with the same options (see
 * SharedStateLink) and rejoins the shared state when the backend answers again.
 */
export class SharedCircuitBreaker implements Policy {
  readonly name: string;
  readonly rule: SharedBreakerRule;
  readonly #options: ResolvedBreakerOptions;
  readonly #localOptions: CircuitBreakerOptions;
  readonly #link: SharedStateLink;
  readonly #flushMs: number;
  #state: SharedBreakerState = 'closed';
  #until = 0;
  #generation = -1;
  #calls = 0;
  #failures = 0;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #local: CircuitBreaker | undefined;
  #unsubscribe: Promise<() => Promise<void>> | undefined;
  readonly #ready: Promise<void>;
  readonly #onStateChange = new EventEmitter<SharedBreakerStateChange>();
  /** The fleet's breaker changed state, as this process learnt it. */
  readonly onStateChange: Event<SharedBreakerStateChange> = this.#onStateChange.event;

  constructor(options: SharedCircuitBreakerOptions) {
    const { link, flushMs = 250, ...breakerOptions } = options;
    if (typeof options?.name !== 'string' || options.name.length === 0) {
      throw new InvalidConfigError(
        'sharedCircuitBreaker.name',
        'a non-empty string',
        options?.name,
      );
    }
    if (typeof flushMs !== 'number' || !Number.isFinite(flushMs) || flushMs <= 0) {
      throw new InvalidConfigError('sharedCircuitBreaker.flushMs', 'a finite number > 0', flushMs);
    }
    const resolved = resolveBreakerOptions(breakerOptions);
    this.name = options.name;
    this.#options = resolved;
    this.#localOptions = breakerOptions;
    this.#link = link;
    this.#flushMs = flushMs;
    this.rule = Object.freeze({
      failureRateThreshold: resolved.failureRateThreshold,
      minimumCalls: resolved.minimumCalls,
      windowSeconds:
        resolved.window.kind === 'time'
          ? Math.max(1, Math.round(resolved.window.seconds))
          : defaultSharedWindowSeconds,
      openDurationMs: resolved.openDurationMs,
      permits: resolved.permits,
      successThreshold: resolved.successThreshold,
      maxWaitMs: resolved.maxWaitMs,
    });
    // Subscribe first, then read: a transition between the two is still seen (by one or the
    // other; #apply keeps the newer generation).
    this.#unsubscribe = link.backend
      .subscribe((change) => this.#onChange(change))
      .catch((error: unknown) => {
        link.fail(error);
        return async () => {};
      });
    this.#ready = this.#unsubscribe.then(() => this.refresh());
    link.onRejoin(() => {
      // Back on the shared state: forget what the local breaker learnt, re-read the fleet's.
      this.#local = undefined;
      this.#generation = -1;
      void this.refresh();
    });
  }

  /** The state this process last learnt (OPEN / CLOSED / HALF_OPEN, like CircuitBreaker). */
  get state(): 'CLOSED' | 'OPEN' | 'HALF_OPEN' {
    if (!this.#link.shared && this.#local) {
      const local = this.#local.state;
      if (local === 'FORCED_OPEN') return 'OPEN';
      return local === 'OPEN' || local === 'HALF_OPEN' ? local : 'CLOSED';
    }
    return this.#state === 'closed' ? 'CLOSED' : this.#state === 'open' ? 'OPEN' : 'HALF_OPEN';
  }

  /** Runs `fn` if the fleet's breaker admits it; rejects with BreakerOpenError otherwise. */
  async execute<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    if (!this.#link.shared) return this.#localBreaker().execute(fn, signal);
    let probe: number | undefined;
    if (this.#state !== 'closed') {
      const now = this.#options.clock.now();
      if (this.#state === 'open' && now < this.#until) {
        throw new BreakerOpenError('OPEN', this.#until - now, this.name);
      }
      let admission;
      try {
        admission = await this.#link.backend.admit(this.name, this.rule);
      } catch (error) {
        this.#link.fail(error);
        return this.#localBreaker().execute(fn, signal);
      }
      this.#apply(admission);
      if (admission.probe) probe = admission.generation;
      else if (admission.state !== 'closed') {
        throw new BreakerOpenError(
          admission.state === 'open' ? 'OPEN' : 'HALF_OPEN',
          admission.remainingMs,
          this.name,
        );
      }
    }
    let value: T;
    try {
      value = await fn(attemptContext(signal, 1));
    } catch (error) {
      const verdict = judgeError(error, signal?.aborted === true, this.#options);
      const healthy = verdict === 'ignore' ? undefined : verdict === 'success';
      // A probe's verdict is awaited (rare, and its caller then sees the round's outcome).
      if (probe !== undefined) await this.#reportProbe(probe, healthy);
      else this.#outcome(healthy);
      throw error;
    }
    if (probe !== undefined) await this.#reportProbe(probe, true);
    else this.#outcome(true);
    return value;
  }

  /** Resolves once it listens for the fleet's transitions and has read the current state. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Reads the fleet's state now (normally pushed; for a start-up or after an outage). */
  async refresh(): Promise<void> {
    try {
      this.#apply(await this.#link.backend.read(this.name));
    } catch (error) {
      this.#link.fail(error);
    }
  }

  /** Operator reset: closes the breaker for the whole fleet. */
  async reset(): Promise<void> {
    this.#apply(await this.#link.backend.force(this.name, 'closed', 0));
  }

  /** Opens it for the whole fleet for `openMs` (default the open duration). */
  async trip(openMs = this.rule.openDurationMs): Promise<void> {
    this.#apply(await this.#link.backend.force(this.name, 'open', openMs));
  }

  /** Flushes the batched outcomes and stops listening for transitions. */
  async close(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#link.shared && this.#calls > 0) await this.#flush();
    const unsubscribe = await this.#unsubscribe;
    this.#unsubscribe = undefined;
    await unsubscribe?.();
  }

  #reportProbe(generation: number, healthy: boolean | undefined): Promise<void> {
    return this.#send({ calls: 0, failures: 0, probe: { generation, healthy } });
  }

  /** `healthy` undefined: no verdict (ignored error). */
  #outcome(healthy: boolean | undefined): void {
    if (healthy === undefined) return;
    this.#calls++;
    if (!healthy) {
      this.#failures++;
      void this.#flush();
    } else if (this.#flushTimer === undefined) {
      this.#flushTimer = setTimeout(() => void this.#flush(), this.#flushMs);
      this.#flushTimer.unref();
    }
  }

  #flush(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const report = { calls: this.#calls, failures: this.#failures };
    this.#calls = 0;
    this.#failures = 0;
    return this.#send(report);
  }

  async #send(report: Parameters<SharedStateLink['backend']['record']>[2]): Promise<void> {
    if (!this.#link.shared) return;
    try {
      this.#apply(await this.#link.backend.record(this.name, this.rule, report));
    } catch (error) {
      this.#link.fail(error);
    }
  }

  #onChange(change: SharedBreakerChange): void {
    if (change.breaker === this.name) this.#apply(change);
  }

  #apply(view: SharedBreakerView): void {
    // Pushes and replies race: never step back to an older generation.
    if (view.generation < this.#generation) return;
    const from = this.#state;
    this.#generation = view.generation;
    this.#state = view.state;
    this.#until = view.state === 'open' ? this.#options.clock.now() + view.remainingMs : 0;
    if (from !== view.state) this.#onStateChange.fire({ from, to: view.state });
  }

  #localBreaker(): CircuitBreaker {
    this.#local ??= circuitBreaker({ ...this.#localOptions, name: this.name });
    return this.#local;
  }
}

export function sharedCircuitBreaker(options: SharedCircuitBreakerOptions): SharedCircuitBreaker {
  return new SharedCircuitBreaker(options);
}
