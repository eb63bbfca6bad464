/**
 * http: the resilient HTTP client on undici: pooled connections, per-service policies, per-host
 * breakers, Retry-After, status classification, size and time limits.
 *
 * May import: errors, policies, observe.
 */
export {};
