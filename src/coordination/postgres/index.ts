/**
 * PostgreSQL-backed coordination (`sluice/postgres/coordination`), for fleets without Redis.
 * Part of the coordination layer: may import errors, policies and store.
 */
export * from './postgres-coordination.js';
export * from '../shared-backend.js';
export * from '../shared-state-link.js';
export * from '../shared-rate-limiter.js';
export * from '../shared-circuit-breaker.js';
