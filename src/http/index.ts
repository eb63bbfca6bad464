/**
 * http: the resilient HTTP client on undici: pooled connections, per-service policies, per-host
 * breakers, Retry-After, status classification, size and time limits.
 *
 * May import: errors, policies, observe.
 */
export * from './options.js';
export * from './agent.js';
export * from './request-url.js';
export * from './content-type.js';
export * from './request-options.js';
export * from './response.js';
export * from './http-client.js';
