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
export * from './sliding-window.js';
export * from './sliding-window-count.js';
export * from './sliding-window-time.js';
