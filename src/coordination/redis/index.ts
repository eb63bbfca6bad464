/**
 * Redis-backed coordination, reached through `sluice/redis` so that `ioredis` is needed only by
 * those who use it. Part of the coordination layer: may import errors, policies and store.
 */
export * from './client.js';
export * from './redis-coordination.js';
export * from '../shared-backend.js';
export * from '../shared-state-link.js';
export * from '../shared-rate-limiter.js';
export * from '../shared-circuit-breaker.js';
