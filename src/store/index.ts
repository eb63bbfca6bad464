/**
 * store: the durable state behind one contract: runs, items with per-stage state, checkpoints,
 * retry history, dead letters, breaker state and health samples. One folder per backend
 * (sqlite/ is the embedded default and is exported here; postgres/ is reached through the
 * `sluice/postgres` subpath so `pg` stays optional), numbered SQL migrations per backend, and
 * one contract test suite (store.contract.ts, not part of the package build) both must pass.
 *
 * May import: errors.
 */
export * from './store.js';
export * from './item-state.js';
export { outcomeKinds } from './outcome.js';
export { runStatuses, workerStatuses } from './records.js';
export { assertJsonSerializable, jsonExpected } from './json.js';
export { itemCursor } from './input/filters.js';
export * from './migration.js';
export * from './sqlite/index.js';
export type * from './cache-index.js';
export { defaultCacheListLimit, maxCacheListLimit } from './cache-index.js';
