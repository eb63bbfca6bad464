/**
 * The `sluice` package root: the embedded default (policies, engine, SQLite store, observability).
 * Optional parts live behind subpaths: `sluice/postgres`, `sluice/redis`, `sluice/server`,
 * `sluice/testing`.
 */
export * from './errors/index.js';
export * from './policies/index.js';
export * from './observe/index.js';
export * from './store/index.js';
export * from './coordination/index.js';
export * from './http/index.js';
export * from './cache/index.js';
export * from './runtime/index.js';
