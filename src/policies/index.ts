/**
 * policies: pure in-process resilience: retry, circuit breaker, rate limiter, timeout, bulkhead,
 * fallback, hedging, fault injection, keyed registries and their composition. No I/O.
 *
 * May import: errors.
 */
export * from './policy.js';
export * from './clock.js';
export * from './event.js';
export * from './sleep.js';
export * from './random.js';
export * from './attempt-context.js';
export * from './backoff.js';
export * from './retry-budget.js';
export * from './retry.js';
export * from './fallback.js';
export * from './hedging.js';
export * from './fault-injection.js';
export * from './compose.js';
export type {
  WindowOutcome,
  CountWindowState,
  SlidingWindow,
  SlidingWindowState,
  TimeWindowState,
  WindowSnapshot,
} from './sliding-window.js';
export { CountSlidingWindow, type CountWindowOptions } from './sliding-window-count.js';
export {
  TimeSlidingWindow,
  type TimeWindowConfig,
  type TimeWindowOptions,
} from './sliding-window-time.js';
export { CircuitBreaker, circuitBreaker, isCircuitBreaker } from './circuit-breaker.js';
export {
  circuitBreakerDefaults,
  type BreakerWindowOptions,
  type CircuitBreakerOptions,
  type OutcomeVerdict,
} from './circuit-breaker-options.js';
export {
  circuitStates,
  type CircuitBreakerSnapshot,
  type CircuitState,
} from './circuit-breaker-snapshot.js';
export type {
  BreakerFailureEvent,
  BreakerRejectEvent,
  BreakerStateChange,
  BreakerSuccessEvent,
  BreakerTransitionReason,
} from './circuit-breaker-events.js';
export type { BreakerPermit } from './circuit-breaker-permit.js';
export {
  KeyedRegistry,
  keyedRegistry,
  keyedRegistryDefaults,
  type EvictionReason,
  type KeyedRegistryOptions,
} from './keyed-registry.js';
export {
  BreakerRegistry,
  breakerRegistry,
  type BreakerRegistryOptions,
  type BreakerServiceStats,
} from './breaker-registry.js';
export type { RateAlgorithm } from './rate-algorithm.js';
export * from './token-bucket.js';
export * from './gcra.js';
export * from './rate-limiter.js';
export * from './timer-wheel.js';
export * from './timeout.js';
export * from './bulkhead.js';
