/**
 * errors: every error class Sluice throws, each with a stable `code` and a marker type guard,
 * and the classifier that maps any thrown value or HTTP status to a failure category.
 *
 * May import: nothing of ours (this is the bottom layer).
 */
export * from './sluice-error.js';
export * from './error-stacks.js';
export * from './failure-category.js';
export * from './invalid-config-error.js';
export * from './schema-error.js';
export * from './illegal-transition-error.js';
export * from './store-closed-error.js';
export * from './aborted-error.js';
export * from './breaker-open-error.js';
export * from './bulkhead-full-error.js';
export * from './mask-url.js';
export * from './http-status-error.js';
export * from './http-request-error.js';
export * from './http-timeout-error.js';
export * from './injected-fault-error.js';
export * from './rate-limited-error.js';
export * from './timeout-error.js';
export * from './retry-after.js';
export * from './classify.js';
export * from './cache-error.js';
