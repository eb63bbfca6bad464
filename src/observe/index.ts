/**
 * observe: prom-client metrics, OpenTelemetry spans through @opentelemetry/api only, pino logs
 * with correlation IDs and redaction, stage timers, health verdicts.
 *
 * May import: errors.
 */
export * from './metric-catalog.js';
export * from './label-guard.js';
export * from './metrics.js';
export * from './merge-metrics.js';
export * from './semconv.js';
export * from './traceparent-propagator.js';
export * from './trace-context.js';
export * from './tracing.js';
export * from './redact.js';
export * from './log-levels.js';
export * from './pretty-stream.js';
export * from './logger.js';
export * from './success-window.js';
export * from './dependency-checks.js';
export * from './health.js';
export * from './health-json.js';
export * from './health-tracker.js';
export * from './quantile-sketch.js';
export * from './run-summary.js';
export * from './summary-table.js';
