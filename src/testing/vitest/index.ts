/**
 * Vitest glue for the harness, reached through `sluice/testing/vitest`: suites that get an
 * isolated SQLite file, PostgreSQL schema or Redis key prefix. Pair it with the global setup
 * (`sluice/testing/vitest-setup`) and, optionally, the reporter (`sluice/testing/vitest-reporter`).
 */
export * from './describe.js';
export type * from './provided.js';
