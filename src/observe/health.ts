/**
 * Why: "is it healthy?" answered the same way by the server (/health/ready), the CLI (`sluice
 * status`) and alerting, as pure functions over numbers the caller gathers (health-tracker.ts
 * gathers them in process; the store's service-health samples work too). Rules:
 *
 * - success rate over a window: > 80% healthy, 50-80% degraded, < 50% unhealthy (thresholds
 *   configurable); fewer than `minSamples` (default 5) attempts: healthy, too few to judge;
 * - breakers of a service: all of them open -> unhealthy (no call can go out); some open or any
 *   half-open -> degraded (per-host breakers: other hosts still work; half-open: recovering);
 * - lease reclaims / claims over the window: > 5% degraded, > 50% unhealthy (workers crash or
 *   handlers outlive their leases);
 * - dependency checks (dependency-checks.ts): a failed critical one -> unhealthy, a failed
 *   optional one -> degraded;
 * - freshness: a stage with work waiting whose last success is older than `staleAfterMs`
 *   (default 10 min) -> degraded.
 *
 * The overall status is the worst check. health-json.ts maps the report to application/health+json.
 */
import { InvalidConfigError } from '../errors/index.js';
import type { DependencyResult } from './dependency-checks.js';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

const rank: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

/** The worse of the statuses (healthy when none). */
export function worstStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = 'healthy';
  for (const s of statuses) if (rank[s] > rank[worst]) worst = s;
  return worst;
}

export interface SuccessRateThresholds {
  /** Healthy when the rate is above this (default 0.8). */
  readonly healthyAbove: number;
  /** Unhealthy when the rate is below this (default 0.5). */
  readonly unhealthyBelow: number;
  /** Fewer attempts than this are too few to judge (default 5). */
  readonly minSamples: number;
}

export const defaultSuccessRateThresholds: SuccessRateThresholds = Object.freeze({
  healthyAbove: 0.8,
  unhealthyBelow: 0.5,
  minSamples: 5,
});

export interface Verdict {
  readonly status: HealthStatus;
  readonly observedValue?: number;
  readonly observedUnit?: string;
  /** Why, when not healthy (or when the value could not be judged). */
  readonly reason?: string;
}

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

export function checkThresholds(t: SuccessRateThresholds): SuccessRateThresholds {
  const ok = (n: number) => Number.isFinite(n) && n >= 0 && n <= 1;
  if (!ok(t.healthyAbove)) {
    throw new InvalidConfigError('health.successRate.healthyAbove', 'in [0, 1]', t.healthyAbove);
  }
  if (!ok(t.unhealthyBelow) || t.unhealthyBelow > t.healthyAbove) {
    throw new InvalidConfigError(
      'health.successRate.unhealthyBelow',
      `in [0, healthyAbove = ${t.healthyAbove}]`,
      t.unhealthyBelow,
    );
  }
  if (!Number.isInteger(t.minSamples) || t.minSamples < 0) {
    throw new InvalidConfigError(
      'health.successRate.minSamples',
      'a non-negative integer',
      t.minSamples,
    );
  }
  return t;
}

export function successRateVerdict(
  successes: number,
  failures: number,
  thresholds: Partial<SuccessRateThresholds> = {},
): Verdict {
  const t = checkThresholds({ ...defaultSuccessRateThresholds, ...thresholds });
  const total = successes + failures;
  if (total === 0 || total < t.minSamples) {
    return { status: 'healthy', reason: `${total} attempts: too few to judge` };
  }
  const rate = successes / total;
  const observed = { observedValue: rate, observedUnit: 'ratio' };
  if (rate > t.healthyAbove) return { status: 'healthy', ...observed };
  if (rate < t.unhealthyBelow) {
    return {
      status: 'unhealthy',
      ...observed,
      reason: `success rate ${pct(rate)} below ${pct(t.unhealthyBelow)}`,
    };
  }
  return {
    status: 'degraded',
    ...observed,
    reason: `success rate ${pct(rate)} not above ${pct(t.healthyAbove)}`,
  };
}

export interface BreakerCounts {
  readonly closed?: number;
  readonly open?: number;
  readonly halfOpen?: number;
}

export function breakerVerdict(counts: BreakerCounts): Verdict {
  const open = counts.open ?? 0;
  const halfOpen = counts.halfOpen ?? 0;
  const total = open + halfOpen + (counts.closed ?? 0);
  const observed = { observedValue: open, observedUnit: 'open breakers' };
  if (open > 0 && open === total) {
    return { status: 'unhealthy', ...observed, reason: `all ${total} breakers open` };
  }
  if (open > 0 || halfOpen > 0) {
    return {
      status: 'degraded',
      ...observed,
      reason: `${open} of ${total} breakers open, ${halfOpen} half-open`,
    };
  }
  return { status: 'healthy', ...observed };
}

export interface LeaseReclaimThresholds {
  readonly degradedAbove: number;
  readonly unhealthyAbove: number;
}

export function leaseReclaimVerdict(
  reclaimed: number,
  claimed: number,
  thresholds: Partial<LeaseReclaimThresholds> = {},
): Verdict {
  const t = { degradedAbove: 0.05, unhealthyAbove: 0.5, ...thresholds };
  if (claimed <= 0) return { status: 'healthy', reason: 'no claims in the window' };
  const rate = reclaimed / claimed;
  const observed = { observedValue: rate, observedUnit: 'ratio' };
  if (rate > t.unhealthyAbove) {
    return { status: 'unhealthy', ...observed, reason: `${pct(rate)} of claims reclaimed` };
  }
  if (rate > t.degradedAbove) {
    return { status: 'degraded', ...observed, reason: `${pct(rate)} of claims reclaimed` };
  }
  return { status: 'healthy', ...observed };
}

export function freshnessVerdict(input: {
  readonly nowMs: number;
  readonly lastSuccessAtMs?: number;
  /** When the stage started; the reference while it has had no success yet. */
  readonly sinceMs?: number;
  /** Items waiting; 0 means idle, and an idle stage is never stale. */
  readonly pending?: number;
  readonly staleAfterMs: number;
}): Verdict {
  const reference = input.lastSuccessAtMs ?? input.sinceMs;
  if (reference === undefined || input.pending === 0) return { status: 'healthy' };
  const ageSeconds = Math.max(0, (input.nowMs - reference) / 1000);
  const observed = { observedValue: ageSeconds, observedUnit: 's' };
  if (input.nowMs - reference > input.staleAfterMs) {
    const what = input.lastSuccessAtMs === undefined ? 'no success since start' : 'last success';
    return { status: 'degraded', ...observed, reason: `${what} ${Math.round(ageSeconds)}s ago` };
  }
  return { status: 'healthy', ...observed };
}

export interface StageHealthInput {
  readonly stage: string;
  readonly successes: number;
  readonly failures: number;
  readonly lastSuccessAtMs?: number;
  readonly sinceMs?: number;
  readonly pending?: number;
}

export interface ServiceHealthInput {
  readonly service: string;
  readonly successes: number;
  readonly failures: number;
  readonly breakers?: BreakerCounts;
}

export interface HealthInput {
  readonly nowMs: number;
  readonly stages?: readonly StageHealthInput[];
  readonly services?: readonly ServiceHealthInput[];
  readonly leases?: { readonly reclaimed: number; readonly claimed: number };
  readonly dependencies?: readonly DependencyResult[];
}

export interface HealthOptions {
  readonly successRate?: Partial<SuccessRateThresholds>;
  readonly leaseReclaim?: Partial<LeaseReclaimThresholds>;
  readonly staleAfterMs?: number;
}

export type ComponentType = 'stage' | 'service' | 'leases' | 'dependency';

export interface HealthCheck extends Verdict {
  readonly component: string;
  readonly componentType: ComponentType;
  /** What was measured: successRate, breakers, freshness, reclaimRate, responseTime. */
  readonly measurement: string;
}

export interface HealthReport {
  readonly status: HealthStatus;
  /** Keyed `<component>:<measurement>` as application/health+json does. */
  readonly checks: Readonly<Record<string, readonly HealthCheck[]>>;
  /** One line per check that is not healthy, worst first. */
  readonly reasons: readonly string[];
  readonly time: string;
}

export function evaluateHealth(input: HealthInput, options: HealthOptions = {}): HealthReport {
  const all: HealthCheck[] = [];
  const add = (c: Omit<HealthCheck, keyof Verdict>, v: Verdict) => all.push({ ...c, ...v });
  const staleAfterMs = options.staleAfterMs ?? 10 * 60_000;

  for (const s of input.stages ?? []) {
    const c = { component: s.stage, componentType: 'stage' } as const;
    add(
      { ...c, measurement: 'successRate' },
      successRateVerdict(s.successes, s.failures, options.successRate),
    );
    add(
      { ...c, measurement: 'freshness' },
      freshnessVerdict({ ...s, nowMs: input.nowMs, staleAfterMs }),
    );
  }
  for (const s of input.services ?? []) {
    const c = { component: s.service, componentType: 'service' } as const;
    add(
      { ...c, measurement: 'successRate' },
      successRateVerdict(s.successes, s.failures, options.successRate),
    );
    if (s.breakers) add({ ...c, measurement: 'breakers' }, breakerVerdict(s.breakers));
  }
  if (input.leases) {
    add(
      { component: 'leases', componentType: 'leases', measurement: 'reclaimRate' },
      leaseReclaimVerdict(input.leases.reclaimed, input.leases.claimed, options.leaseReclaim),
    );
  }
  for (const d of input.dependencies ?? []) {
    add(
      { component: d.name, componentType: 'dependency', measurement: 'responseTime' },
      {
        status: d.ok ? 'healthy' : d.critical ? 'unhealthy' : 'degraded',
        observedValue: d.durationMs,
        observedUnit: 'ms',
        ...(d.error === undefined ? {} : { reason: d.error }),
      },
    );
  }

  const checks: Record<string, HealthCheck[]> = {};
  for (const c of all) (checks[`${c.component}:${c.measurement}`] ??= []).push(c);
  const reasons = all
    .filter((c) => c.status !== 'healthy')
    .sort((a, b) => rank[b.status] - rank[a.status])
    .map((c) => `${c.componentType} ${c.component}: ${c.reason ?? c.status} (${c.status})`);
  return {
    status: worstStatus(all.map((c) => c.status)),
    checks,
    reasons,
    time: new Date(input.nowMs).toISOString(),
  };
}
