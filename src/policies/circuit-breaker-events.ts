import type { BreakerOpenError } from '../errors/index.js';
import type { OutcomeVerdict } from './circuit-breaker-options.js';
import type { CircuitState } from './circuit-breaker-snapshot.js';

/**
 * The payloads of the circuit breaker's events, for metrics, logs and alerts. They are built only
 * when someone listens, so an unobserved breaker pays nothing for them.
 */

export type BreakerTransitionReason =
  | 'failure-rate'
  | 'slow-call-rate'
  | 'open-duration-elapsed'
  | 'probes-succeeded'
  | 'probe-failed'
  | 'half-open-timeout'
  | 'reset'
  | 'isolate'
  | 'disable'
  | 'metrics-only';

export interface BreakerStateChange {
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly reason: BreakerTransitionReason;
}

export interface BreakerSuccessEvent {
  readonly durationMs: number;
  readonly slow: boolean;
}

/** A call that threw, whether or not the breaker counted it against the service. */
export interface BreakerFailureEvent {
  readonly error: unknown;
  readonly durationMs: number;
  readonly slow: boolean;
  /** What the breaker made of it: a 429 is 'ignore', a 404 'success' by default. */
  readonly recordedAs: OutcomeVerdict;
}

export interface BreakerRejectEvent {
  readonly error: BreakerOpenError;
}
