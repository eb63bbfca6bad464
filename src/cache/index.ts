/**
 * cache: the content-addressed artifact cache on disk: atomic writes, retention cleanup with
 * statistics, size warnings, an optional size cap with least-recently-used eviction
 * (docs/cache.md). Entry metadata lives in the store's CacheIndex.
 *
 * May import: errors, store, observe.
 */
export * from './artifact-cache.js';
export type * from './types.js';
export type { CacheBody } from './atomic-write.js';
export type { CleanupReport } from './cleanup.js';
export { assessDiskSpace, type DiskSpaceVerdict } from './disk-space.js';
export type { ArtifactCacheOptions, CacheLogger } from './options.js';
export type { RepairReport } from './repair.js';
