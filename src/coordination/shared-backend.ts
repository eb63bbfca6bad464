/**
 * What a shared-state backend (Redis, or PostgreSQL for users without Redis) does for the fleet's
 * breakers and rate limits. Every operation is one atomic step on the backend, timed by the
 * backend's own clock, so processes on different machines agree without synchronised clocks.
 * Any method may reject when the backend is unreachable: the shared policies then fall back to
 * local state (see SharedStateLink) and never fail a call for it.
 */

/** A breaker's shared state as the fleet sees it. */
export type SharedBreakerState = 'closed' | 'open' | 'half_open';

/** How a breaker's shared state machine is tuned (resolved from CircuitBreakerOptions). */
export interface SharedBreakerRule {
  /** Failures / calls over the window that open it, in (0, 1]. */
  readonly failureRateThreshold: number;
  /** No verdict before the window holds this many calls. */
  readonly minimumCalls: number;
  /** The window the fleet's calls are counted over, in whole seconds. */
  readonly windowSeconds: number;
  readonly openDurationMs: number;
  /** Probes the whole fleet may send in one half-open round. */
  readonly permits: number;
  /** Healthy probes that close it, in [1, permits]. */
  readonly successThreshold: number;
  /** A half-open round with probes still out after this long starts over (a probe died). */
  readonly maxWaitMs: number;
}

/** The backend's answer about one breaker. */
export interface SharedBreakerView {
  readonly state: SharedBreakerState;
  /** Until the state may change by time alone (open: until probes; half-open: until maxWait). */
  readonly remainingMs: number;
  /** Bumped on every transition: a probe's verdict counts only in the round it was admitted in. */
  readonly generation: number;
}

/** An admission: the view, and whether this caller holds one of the round's probe permits. */
export interface SharedBreakerAdmission extends SharedBreakerView {
  readonly probe: boolean;
}

/** Outcomes a process reports for one breaker since its last report. */
export interface SharedBreakerReport {
  readonly calls: number;
  readonly failures: number;
  /**
   * Set for a probe's verdict: the generation it was admitted in, and whether it was healthy
   * (`undefined`: no verdict, e.g. the caller gave up; its permit goes back to the round).
   */
  readonly probe?: { readonly generation: number; readonly healthy: boolean | undefined };
}

/** A transition some process caused, pushed to every subscriber. */
export interface SharedBreakerChange extends SharedBreakerView {
  readonly breaker: string;
}

export interface SharedBreakerBackend {
  /** Asks to call through `breaker` (only needed when the local view is not closed). */
  admit(breaker: string, rule: SharedBreakerRule): Promise<SharedBreakerAdmission>;
  /** Adds outcomes to the shared window (and a probe's verdict); may trip a transition. */
  record(
    breaker: string,
    rule: SharedBreakerRule,
    report: SharedBreakerReport,
  ): Promise<SharedBreakerView>;
  read(breaker: string): Promise<SharedBreakerView>;
  /** Forces a state (operator reset to closed, or forced open). */
  force(breaker: string, state: 'closed' | 'open', openMs: number): Promise<SharedBreakerView>;
  /** Calls `listener` on every transition of any breaker; returns the unsubscribe function. */
  subscribe(listener: (change: SharedBreakerChange) => void): Promise<() => Promise<void>>;
}

export interface SharedLimitRule {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface SharedLimitBackend {
  /**
   * Takes `cost` from the fleet's bucket for `key` (GCRA) if it fits now: resolves 0, or the
   * milliseconds until it would fit (nothing taken).
   */
  take(key: string, cost: number, rule: SharedLimitRule): Promise<number>;
  /**
   * Records that `member` (one process's limiter) is alive and returns how many members were
   * seen within `withinMs`: the share each takes of the limit if the backend goes away.
   */
  heartbeat(member: string, withinMs: number): Promise<number>;
}

/** Both, plus a liveness check the link uses to rejoin after an outage. */
export interface SharedStateBackend extends SharedBreakerBackend, SharedLimitBackend {
  readonly kind: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}
