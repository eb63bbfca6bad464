/**
 * server: the monitoring server (health, /metrics, the REST API under /api/v1, the dashboard),
 * reached through `sluice/server`.
 *
 * May import: every layer below it (errors, policies, observe, store, coordination, http, cache,
 * runtime). Nothing imports server but cli.
 */
export * from './create-server.js';
export type { MetricsSource, ServerOptions, ServerRateLimitOptions } from './options.js';
export { defaultRateLimit, minTokenLength } from './options.js';
export { ApiError, type ApiErrorCode, type ErrorEnvelope } from './errors.js';
export { apiPrefix } from './routes/api.js';
export type { PageView, RunStatusView, RunView } from './views.js';
export { defaultTokenRateLimit } from './options.js';
export * from './tokens.js';
export type * from './control.js';
export { breakerControl, type BreakerSource } from './breaker-control.js';
export { apiRouteList } from './routes/api.js';
export { openApiDocument, openApiPath } from './openapi.js';
export { scopeOf, type RouteSpec, type RouteScope } from './route-spec.js';
export { contentSecurityPolicy, isLoopback } from './security.js';
