/**
 * Why: the server sits above the engine but does not own it. A process that runs pipelines
 * hands the server these two small views of itself (the runner implements them), so the API can
 * show and reset live breakers and list workers without the server knowing how they are built.
 */
import type { CircuitState } from '../policies/index.js';

export interface BreakerView {
  readonly service: string;
  /** '' for a service-wide breaker, else the key (a host, a domain). */
  readonly key: string;
  /** The breaker's state, lower case: closed, open, half_open, isolated, disabled... */
  readonly state: Lowercase<CircuitState>;
  /** Failures / calls in the breaker's current window, in [0, 1]; null with no calls. */
  readonly failureRate: number | null;
  readonly calls: number;
  /** Wall clock ms of the last state change; null if it never changed. */
  readonly lastTransitionAt: number | null;
  /** While open: ms until a probe is let through. */
  readonly retryAfterMs: number | null;
}

export interface BreakerControl {
  list(): readonly BreakerView[] | Promise<readonly BreakerView[]>;
  /** Closes the breaker (service, key); false when there is no such breaker. */
  reset(service: string, key: string): boolean | Promise<boolean>;
}

export interface WorkerView {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly lastHeartbeatAt: number;
  readonly runs: readonly string[];
  readonly status: 'running' | 'stopping' | 'gone';
}

export interface WorkerSource {
  list(): readonly WorkerView[] | Promise<readonly WorkerView[]>;
}
