/**
 * Redis-backed coordination, reached through `sluice/redis` so that `ioredis` is needed only by
 * those who use it. Part of the coordination layer: may import errors, policies and store.
 */
export * from './client.js';
export * from './redis-coordination.js';
