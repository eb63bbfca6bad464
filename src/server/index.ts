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
