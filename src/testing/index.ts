/**
 * testing: the real-backend test harness, for our own tests and for users testing their
 * pipelines (`sluice/testing`): an isolated SQLite file per caller, an isolated PostgreSQL
 * schema dropped afterwards, an isolated Redis key prefix, and service probes. The vitest glue
 * lives in vitest/ (`sluice/testing/vitest`) so this entry needs no test framework.
 *
 * May import: errors, store, coordination. Nothing but tests imports testing.
 */
export * from './services.js';
export * from './sqlite.js';
export * from './postgres.js';
export * from './redis.js';
export * from './free-port.js';
export * from './redis-server.js';
export * from './postgres-cluster.js';
