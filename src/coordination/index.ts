/**
 * coordination: state shared by workers (breaker state, rate-limit buckets): in-process by
 * default, in the store, or in Redis (the redis/ folder, reached through `sluice/redis` so that
 * ioredis stays optional).
 *
 * May import: errors, policies, store.
 */
export {};
