/**
 * Why: /health/ready speaks application/health+json (draft-inadarei-api-health-check) so load
 * balancers and monitoring tools read it without knowing Sluice. Our vocabulary maps onto the
 * draft's: healthy -> pass, degraded -> warn, unhealthy -> fail; HTTP 200 for pass and warn
 * (degraded still serves), 503 for fail.
 */
import type { HealthReport, HealthStatus } from './health.js';

export type HealthJsonStatus = 'pass' | 'warn' | 'fail';

export const healthJsonContentType = 'application/health+json';

export function toHealthJsonStatus(status: HealthStatus): HealthJsonStatus {
  return status === 'healthy' ? 'pass' : status === 'degraded' ? 'warn' : 'fail';
}

/** 200 while the service can serve (pass, warn), 503 when it cannot (fail). */
export function healthHttpStatus(status: HealthStatus): 200 | 503 {
  return status === 'unhealthy' ? 503 : 200;
}

export interface HealthJsonCheck {
  readonly componentId?: string;
  readonly componentType: string;
  readonly status: HealthJsonStatus;
  readonly observedValue?: number;
  readonly observedUnit?: string;
  readonly output?: string;
  readonly time: string;
}

export interface HealthJson {
  readonly status: HealthJsonStatus;
  readonly version?: string;
  readonly releaseId?: string;
  readonly serviceId?: string;
  readonly description?: string;
  readonly notes?: readonly string[];
  readonly output?: string;
  readonly checks: Readonly<Record<string, readonly HealthJsonCheck[]>>;
}

export interface HealthJsonOptions {
  readonly serviceId?: string;
  readonly version?: string;
  readonly releaseId?: string;
  readonly description?: string;
}

export function toHealthJson(report: HealthReport, options: HealthJsonOptions = {}): HealthJson {
  const checks: Record<string, HealthJsonCheck[]> = {};
  for (const [key, list] of Object.entries(report.checks)) {
    checks[key] = list.map((c) => ({
      componentId: c.component,
      componentType: c.componentType,
      status: toHealthJsonStatus(c.status),
      ...(c.observedValue === undefined ? {} : { observedValue: c.observedValue }),
      ...(c.observedUnit === undefined ? {} : { observedUnit: c.observedUnit }),
      ...(c.reason === undefined ? {} : { output: c.reason }),
      time: report.time,
    }));
  }
  return {
    status: toHealthJsonStatus(report.status),
    ...options,
    ...(report.reasons.length > 0 ? { notes: report.reasons, output: report.reasons[0] } : {}),
    checks,
  };
}
