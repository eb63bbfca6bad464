/**
 * coordination: state shared by workers (breaker state, rate-limit buckets): in-process by
 * default, in the store, or in Redis (the redis/ folder, reached through `sluice/redis` so that
 * ioredis stays optional).
 *
 * May import: errors, policies, store.
 */
export * from './shared-backend.js';
export * from './shared-state-link.js';
export * from './shared-rate-limiter.js';
export * from './shared-circuit-breaker.js';
