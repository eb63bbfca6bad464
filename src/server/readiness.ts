/**
 * Why: /health/ready answers "send work here?" from three sources at once: the verdict of the
 * work in progress (e.g. `runner.health()`: success rates, breakers, lease reclaims), the
 * caller's dependency checks, and the store this server reads, without which the API cannot
 * answer. They are merged into one HealthReport whose status is the worst of all. A health
 * function that throws is itself a failed critical check: a broken probe must not read as fine.
 */
import { describeValue } from '../errors/index.js';
import {
  evaluateHealth,
  runDependencyChecks,
  worstStatus,
  type DependencyCheck,
  type DependencyResult,
  type HealthCheck,
  type HealthReport,
  type HealthStatus,
} from '../observe/index.js';
import type { Store } from '../store/index.js';

export interface ReadinessSources {
  readonly store: Store;
  readonly health: (() => HealthReport | undefined | Promise<HealthReport | undefined>) | undefined;
  readonly dependencyChecks: readonly DependencyCheck[];
  readonly now: () => number;
}

export async function readiness(sources: ReadinessSources): Promise<HealthReport> {
  const storeCheck: DependencyCheck = {
    name: 'store',
    critical: true,
    check: () => sources.store.listRuns(undefined, { limit: 1 }),
  };
  const [reported, dependencies] = await Promise.all([
    currentReport(sources.health),
    runDependencyChecks([storeCheck, ...sources.dependencyChecks], { now: sources.now }),
  ]);
  const failedProbe = 'failure' in reported ? [reported.failure] : [];
  const own = evaluateHealth({
    nowMs: sources.now(),
    dependencies: [...failedProbe, ...dependencies],
  });
  return 'report' in reported && reported.report ? merge(reported.report, own) : own;
}

async function currentReport(
  health: ReadinessSources['health'],
): Promise<{ report: HealthReport | undefined } | { failure: DependencyResult }> {
  if (health === undefined) return { report: undefined };
  try {
    return { report: await health() };
  } catch (error) {
    const message = error instanceof Error ? error.message : describeValue(error);
    return {
      failure: { name: 'health', ok: false, critical: true, durationMs: 0, error: message },
    };
  }
}

const rank: Record<HealthStatus, number> = { unhealthy: 0, degraded: 1, healthy: 2 };

/** One report holding both reports' checks; reasons rebuilt worst first as evaluateHealth does. */
function merge(a: HealthReport, b: HealthReport): HealthReport {
  const checks: Record<string, HealthCheck[]> = {};
  for (const report of [a, b]) {
    for (const [key, list] of Object.entries(report.checks)) (checks[key] ??= []).push(...list);
  }
  const all = Object.values(checks).flat();
  const reasons = all
    .filter((c) => c.status !== 'healthy')
    .sort((x, y) => rank[x.status] - rank[y.status])
    .map((c) => `${c.componentType} ${c.component}: ${c.reason ?? c.status} (${c.status})`);
  return { status: worstStatus([a.status, b.status]), checks, reasons, time: b.time };
}
