/**
 * observe: prom-client metrics, OpenTelemetry spans through @opentelemetry/api only, pino logs
 * with correlation IDs and redaction, stage timers, health verdicts.
 *
 * May import: errors.
 */
export {};
