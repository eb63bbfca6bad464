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
export type { RateAlgorithm } from './rate-algorithm.js';
export * from './token-bucket.js';
export * from './gcra.js';
export * from './rate-limiter.js';
export * from './timer-wheel.js';
export * from './timeout.js';
export * from './bulkhead.js';
