/**
 * runtime: the engine: pipeline and stage definitions, the claim/execute/commit loop, leases,
 * fan-out, checkpoints, resume, dead letters, graceful shutdown, and the job queue API.
 *
 * May import: errors, policies, observe, store, coordination, http, cache.
 */
export * from './stage.js';
export * from './service.js';
export * from './define-pipeline.js';
export * from './parse-config.js';
export * from './sources.js';
export * from './service-caller.js';
export * from './services.js';
export * from './runner.js';
export type { AttemptReport } from './stage-worker.js';
export * from './dry-run.js';
export * from './signals.js';
export * from './queue.js';
export * from './queue-worker.js';
export * from './status.js';
