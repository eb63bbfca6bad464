/**
 * server: the monitoring server (health, /metrics, the REST API under /api/v1, the dashboard),
 * reached through `sluice/server`.
 *
 * May import: every layer below it (errors, policies, observe, store, coordination, http, cache,
 * runtime). Nothing imports server but cli.
 */
export {};
