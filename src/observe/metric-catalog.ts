/**
 * Why: one table naming every Sluice metric, its type, labels, buckets and how it aggregates
 * across worker processes. metrics.ts builds the prom-client objects from it, docs/metrics.md
 * documents it, and the tests check the dashboard, the alert rules and the docs against it, so
 * a renamed metric cannot silently break a panel or an alert.
 *
 * Names are without the prefix (createMetrics adds `sluice_` by default). Base units (seconds,
 * bytes), `_total` on counters. No label ever carries an item ID, a URL or a host.
 */
import type { Aggregator } from 'prom-client';

/** How an item-stage attempt ended. `retry` and `dead` are failures; `released` is shutdown. */
export type ItemOutcome = 'completed' | 'degraded' | 'retry' | 'dead' | 'skipped' | 'released';
export const itemOutcomes: readonly ItemOutcome[] = Object.freeze([
  'completed',
  'degraded',
  'retry',
  'dead',
  'skipped',
  'released',
]);

/** Item states as the store counts them (a copy: observe may not import store). */
export type QueueState = 'pending' | 'leased' | 'retry_wait' | 'completed' | 'dead' | 'skipped';
export const queueStates: readonly QueueState[] = Object.freeze([
  'pending',
  'leased',
  'retry_wait',
  'completed',
  'dead',
  'skipped',
]);

export type BreakerStateName = 'closed' | 'open' | 'half_open';
export const breakerStateNames: readonly BreakerStateName[] = Object.freeze([
  'closed',
  'open',
  'half_open',
]);

/**
 * How one external call ended: `fallback` = a fallback value was used; `short_circuited` = an
 * open breaker refused it; `rejected` = a rate limiter or bulkhead refused it.
 */
export type ExternalCallOutcome =
  'success' | 'fallback' | 'failure' | 'timeout' | 'short_circuited' | 'rejected';
export const callOutcomes: readonly ExternalCallOutcome[] = Object.freeze([
  'success',
  'fallback',
  'failure',
  'timeout',
  'short_circuited',
  'rejected',
]);

/** Buckets for work dominated by external calls: 5 ms to 2 min. */
export const durationBuckets: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
]);
/** Buckets for time spent waiting on a rate limiter: 1 ms to 1 min. */
export const waitBuckets: readonly number[] = Object.freeze([
  0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
]);

export interface MetricSpec {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly buckets?: readonly number[];
  /** How mergeMetrics combines worker values (prom-client's aggregator); default sum. */
  readonly aggregator?: Aggregator;
}

export const metricCatalog = {
  itemsProcessed: {
    name: 'items_processed_total',
    type: 'counter',
    help: 'Item-stage attempts finished, by outcome (completed, degraded, retry, dead, skipped, released).',
    labelNames: ['pipeline', 'stage', 'outcome'],
  },
  itemDuration: {
    name: 'item_duration_seconds',
    type: 'histogram',
    help: 'Duration of one item-stage attempt (handler time including its external calls).',
    labelNames: ['pipeline', 'stage'],
    buckets: durationBuckets,
  },
  queueDepth: {
    name: 'queue_depth',
    type: 'gauge',
    help: 'Items per stage and state, as last read from the store (the same from every worker).',
    labelNames: ['pipeline', 'stage', 'state'],
    aggregator: 'max',
  },
  itemsInFlight: {
    name: 'items_in_flight',
    type: 'gauge',
    help: 'Handlers running now in this process.',
    labelNames: ['pipeline', 'stage'],
  },
  leasesReclaimed: {
    name: 'leases_reclaimed_total',
    type: 'counter',
    help: 'Items whose lease expired and were taken back for another worker.',
    labelNames: ['pipeline'],
  },
  retries: {
    name: 'retries_total',
    type: 'counter',
    help: 'Retries of external calls, by failure category of the attempt that failed.',
    labelNames: ['service', 'category'],
  },
  breakerState: {
    name: 'breaker_state',
    type: 'gauge',
    help: "Number of the service's circuit breakers (one per host or key) in each state.",
    labelNames: ['service', 'state'],
    aggregator: 'max',
  },
  breakerTransitions: {
    name: 'breaker_transitions_total',
    type: 'counter',
    help: 'Circuit breaker state changes, summed over the service breakers.',
    labelNames: ['service', 'from', 'to'],
  },
  rateLimitWaits: {
    name: 'rate_limit_waits_total',
    type: 'counter',
    help: 'Calls that waited for a rate limiter before going out.',
    labelNames: ['service'],
  },
  rateLimitRejections: {
    name: 'rate_limit_rejections_total',
    type: 'counter',
    help: 'Calls a rate limiter refused instead of waiting.',
    labelNames: ['service'],
  },
  rateLimitWait: {
    name: 'rate_limit_wait_seconds',
    type: 'histogram',
    help: 'Time calls spent waiting for a rate limiter.',
    labelNames: ['service'],
    buckets: waitBuckets,
  },
  externalCallDuration: {
    name: 'external_call_duration_seconds',
    type: 'histogram',
    help: 'Duration of one external call attempt, whatever its outcome.',
    labelNames: ['service'],
    buckets: durationBuckets,
  },
  externalCalls: {
    name: 'external_calls_total',
    type: 'counter',
    help: 'External call attempts, by outcome.',
    labelNames: ['service', 'outcome'],
  },
  cacheSize: {
    name: 'cache_size_bytes',
    type: 'gauge',
    help: 'Bytes stored in the artifact cache.',
    labelNames: ['cache'],
    aggregator: 'max',
  },
  cacheSizeWarning: {
    name: 'cache_size_warning_bytes',
    type: 'gauge',
    help: 'Configured size above which the cache warns (for alerting against cache_size_bytes).',
    labelNames: ['cache'],
    aggregator: 'max',
  },
  cacheHits: {
    name: 'cache_hits_total',
    type: 'counter',
    help: 'Cache lookups that found the artifact.',
    labelNames: ['cache'],
  },
  cacheMisses: {
    name: 'cache_misses_total',
    type: 'counter',
    help: 'Cache lookups that did not find the artifact.',
    labelNames: ['cache'],
  },
  cacheEvictions: {
    name: 'cache_evictions_total',
    type: 'counter',
    help: 'Artifacts removed from the cache by retention or size cleanup.',
    labelNames: ['cache'],
  },
  coordinationShared: {
    name: 'coordination_shared',
    type: 'gauge',
    help: '1 while the fleet-shared limits and breakers are reachable, 0 while on local fallback.',
    labelNames: ['backend'],
    aggregator: 'min',
  },
  coordinationFallbacks: {
    name: 'coordination_fallbacks_total',
    type: 'counter',
    help: 'Times this process lost its shared coordination backend and fell back to local state.',
    labelNames: ['backend'],
  },
  checkpointAge: {
    name: 'checkpoint_age_seconds',
    type: 'gauge',
    help: 'Seconds since the pipeline last saved a checkpoint (computed at scrape time).',
    labelNames: ['pipeline'],
    aggregator: 'min',
  },
  stageLastSuccess: {
    name: 'stage_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time of the last completed (or degraded) item of the stage.',
    labelNames: ['pipeline', 'stage'],
    aggregator: 'max',
  },
  usage: {
    name: 'usage_total',
    type: 'counter',
    help: 'Usage reported by handlers with ctx.metrics.add(name, n), e.g. LLM tokens or cost.',
    labelNames: ['pipeline', 'name'],
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricKey = keyof typeof metricCatalog;
