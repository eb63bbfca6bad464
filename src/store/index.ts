/**
 * store: the durable state behind one contract: runs, items with per-stage state, checkpoints,
 * retry history, dead letters, breaker state and health samples. One folder per backend
 * (sqlite/ is the embedded default and is exported here; postgres/ is reached through the
 * `sluice/postgres` subpath so `pg` stays optional), numbered SQL migrations per backend.
 *
 * May import: errors.
 */
export * from './migration.js';
export * from './sqlite/index.js';
