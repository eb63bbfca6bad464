/**
 * The PostgreSQL backend of the store, reached through `sluice/postgres` so that `pg` is needed
 * only by those who use it. Part of the store layer: may import errors only.
 */
export * from './pool.js';
export * from './migrate.js';
export {
  createPostgresStore,
  maskUrl,
  minServerVersion,
  type PostgresStoreOptions,
} from './postgres-store.js';
export * from './cache-index.js';
export { copySqliteToPostgres, type CopyResult } from './copy-from-sqlite.js';
