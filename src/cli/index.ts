/**
 * cli: the `sluice` command (run, worker, status, resume, retry-failed, dlq, breakers, cache,
 * serve, migrate, demo).
 *
 * May import: every layer. Nothing imports cli.
 */
export {};
