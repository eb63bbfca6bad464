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
